import { describe, expect, it } from 'vitest';
import { bandEnergies, fftInPlace, perturbationReport, powerSpectrogram, snrDb } from './analysis';

const sine = (hz: number, n: number, amp = 1) =>
  new Float32Array(n).map((_, i) => amp * Math.sin((2 * Math.PI * hz * i) / 16000));

describe('fft', () => {
  it('matches a direct DFT', () => {
    const n = 16;
    const x = Array.from({ length: n }, (_, i) => Math.sin(i) + 0.3 * Math.cos(3 * i));
    const re = Float64Array.from(x);
    const im = new Float64Array(n);
    fftInPlace(re, im);
    for (let k = 0; k < n; k++) {
      let dr = 0;
      let di = 0;
      for (let t = 0; t < n; t++) {
        dr += x[t] * Math.cos((2 * Math.PI * k * t) / n);
        di -= x[t] * Math.sin((2 * Math.PI * k * t) / n);
      }
      expect(re[k]).toBeCloseTo(dr, 9);
      expect(im[k]).toBeCloseTo(di, 9);
    }
  });
});

describe('band energies', () => {
  it('puts a 500 Hz tone below 2 kHz and a 4 kHz tone above', () => {
    const lowTone = bandEnergies(sine(500, 8000));
    expect(lowTone.low / (lowTone.low + lowTone.high)).toBeGreaterThan(0.999);
    const highTone = bandEnergies(sine(4000, 8000));
    expect(highTone.high / (highTone.low + highTone.high)).toBeGreaterThan(0.999);
  });

  it('spectrogram peak sits at the tone frequency', () => {
    const s = powerSpectrogram(sine(1000, 4096));
    let best = 0;
    for (let k = 0; k < s.bins; k++) if (s.power[3 * s.bins + k] > s.power[3 * s.bins + best]) best = k;
    expect(best).toBe(32);
  });
});

describe('perturbation report', () => {
  it('measures SNR and locates a high-band perturbation', () => {
    const x = sine(300, 16000, 0.5);
    const noise = sine(5000, 16000, 0.05);
    const y = x.map((v, i) => v + noise[i]);
    const r = perturbationReport(x, y);
    expect(r.snrDb).toBeCloseTo(20, 1);
    expect(r.perturbationHighShare).toBeGreaterThan(0.99);
    expect(r.highChangeDb).toBeGreaterThan(10);
    expect(Math.abs(r.lowChangeDb)).toBeLessThan(0.1);
  });

  it('reports Infinity SNR for an untouched clip', () => {
    const x = sine(200, 1000);
    expect(snrDb(x, x)).toBe(Infinity);
  });
});
