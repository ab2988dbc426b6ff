import { describe, expect, it } from 'vitest';
import { clipStats } from '../../core/audio';
import { dbfs } from '../format';
import { fitToFullScale } from './decode';

describe('fitToFullScale', () => {
  it('brings a decoder overshoot (+0.5 dBFS) back to at most 0 dBFS, keeping the shape', () => {
    const over = 10 ** (0.5 / 20);
    const x = Float32Array.from({ length: 1600 }, (_, i) => over * Math.sin(i / 5));
    expect(dbfs(clipStats(x).peak)).toBe('0.5 dBFS');
    const { samples, gainDb } = fitToFullScale(x);
    const peak = clipStats(samples).peak;
    expect(peak).toBeLessThanOrEqual(1);
    expect(peak).toBeGreaterThan(0.9999);
    expect(dbfs(peak)).toMatch(/^-?0\.0 dBFS$/);
    expect(gainDb).toBeCloseTo(-0.5, 2);
    // Same shape: every sample scaled by one factor.
    const ratio = samples[7]! / x[7]!;
    for (let i = 0; i < x.length; i += 97)
      if (Math.abs(x[i]!) > 1e-3) expect(samples[i]! / x[i]!).toBeCloseTo(ratio, 6);
  });

  it('leaves a clip within full scale untouched', () => {
    const x = Float32Array.from([0.5, -1, 0.25]);
    const r = fitToFullScale(x);
    expect(r.samples).toBe(x);
    expect(r.gainDb).toBe(0);
  });
});
