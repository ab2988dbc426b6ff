import { describe, expect, it } from 'vitest';
import { SAMPLE_RATE } from '../audio/constants';
import { medianF0, trackPitch } from '../cues';
import { makeFft } from '../cues/fft';
import {
  drawVoice,
  IDENTITY_VOICE,
  reverberate,
  rms,
  timeStretch,
  transformVoice,
  DEFAULT_VOICE_AUGMENT,
  type VoiceParams,
} from './voice';

const sr = SAMPLE_RATE;

/**
 * A sustained vowel: harmonics of `f0` weighted by two resonances (formants at `f1`, `f2` Hz), with a slow level
 * swell so loudness has a shape.
 */
function vowel(f0 = 140, seconds = 1, f1 = 700, f2 = 1200): Float32Array {
  const n = Math.round(seconds * sr);
  const out = new Float32Array(n);
  const res = (f: number, fc: number, bw: number) => 1 / Math.sqrt(1 + ((f - fc) / bw) ** 2);
  for (let h = 1; h * f0 < 7500; h++) {
    const f = h * f0;
    const a = (res(f, f1, 120) + 0.7 * res(f, f2, 150)) / Math.sqrt(h);
    for (let i = 0; i < n; i++) out[i] = out[i]! + a * Math.sin((2 * Math.PI * f * i) / sr + h);
  }
  const peak = out.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  for (let i = 0; i < n; i++) out[i] = (0.3 * out[i]! * (0.6 + 0.4 * Math.sin((Math.PI * i) / n))) / peak;
  return out;
}

/** Power spectrum (averaged 2048-point periodograms over the middle of the clip), bins 0..1024. */
function spectrum(x: Float32Array): Float64Array {
  const size = 2048;
  const f = makeFft(size);
  const p = new Float64Array(size / 2 + 1);
  for (let s = Math.floor(x.length / 4); s + size <= (3 * x.length) / 4 + size && s + size <= x.length; s += size / 2) {
    const re = new Float64Array(size);
    const im = new Float64Array(size);
    for (let i = 0; i < size; i++) re[i] = x[s + i]! * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / size));
    f.forward(re, im);
    for (let k = 0; k <= size / 2; k++) p[k] = p[k]! + re[k]! ** 2 + im[k]! ** 2;
  }
  return p;
}
const hzOf = (k: number) => (k * sr) / 2048;
function bandEnergy(p: Float64Array, lo: number, hi: number): number {
  let e = 0;
  for (let k = 0; k < p.length; k++) if (hzOf(k) >= lo && hzOf(k) < hi) e += p[k]!;
  return e;
}
/** Frequency of the spectral envelope's peak: the loudest 100 Hz band (sums over harmonics) below 3 kHz. */
function centroid(p: Float64Array, hi = 3000): number {
  let num = 0,
    den = 0;
  for (let k = 0; k < p.length; k++) {
    if (hzOf(k) > hi) break;
    num += hzOf(k) * p[k]!;
    den += p[k]!;
  }
  return num / den;
}
const f0Of = (x: Float32Array) => medianF0(trackPitch(x));
const voice = (v: Partial<VoiceParams>): VoiceParams => ({ ...IDENTITY_VOICE, ...v });

