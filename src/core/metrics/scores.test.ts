import { describe, expect, it } from 'vitest';
import { cer, confusionMatrix, editCounts, unweightedAccuracy, wer, weightedAccuracy } from './scores';
import { decodeIds, encodeText, normalizeText, VOCAB_SIZE } from '../text/normalize';

describe('text', () => {
  it('normalises and maps to the 29-symbol alphabet', () => {
    expect(normalizeText('  Don’t STOP-me now!! 42  ')).toBe("don't stop me now");
    expect(VOCAB_SIZE).toBe(29);
    expect(encodeText("a b'z")).toEqual([3, 1, 4, 2, 28]);
    expect(decodeIds([0, 3, 0, 1, 28])).toBe('a z');
  });
});

describe('edit distance', () => {
  it('counts substitutions, deletions and insertions', () => {
    expect(editCounts('kitten'.split(''), 'sitting'.split(''))).toEqual({
      substitutions: 2,
      deletions: 0,
      insertions: 1,
      refLength: 6,
    });
    expect(editCounts(['a', 'b', 'c'], ['a', 'c'])).toEqual({
      substitutions: 0,
      deletions: 1,
      insertions: 0,
      refLength: 3,
    });
    expect(editCounts([], ['x'])).toEqual({ substitutions: 0, deletions: 0, insertions: 1, refLength: 0 });
  });

  it('WER and CER aggregate over a corpus', () => {
    // ref words: 4 + 2 = 6; errors: 1 sub ("sat"→"sit") + 1 del ("the") + 1 ins ("again")
    const w = wer(['the cat sat down', 'hello world'], ['cat sit down', 'hello world again']);
    expect(w.substitutions + w.deletions + w.insertions).toBe(3);
    expect(w.rate).toBeCloseTo(3 / 6, 10);
    const c = cer(['abc'], ['abd']);
    expect(c.rate).toBeCloseTo(1 / 3, 10);
    expect(wer(['Hello, World'], ['hello world']).rate).toBe(0);
    expect(wer([''], ['']).rate).toBe(0);
  });
});

describe('classification metrics', () => {
  const truth = [0, 0, 0, 0, 1, 1, 2, 3];
  const pred = [0, 0, 0, 1, 1, 0, 2, 2];
  it('confusion matrix', () => {
    expect(confusionMatrix(truth, pred, 4)).toEqual([
      [3, 1, 0, 0],
      [1, 1, 0, 0],
      [0, 0, 1, 0],
      [0, 0, 1, 0],
    ]);
  });
  it('WA is overall accuracy, UA the mean per-class recall', () => {
    expect(weightedAccuracy(truth, pred)).toBeCloseTo(5 / 8, 10);
    expect(unweightedAccuracy(truth, pred, 4)).toBeCloseTo((3 / 4 + 1 / 2 + 1 + 0) / 4, 10);
  });
});
