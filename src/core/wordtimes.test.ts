import { describe, expect, it } from 'vitest';
import { ctcAlignWords, ctcWordTimes, spansForWords, wordsCoveredBy, wordsInSpan, type TimedWord } from './wordtimes';

const ALPHABET = ['', ' ', "'", ...'abcdefghijklmnopqrstuvwxyz'];

/** Log-probs whose best path is the given frame labels ('_' = blank). */
function path(frames: string): Float32Array {
  const v = ALPHABET.length;
  const out = new Float32Array(frames.length * v).fill(-10);
  [...frames].forEach((c, i) => (out[i * v + (c === '_' ? 0 : ALPHABET.indexOf(c))] = 0));
  return out;
}

describe('word timings from the CTC best path', () => {
  it('times each word from its first to its last character frame, repeats and blanks merged', () => {
    // 20 ms frames: "he" on frames 1–3, "was" on 8–12 (the repeated s frames are one character)
    const words = ctcWordTimes(path('_hhe_  _wa_ss__'), ALPHABET, 0.02);
    expect(words.map((w) => w.word)).toEqual(['he', 'was']);
    expect(words[0]!.start).toBeCloseTo(0.02);
    expect(words[0]!.end).toBeCloseTo(0.08);
    expect(words[1]!.start).toBeCloseTo(0.16);
    expect(words[1]!.end).toBeCloseTo(0.26);
  });

  it('keeps a doubled letter that a blank separates, and shifts by the chunk offset', () => {
    const words = ctcWordTimes(path('l_l'), ALPHABET, 0.02, { offsetS: 30 });
    expect(words).toEqual([{ word: 'll', start: 30, end: 30 + 0.06 }]);
  });
});

describe('word timings of a known transcript (forced alignment)', () => {
  it('splits words the greedy path runs together, at the frames the alignment gives each', () => {
    // The best path never emits the space: greedily this is one word "hewas".
    const lp = path('_he__was_');
    expect(ctcWordTimes(lp, ALPHABET, 0.02).map((w) => w.word)).toEqual(['hewas']);
    const words = ctcAlignWords(lp, ALPHABET, 'he was', 0.02)!;
    expect(words.map((w) => w.word)).toEqual(['he', 'was']);
    expect(words[0]!.start).toBeCloseTo(0.02);
    expect(words[0]!.end).toBeCloseTo(0.06);
    expect(words[1]!.start).toBeCloseTo(0.1);
    expect(words[1]!.end).toBeCloseTo(0.16);
  });

  it('refuses what cannot fit: too few frames, a double letter without room for its blank, unknown characters', () => {
    expect(ctcAlignWords(path('__'), ALPHABET, 'was', 0.02)).toBeNull();
    expect(ctcAlignWords(path('ll'), ALPHABET, 'll', 0.02)).toBeNull();
    expect(ctcAlignWords(path('l_l'), ALPHABET, 'll', 0.02)).toEqual([{ word: 'll', start: 0, end: 0.06 }]);
    expect(ctcAlignWords(path('____'), ALPHABET, 'é', 0.02)).toBeNull();
    expect(ctcAlignWords(path('____'), ALPHABET, '  ', 0.02)).toEqual([]);
  });
});

describe('spans from picked words', () => {
  const words: TimedWord[] = [
    { word: 'he', start: 0.3, end: 0.5 },
    { word: 'was', start: 0.6, end: 0.9 },
    { word: 'down', start: 1.5, end: 1.8 },
  ];

  it('pads each picked word, merges neighbours, and stops halfway to a word that was not picked', () => {
    expect(spansForWords(words, [1], 3)).toEqual([{ start: 0.55, end: 0.98 }]);
    const joined = spansForWords(words, [0, 1], 3);
    expect(joined).toHaveLength(1);
    expect(joined[0]!.start).toBeCloseTo(0.22);
    expect(joined[0]!.end).toBeCloseTo(0.98);
    const two = spansForWords(words, [0, 2], 1.85);
    expect(two).toHaveLength(2);
    expect(two[1]!.end).toBeCloseTo(1.85); // clipped to the clip
    expect(spansForWords(words, [7, -1], 3)).toEqual([]);
  });

  it('reads back the words in a span and the words a span covers', () => {
    expect(wordsInSpan(words, { start: 0.2, end: 1 })).toBe('he was');
    expect(wordsInSpan(words, { start: 1, end: 1.2 })).toBe('');
    expect(wordsCoveredBy(words, spansForWords(words, [0, 2], 3))).toEqual([0, 2]);
  });
});
