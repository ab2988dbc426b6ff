import { describe, expect, it } from 'vitest';
import { median, percentile } from './stats';

describe('percentile', () => {
  it('interpolates between order statistics, whatever the input order', () => {
    const v = [40, 10, 30, 20];
    expect(percentile(v, 0)).toBe(10);
    expect(percentile(v, 1)).toBe(40);
    expect(percentile(v, 0.5)).toBe(25);
    // (n − 1)·q = 0.3 → 10 + 0.3·10
    expect(percentile(v, 0.1)).toBeCloseTo(13, 12);
    expect(v).toEqual([40, 10, 30, 20]);
  });

  it('is NaN for no values and clamps q to [0, 1]', () => {
    expect(percentile([], 0.5)).toBeNaN();
    expect(percentile([3, 1], 2)).toBe(3);
    expect(percentile([3, 1], -1)).toBe(1);
  });
});

describe('median', () => {
  it('takes the middle of odd and the mean of the middle pair of even counts', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('ignores values that are not finite', () => {
    expect(median([NaN, 1, Infinity, 3, -Infinity])).toBe(2);
    expect(median([NaN])).toBeNaN();
  });
});
