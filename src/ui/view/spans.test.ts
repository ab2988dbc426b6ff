import { describe, expect, it } from 'vitest';
import type { TimedWord } from '../../core/wordtimes';
import { regionsToSpans, sameSpans, toggleWord } from './spans';

const words: TimedWord[] = [
  { word: 'he', start: 0.3, end: 0.5 },
  { word: 'was', start: 0.6, end: 0.9 },
  { word: 'down', start: 1.5, end: 1.8 },
];

describe('regions ↔ spans', () => {
  it('clips to the clip, drops clicks, merges overlaps, sorts, and accepts regions drawn backwards', () => {
    expect(
      regionsToSpans(
        [
          { start: 2.5, end: 1.9 },
          { start: -1, end: 0.4 },
          { start: 0.3, end: 0.6 },
          { start: 1, end: 1.02 },
        ],
        2.2,
      ),
    ).toEqual([
      { start: 0, end: 0.6 },
      { start: 1.9, end: 2.2 },
    ]);
    expect(regionsToSpans([], 2)).toEqual([]);
  });

  it('clicking a word marks it, clicking it again unmarks the part it is in', () => {
    const one = toggleWord([], words, 1, 2);
    expect(one).toHaveLength(1);
    expect(one[0]!.start).toBeCloseTo(0.55);
    expect(one[0]!.end).toBeCloseTo(0.98);
    const two = toggleWord(one, words, 0, 2);
    expect(two).toHaveLength(1); // merged with the touching part
    expect(two[0]!.start).toBeCloseTo(0.22);
    expect(toggleWord(two, words, 0, 2)).toEqual([]);
    expect(toggleWord(one, words, 9, 2)).toEqual(one);
  });

  it('compares span lists to the millisecond', () => {
    expect(sameSpans([{ start: 1, end: 2 }], [{ start: 1.0002, end: 2 }])).toBe(true);
    expect(sameSpans([{ start: 1, end: 2 }], undefined)).toBe(false);
    expect(sameSpans(undefined, [])).toBe(true);
  });
});
