import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SAMPLE_RATE, decodeWav } from '../audio';
import { CODECS, alignTo, estimateDelay, reencode, type CodecId } from './codec';
import { findFfmpeg } from './decode-audio';
import { snrDb } from '../analysis';

const NO_FFMPEG = 'ffmpeg is not installed (apt-get install ffmpeg): the codec round-trip tests cannot run';
const tools = findFfmpeg();

const rms = (x: Float32Array, from = 0, to = x.length) => {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i]! * x[i]!;
  return Math.sqrt(s / (to - from));
};

function tone(hz: number, seconds: number, amp = 0.3): Float32Array {
  return Float32Array.from(
    { length: Math.round(seconds * SAMPLE_RATE) },
    (_, i) => amp * Math.sin((2 * Math.PI * hz * i) / SAMPLE_RATE),
  );
}

/**
 * Energy between two frequencies, summed over 1024-sample frames under a 4-term Blackman–Harris window (sidelobes
 * below −92 dB, so a full band next door does not leak into an empty one).
 */
function bandEnergy(x: Float32Array, loHz: number, hiHz: number): number {
  const n = 1024;
  const w = Float32Array.from({ length: n }, (_, i) => {
    const a = (2 * Math.PI * i) / (n - 1);
    return 0.35875 - 0.48829 * Math.cos(a) + 0.14128 * Math.cos(2 * a) - 0.01168 * Math.cos(3 * a);
  });
  let e = 0;
  // Frames away from the clip's edges, where resamplers ring.
  for (let start = 2048; start + n <= x.length - 2048; start += n) {
    for (let k = Math.ceil((loHz / SAMPLE_RATE) * n); k <= Math.floor((hiHz / SAMPLE_RATE) * n) && k < n / 2; k++) {
      let re = 0;
      let im = 0;
      for (let i = 0; i < n; i++) {
        const v = x[start + i]! * w[i]!;
        re += v * Math.cos((2 * Math.PI * k * i) / n);
        im -= v * Math.sin((2 * Math.PI * k * i) / n);
      }
      e += re * re + im * im;
    }
  }
  return e;
}

function argmaxAbs(x: Float32Array): number {
  let best = 0;
  for (let i = 1; i < x.length; i++) if (Math.abs(x[i]!) > Math.abs(x[best]!)) best = i;
  return best;
}

describe('delay search (no ffmpeg)', () => {
  it('finds a known shift of a noise signal, on either side of the centre', () => {
    let s = 1;
    const x = Float32Array.from({ length: 20000 }, () => ((s = (s * 16807) % 2147483647) / 2147483647) * 2 - 1);
    for (const lag of [37, -21, 1105]) {
      const y = new Float32Array(x.length + 2000);
      for (let n = 0; n < x.length; n++) if (n + lag >= 0 && n + lag < y.length) y[n + lag] = x[n]!;
      const centre = lag > 500 ? 1100 : 0;
      const found = estimateDelay(x, y, centre, 800);
      expect(found).toBe(lag);
      const z = alignTo(y, found, x.length);
      expect(z.length).toBe(x.length);
      expect(z[5000]).toBe(x[5000]);
    }
  });
});

describe.skipIf(!tools)(`reencode through ffmpeg${tools ? '' : ` (skipped: ${NO_FFMPEG})`}`, () => {
  const speech = decodeWav(readFileSync('tests/fixtures/corpus10/clips/s0533_festival_slt_hts.wav')).channels[0]!;
  // Floors well under what each codec gave on this clip (mp3 26, opus 24, aac 41, μ-law 27 dB) but far above what a
  // misaligned or broken round trip gives (≤ 3 dB: a shift of one pitch period already decorrelates speech).
  const floors: Record<CodecId, number> = { 'mp3-64': 10, 'opus-24': 10, 'aac-64': 15, 'mulaw-8k': 10 };

  it.each(CODECS)('%s keeps the length and the speech signal', async (codec) => {
    const y = await reencode(speech, codec);
    expect(y.length).toBe(speech.length);
    expect(y.every(Number.isFinite)).toBe(true);
    expect(snrDb(speech, y)).toBeGreaterThan(floors[codec]);
  });

  it('μ-law at 8 kHz removes a 6 kHz tone and keeps a 1 kHz tone', async () => {
    const hi = tone(6000, 1);
    const lo = tone(1000, 1);
    const yHi = await reencode(hi, 'mulaw-8k');
    const yLo = await reencode(lo, 'mulaw-8k');
    // Away from the edges, where the resampler's filters ring.
    const [a, b] = [1600, 14400];
    expect(20 * Math.log10(rms(yHi, a, b) / rms(hi, a, b))).toBeLessThan(-40);
    expect(snrDb(lo.subarray(a, b), yLo.subarray(a, b))).toBeGreaterThan(25);
  });

  it('μ-law at 8 kHz leaves no energy above 4 kHz in white noise; MP3 keeps it', async () => {
    let seed = 7;
    const noise = Float32Array.from(
      { length: SAMPLE_RATE },
      () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 0.5,
    );
    // From 4.5 kHz: ffmpeg's resampler has its transition band just around 4 kHz (measured −56 dB above 4.5 kHz,
    // −40 dB from 4.3 kHz).
    const high = (x: Float32Array) => bandEnergy(x, 4500, 8000);
    const low = (x: Float32Array) => bandEnergy(x, 300, 3500);
    const mu = await reencode(noise, 'mulaw-8k');
    expect(10 * Math.log10(high(mu) / high(noise))).toBeLessThan(-40);
    expect(Math.abs(10 * Math.log10(low(mu) / low(noise)))).toBeLessThan(1);
    const mp3 = await reencode(noise, 'mp3-64');
    expect(10 * Math.log10(high(mp3) / high(noise))).toBeGreaterThan(-10);
  });

  it('the wide-band codecs keep a 6 kHz tone that μ-law drops', async () => {
    const hi = tone(6000, 1);
    const y = await reencode(hi, 'aac-64');
    expect(20 * Math.log10(rms(y, 1600, 14400) / rms(hi, 1600, 14400))).toBeGreaterThan(-3);
  });

  it.each(CODECS)('%s brings a click back at its own sample, wherever it is', async (codec) => {
    for (const at of [4000, 11111]) {
      const x = new Float32Array(SAMPLE_RATE);
      // A 1 ms windowed 2 kHz burst: a bare one-sample click is what lossy codecs smear most, but its peak must still
      // come back where it was, not 64–69 ms late (the priming a pipe keeps).
      for (let k = -8; k <= 8; k++)
        x[at + k] = 0.8 * Math.cos((Math.PI * k) / 16) ** 2 * Math.cos((2 * Math.PI * 2000 * k) / SAMPLE_RATE);
      const y = await reencode(x, codec);
      expect(Math.abs(argmaxAbs(y) - at)).toBeLessThanOrEqual(2);
    }
  });

  it('names the package to install when ffmpeg is missing', async () => {
    await expect(reencode(speech, 'mp3-64', { ffmpeg: '/nonexistent/ffmpeg' })).rejects.toThrow(
      /apt-get install ffmpeg/,
    );
  });
});
