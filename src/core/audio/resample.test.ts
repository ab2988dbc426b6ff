import { describe, expect, it } from 'vitest';
import { resample, toMono } from './resample';
import { decodeWavTo16kMono } from './convert';
import { encodeWav } from './wav';

function sine(freq: number, rate: number, n: number, amp = 0.5): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * freq * i) / rate));
}

/** Max |y − ideal sine at the new rate|, ignoring 10 ms at each end where the input's zero padding shows. */
function sineError(y: Float32Array, freq: number, rate: number, amp = 0.5) {
  const ref = sine(freq, rate, y.length, amp);
  const edge = Math.ceil(rate * 0.01);
  let maxErr = 0;
  let peak = 0;
  for (let i = edge; i < y.length - edge; i++) {
    maxErr = Math.max(maxErr, Math.abs(y[i]! - ref[i]!));
    peak = Math.max(peak, Math.abs(y[i]!));
  }
  return { maxErr, peak };
}

describe('resample', () => {
  // Stated accuracy: a 1 kHz sine at 0.5 amplitude survives 44.1 → 16 kHz with max error < 1e-4 (−86 dB re the sine;
  // measured ~6e-6, i.e. float32 rounding level).
  it('keeps a 1 kHz sine within 1e-4 from 44.1 to 16 kHz', () => {
    const y = resample(sine(1000, 44100, 44100), 44100, 16000);
    expect(y.length).toBe(16000);
    expect(sineError(y, 1000, 16000).maxErr).toBeLessThan(1e-4);
  });

  it.each([
    [48000, 16000],
    [22050, 16000],
    [8000, 16000],
    [16000, 44100],
    [44100, 16001], // rates whose ratio has no small form take the per-sample kernel path
  ])('keeps a 1 kHz sine within 1e-4 from %i to %i Hz', (from, to) => {
    const y = resample(sine(1000, from, from), from, to);
    expect(y.length).toBe(to);
    expect(sineError(y, 1000, to).maxErr).toBeLessThan(1e-4);
  });

  it('passes 6 kHz (inside the 16 kHz passband) with gain error < 1e-4', () => {
    expect(sineError(resample(sine(6000, 44100, 44100), 44100, 16000), 6000, 16000).maxErr).toBeLessThan(1e-4);
  });

  it.each([8500, 10000, 15000])('removes %i Hz (above the new Nyquist) by more than 80 dB instead of aliasing', (f) => {
    const { peak } = sineError(resample(sine(f, 44100, 44100), 44100, 16000), 0, 16000);
    expect(20 * Math.log10(peak / 0.5)).toBeLessThan(-80);
  });

  it('naive decimation would alias: the test signal is not trivially attenuated', () => {
    // Guard for the test above: picking every 2.75625th sample of 10 kHz keeps its full amplitude (aliased to 6 kHz).
    const x = sine(10000, 44100, 44100);
    let peak = 0;
    for (let i = 0; i < 16000; i++) peak = Math.max(peak, Math.abs(x[Math.floor((i * 44100) / 16000)]!));
    expect(peak).toBeGreaterThan(0.45);
  });

  it('preserves DC and returns a copy for equal rates', () => {
    const dc = new Float32Array(4410).fill(0.25);
    const y = resample(dc, 44100, 16000);
    expect(y.length).toBe(1600);
    for (let i = 200; i < 1400; i++) expect(Math.abs(y[i]! - 0.25)).toBeLessThan(1e-6);
    const same = resample(dc, 16000, 16000);
    expect(same).not.toBe(dc);
    expect(Array.from(same)).toEqual(Array.from(dc));
  });

  it('handles empty and one-sample inputs and rejects bad rates', () => {
    expect(resample(new Float32Array(0), 44100, 16000).length).toBe(0);
    expect(resample(new Float32Array([1]), 44100, 16000).length).toBe(1);
    expect(() => resample(new Float32Array(4), 0, 16000)).toThrow(RangeError);
    expect(() => resample(new Float32Array(4), 16000, NaN)).toThrow(RangeError);
  });
});

describe('toMono', () => {
  it('averages channels and keeps a duplicated mono signal unchanged', () => {
    const a = new Float32Array([0.5, -0.5, 0.25]);
    expect(Array.from(toMono([a, a]))).toEqual(Array.from(a));
    expect(Array.from(toMono([a, new Float32Array([0.5, 0.5, 0.25])]))).toEqual([0.5, 0, 0.25]);
    expect(toMono([a])).not.toBe(a);
    expect(toMono([]).length).toBe(0);
  });

  it('truncates to the shortest channel', () => {
    expect(toMono([new Float32Array(5), new Float32Array(3)]).length).toBe(3);
  });
});

describe('decodeWavTo16kMono', () => {
  it('turns a 44.1 kHz stereo WAV into a 16 kHz mono clip', () => {
    // Build a stereo 44.1 kHz 16-bit file by interleaving two encodes' payloads.
    const left = sine(1000, 44100, 44100, 0.4);
    const l = encodeWav(left, 44100);
    const r = encodeWav(left, 44100);
    const stereo = new Uint8Array(44 + (l.length - 44) * 2);
    stereo.set(l.subarray(0, 44));
    const v = new DataView(stereo.buffer);
    v.setUint32(4, stereo.length - 8, true);
    v.setUint16(22, 2, true);
    v.setUint32(28, 44100 * 4, true);
    v.setUint16(32, 4, true);
    v.setUint32(40, stereo.length - 44, true);
    for (let i = 0; i < left.length; i++) {
      stereo.set(l.subarray(44 + 2 * i, 46 + 2 * i), 44 + 4 * i);
      stereo.set(r.subarray(44 + 2 * i, 46 + 2 * i), 46 + 4 * i);
    }
    const y = decodeWavTo16kMono(stereo);
    expect(y.length).toBe(16000);
    // 16-bit quantisation dominates here: allow 2 LSB.
    expect(sineError(y, 1000, 16000, 0.4).maxErr).toBeLessThan(2 / 32768);
  });
});
