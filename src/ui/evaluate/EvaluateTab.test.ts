// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { dodgeLabels } from './EvaluateTab';

describe('layout helpers', () => {
  it('dodges overlapping scatter labels downwards', () => {
    const y = dodgeLabels([
      { x: 100, y: 50 },
      { x: 105, y: 52 },
      { x: 400, y: 50 },
      { x: 102, y: 51 },
    ]);
    expect(y[0]).toBe(50);
    expect(y[2]).toBe(50); // far away: untouched
    expect(new Set([y[0], y[1], y[3]]).size).toBe(3);
    expect(Math.min(Math.abs(y[1]! - y[0]!), Math.abs(y[3]! - y[0]!), Math.abs(y[3]! - y[1]!))).toBeGreaterThanOrEqual(
      13,
    );
  });
});
