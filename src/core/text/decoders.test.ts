import { describe, expect, it } from 'vitest';
import { Lexicon, beamSearchDecode, greedyDecode, logSoftmaxRows } from './decoders';
import { NgramLm } from './lm';
import { ALPHABET, VOCAB_SIZE } from './normalize';

const V = VOCAB_SIZE;
const id = (c: string) => ALPHABET.indexOf(c);

/** Log-probs [T,V] where each frame puts `p` on one symbol ('_' = blank) and spreads the rest. */
function frames(spec: (string | [string, number, string, number])[]): Float32Array {
  const out = new Float32Array(spec.length * V);
  spec.forEach((s, t) => {
    const probs = new Array<number>(V).fill(0);
    const put = (c: string, p: number) => (probs[c === '_' ? 0 : id(c)] += p);
    if (typeof s === 'string') put(s, 0.9);
    else {
      put(s[0], s[1]);
      put(s[2], s[3]);
    }
    const rest = 1 - probs.reduce((a, b) => a + b, 0);
    for (let k = 0; k < V; k++) out[t * V + k] = Math.log(probs[k] + rest / V);
  });
  return out;
}

describe('CTC decoders', () => {
  it('greedy merges repeats and drops blanks', () => {
    const lp = frames(['h', 'h', '_', 'e', 'l', 'l', '_', 'l', 'o', '_']);
    expect(greedyDecode(lp, 10, V)).toBe('hello');
  });

  it('log-softmax rows normalise', () => {
    const lp = logSoftmaxRows(
      Float32Array.from({ length: 2 * V }, (_, i) => i % 7),
      2,
      V,
    );
    for (let t = 0; t < 2; t++) {
      let s = 0;
      for (let k = 0; k < V; k++) s += Math.exp(lp[t * V + k]);
      expect(s).toBeCloseTo(1, 5);
    }
  });

  it('prefix beam search sums alignments: it can beat the best path', () => {
    // best path is blank,blank ('' ) but 'a' has more total probability over its alignments
    const lp = frames([
      ['_', 0.4, 'a', 0.35],
      ['_', 0.4, 'a', 0.35],
    ]);
    expect(greedyDecode(lp, 2, V)).toBe('');
    expect(beamSearchDecode(lp, 2, V, { beamWidth: 8 })).toBe('a');
  });

  it('a word list makes the beam spell known words', () => {
    const lex = new Lexicon(['the', 'cat', 'cot', 'sat']);
    expect(lex.size).toBe(4);
    expect(lex.has('cat')).toBe(true);
    expect(lex.has('ca')).toBe(false);
    // acoustics slightly prefer "the cqt" (not a word); the lexicon forces "cat"/"cot"
    const lp = frames(['t', 'h', 'e', ' ', 'c', ['q', 0.5, 'a', 0.4], 't']);
    expect(greedyDecode(lp, 7, V)).toBe('the cqt');
    expect(beamSearchDecode(lp, 7, V, { beamWidth: 16 })).toBe('the cqt');
    expect(beamSearchDecode(lp, 7, V, { beamWidth: 16, lexicon: lex })).toBe('the cat');
  });

  it('word counts give a unigram prior that can flip an acoustically close choice', () => {
    const lex = new Lexicon(['cat\t1', 'cot\t50', 'the\t100']);
    expect(lex.wordLogProb(1)).toBeLessThan(0);
    // acoustics slightly prefer "cat" over "cot"
    const lp = frames(['c', ['a', 0.5, 'o', 0.4], 't']);
    expect(beamSearchDecode(lp, 3, V, { beamWidth: 16, lexicon: lex })).toBe('cat');
    expect(beamSearchDecode(lp, 3, V, { beamWidth: 16, lexicon: lex, lmWeight: 1 })).toBe('cot');
  });

  it('a word n-gram LM picks the word its context predicts, where a unigram cannot', () => {
    const lex = new Lexicon(['the', 'cat', 'cot', 'sat', 'slept', 'in', 'a']);
    // "cot" is the more frequent word overall, but only "the cat" is ever followed by "sat"
    const lm = NgramLm.train(
      ['the cat sat', 'the cot', 'a cot', 'in a cot', 'slept in a cot'].map((x) => x.split(' ')),
      { order: 3 },
    );
    const lp = frames(['t', 'h', 'e', ' ', 'c', ['o', 0.46, 'a', 0.44], 't', ' ', 's', 'a', 't']);
    expect(beamSearchDecode(lp, 11, V, { beamWidth: 16, lexicon: lex })).toBe('the cot sat');
    expect(beamSearchDecode(lp, 11, V, { beamWidth: 16, lexicon: lex, lm, lmWeight: 1 })).toBe('the cat sat');
    // the same acoustics at the end of a sentence: the LM's "a cot" context now agrees with them
    const end = frames(['a', ' ', 'c', ['o', 0.46, 'a', 0.44], 't']);
    expect(beamSearchDecode(end, 5, V, { beamWidth: 16, lexicon: lex, lm, lmWeight: 1 })).toBe('a cot');
  });

  it('the look-ahead over the trie is the best word score below each node', () => {
    const lex = new Lexicon(['cat', 'cats', 'cot', 'dog']);
    const score = (w: string) => (({ cat: -3, cats: -1, cot: -2, dog: -5 }) as Record<string, number>)[w];
    const la = lex.subtreeMax(score);
    const node = (w: string) => [...w].reduce((n, c) => lex.step(n, ALPHABET.indexOf(c)), lex.root);
    expect(la[node('c')]).toBe(-1);
    expect(la[node('ca')]).toBe(-1);
    expect(la[node('cat')]).toBe(-1);
    expect(la[node('co')]).toBe(-2);
    expect(la[node('d')]).toBe(-5);
    expect(la[lex.root]).toBe(-1);
  });
});