describe('voice transforms', () => {
  const x = vowel();

  it('identity returns an equal copy and never touches the input', () => {
    const before = x.slice();
    const y = transformVoice(x, IDENTITY_VOICE);
    expect(y).not.toBe(x);
    expect(Array.from(y)).toEqual(Array.from(before));
    expect(Array.from(x)).toEqual(Array.from(before));
  });

  it('pitch shift moves F0 by the semitones and keeps length, level and formants', () => {
    const f0 = f0Of(x);
    expect(f0).toBeGreaterThan(135);
    expect(f0).toBeLessThan(145);
    for (const st of [-4, 3]) {
      const y = transformVoice(x, voice({ semitones: st }));
      expect(y.length).toBe(x.length);
      expect(rms(y) / rms(x)).toBeCloseTo(1, 3);
      expect(12 * Math.log2(f0Of(y) / f0)).toBeCloseTo(st, 0);
      // formants stay: the envelope centroid moves far less than a plain resampling (×2^(st/12)) would move it
      const shift = centroid(spectrum(y)) / centroid(spectrum(x));
      expect(Math.abs(Math.log(shift))).toBeLessThan(0.35 * Math.abs(Math.log(2 ** (st / 12))));
    }
  });

  it('formant scaling moves the envelope and leaves F0 alone', () => {
    const up = transformVoice(x, voice({ formant: 1.15 }));
    const down = transformVoice(x, voice({ formant: 0.85 }));
    expect(up.length).toBe(x.length);
    const c = centroid(spectrum(x));
    expect(centroid(spectrum(up)) / c).toBeGreaterThan(1.07);
    expect(centroid(spectrum(down)) / c).toBeLessThan(0.93);
    expect(Math.abs(12 * Math.log2(f0Of(up) / f0Of(x)))).toBeLessThan(0.3);
    expect(Math.abs(12 * Math.log2(f0Of(down) / f0Of(x)))).toBeLessThan(0.3);
  });

  it('tempo changes the length by its factor and keeps F0', () => {
    for (const t of [0.85, 1.15]) {
      const y = transformVoice(x, voice({ tempo: t }));
      expect(y.length).toBe(Math.round(x.length / t));
      expect(Math.abs(12 * Math.log2(f0Of(y) / f0Of(x)))).toBeLessThan(0.3);
    }
  });

  it('WSOLA keeps a steady tone steady (no gaps or doubled frames at the joins)', () => {
    const tone = Float32Array.from({ length: sr }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 200 * i) / sr));
    const y = timeStretch(tone, 1.3);
    expect(y.length).toBe(Math.round(sr * 1.3));
    // the envelope of the stretched tone, in 10 ms windows away from the ends, stays within 1 dB
    const levels: number[] = [];
    for (let s = 800; s + 160 < y.length - 800; s += 160) levels.push(rms(y.subarray(s, s + 160)));
    expect(20 * Math.log10(Math.max(...levels) / Math.min(...levels))).toBeLessThan(1);
  });

  it('tilt raises the highs against the lows; the band limit removes what lies above it', () => {
    const bright = transformVoice(x, voice({ tiltDbPerOctave: 3 }));
    const ratio = (s: Float32Array) => bandEnergy(spectrum(s), 3800, 4200) / bandEnergy(spectrum(s), 480, 520);
    // +3 dB/octave: the 4 kHz band is 2 octaves above 1 kHz (+6 dB), the 500 Hz band one below (−3 dB)
    const gained = 10 * Math.log10(ratio(bright) / ratio(x));
    expect(gained).toBeGreaterThan(8);
    expect(gained).toBeLessThan(10);
    const narrow = transformVoice(x, voice({ bandLimitHz: 4000 }));
    const p = spectrum(narrow);
    expect(bandEnergy(p, 4400, 8000) / bandEnergy(p, 0, 4000)).toBeLessThan(1e-4);
    expect(bandEnergy(spectrum(x), 4400, 8000) / bandEnergy(spectrum(x), 0, 4000)).toBeGreaterThan(1e-3);
    // below the edge the spectrum is untouched
    expect(bandEnergy(p, 100, 3500) / bandEnergy(spectrum(x), 100, 3500)).toBeCloseTo(
      bandEnergy(p, 0, 8000) / bandEnergy(spectrum(x), 0, 8000),
      1,
    );
  });

  it('reverberation keeps the length and smears a click into a decaying tail of the requested RT60', () => {
    const click = new Float32Array(sr);
    click[1000] = 1;
    const y = reverberate(click, 0.5, 0, 7);
    expect(y.length).toBe(click.length);
    expect(y[1000]).toBeCloseTo(1, 5); // the direct path
    const energyDb = (a: number, b: number) =>
      10 * Math.log10(y.subarray(1000 + a, 1000 + b).reduce((s, v) => s + v * v, 0));
    // exponential decay: −60 dB per 0.5 s, so about −12 dB per 100 ms between late windows
    const drop = energyDb(1600, 3200) - energyDb(3200, 4800);
    expect(drop).toBeGreaterThan(8);
    expect(drop).toBeLessThan(16);
    expect(y.subarray(0, 1000).every((v) => Math.abs(v) < 1e-6)).toBe(true); // causal
  });

  it('drawVoice stays inside its ranges and is reproducible from the seed', () => {
    const mk = (seed: number) => {
      let s = seed;
      return () => (s = (s * 16807) % 2147483647) / 2147483647;
    };
    const a = Array.from(
      { length: 200 },
      (
        (r) => () =>
          drawVoice(r)
      )(mk(3)),
    );
    const b = Array.from(
      { length: 200 },
      (
        (r) => () =>
          drawVoice(r)
      )(mk(3)),
    );
    expect(a).toEqual(b);
    const c = DEFAULT_VOICE_AUGMENT;
    for (const v of a) {
      expect(v.formant).toBeGreaterThanOrEqual(c.formant[0]);
      expect(v.formant).toBeLessThanOrEqual(c.formant[1]);
      expect(Math.abs(v.semitones)).toBeLessThanOrEqual(4);
      expect(v.tempo).toBeGreaterThanOrEqual(0.85);
      expect(v.tempo).toBeLessThanOrEqual(1.15);
    }
    // each transform is sometimes on and sometimes off
    expect(a.some((v) => v.semitones === 0) && a.some((v) => v.semitones !== 0)).toBe(true);
    expect(a.some((v) => v.reverb) && a.some((v) => !v.reverb)).toBe(true);
    expect(a.some((v) => v.bandLimitHz) && a.some((v) => !v.bandLimitHz)).toBe(true);
  });

  it('a full random voice keeps length (at tempo 1) and level on a speech-like clip', () => {
    let s = 11;
    const rng = () => (s = (s * 16807) % 2147483647) / 2147483647;
    for (let i = 0; i < 5; i++) {
      const v = { ...drawVoice(rng), tempo: 1 };
      const y = transformVoice(x, v);
      expect(y.length).toBe(x.length);
      expect(rms(y) / rms(x)).toBeCloseTo(1, 3);
      expect(y.every(Number.isFinite)).toBe(true);
    }
  });
});
