import { describe, expect, it } from 'vitest';
import { NgramLm, SENTENCE_START } from './lm';

const TEXT = [
  'the cat sat on the mat',
  'the dog sat on the log',
  'a cat saw the dog',
  'the dog saw a cat',
  'the cat ran',
  'she sat on the mat',
].map((s) => s.split(' '));

/** Σ over every word that can follow (the vocabulary without <s>, plus one unknown word) of P(w | context). */
function mass(lm: NgramLm, ctx: number[]): number {
  let s = Math.exp(lm.logProb(ctx, -1));
  lm.vocab.forEach((w, i) => {
    if (w !== SENTENCE_START) s += Math.exp(lm.logProb(ctx, i));
  });
  return s;
}

describe('n-gram language model (interpolated Kneser–Ney)', () => {
  it('every conditional distribution sums to one, with and without count cut-offs', () => {
    for (const opts of [
      { order: 2 },
      { order: 3 },
      { order: 3, minCounts: [2, 2] },
      { order: 3, discount: 0.5, minCounts: [1, 2] },
    ]) {
      const lm = NgramLm.train(TEXT, opts);
      const id = (w: string) => lm.id(w);
      for (const ctx of [
        [lm.startId],
        [lm.startId, id('the')],
        [id('the'), id('cat')],
        [id('on'), id('the')],
        [id('mat')],
        [-1, id('the')],
        [],
      ]) {
        expect(mass(lm, ctx)).toBeCloseTo(1, 5);
      }
    }
  });

  it('bigram probabilities match a hand computation', () => {
    const lm = NgramLm.train(
      [
        ['a', 'b'],
        ['a', 'c'],
        ['b', 'c'],
      ],
      { order: 2, discount: 0.5 },
    );
    // unigram continuation counts (distinct predecessors): a ← {<s>}, b ← {<s>, a}, c ← {a, b}, </s> ← {b, c};
    // total 7, V = 5 (<s>, </s>, a, b, c) + unknown = 6; add-one: P1(w) = (N + 1) / 13
    const p1 = { a: 2 / 13, b: 3 / 13, c: 3 / 13 };
    // P(c | a): c(a c) = 1, c(a •) = 2, two distinct continuations: (1 − 0.5)/2 + (0.5·2/2)·P1(c)
    expect(Math.exp(lm.logProb([lm.id('a')], lm.id('c')))).toBeCloseTo(0.25 + 0.5 * p1.c, 6);
    // P(a | b) is unseen: backoff (0.5·2/2)·P1(a)
    expect(Math.exp(lm.logProb([lm.id('b')], lm.id('a')))).toBeCloseTo(0.5 * p1.a, 6);
    // P(b | <s>): c(<s> b) = 1 of 3 starts, 2 distinct: (1 − 0.5)/3 + (0.5·2/3)·P1(b)
    expect(Math.exp(lm.logProb([lm.startId], lm.id('b')))).toBeCloseTo(0.5 / 3 + (1 / 3) * p1.b, 6);
  });

  it('prefers word orders it has seen, and a trigram sharpens a bigram', () => {
    const bi = NgramLm.train(TEXT, { order: 2 });
    const tri = NgramLm.train(TEXT, { order: 3 });
    for (const lm of [bi, tri]) {
      expect(lm.sentenceLogProb('the cat sat on the mat'.split(' '))).toBeGreaterThan(
        lm.sentenceLogProb('mat the on sat cat the'.split(' ')),
      );
    }
    const ctx = [tri.id('on'), tri.id('the')];
    // after "on the", only mat and log were seen
    expect(tri.logProb(ctx, tri.id('mat'))).toBeGreaterThan(bi.logProb([bi.id('the')], bi.id('mat')));
  });

  it('round-trips through its binary form exactly, and rejects a corrupt file', () => {
    const lm = NgramLm.train(TEXT, { order: 3, minCounts: [1, 2] });
    const bytes = lm.toBinary();
    const back = NgramLm.fromBinary(bytes.slice().buffer);
    expect(back.sizes).toEqual(lm.sizes);
    expect(back.vocab).toEqual(lm.vocab);
    for (const s of ['the cat sat on the mat', 'a dog ran on the log', 'zebra sat']) {
      expect(back.sentenceLogProb(s.split(' '))).toBe(lm.sentenceLogProb(s.split(' ')));
    }
    // a Node Buffer at an offset inside a larger pool (as readFileSync returns) reads the same
    const pooled = Buffer.concat([Buffer.from([1, 2, 3]), Buffer.from(bytes)]).subarray(3);
    const fromBuffer = NgramLm.fromBinary(pooled);
    expect(fromBuffer.sizes).toEqual(lm.sizes);
    expect(fromBuffer.sentenceLogProb(['the', 'cat'])).toBe(lm.sentenceLogProb(['the', 'cat']));
    expect(() => NgramLm.fromBinary(bytes.slice(0, 40))).toThrow(/truncated|corrupt/);
    // ids take 16 bits while the vocabulary fits, 32 beyond: both read back the same model
    const big = NgramLm.train(
      Array.from({ length: 70_000 }, (_, i) => [`w${i}`, `w${(i * 7) % 70_000}`]),
      { order: 2 },
    );
    const bigBytes = big.toBinary();
    const bigBack = NgramLm.fromBinary(bigBytes);
    expect(bigBack.vocab.length).toBeGreaterThan(0xffff);
    expect(new DataView(bigBytes.buffer).getUint32(8, true)).toBe(4);
    expect(new DataView(bytes.buffer).getUint32(8, true)).toBe(2);
    expect(bigBack.logProb([bigBack.id('w69999')], bigBack.id('w69993'))).toBe(
      big.logProb([big.id('w69999')], big.id('w69993')),
    );
    expect(() => NgramLm.fromBinary(new Uint8Array(16))).toThrow(/not an n-gram/);
  });
});
