/**
 * CTC decoders over log-probabilities [T, V] (one clip, row-major): greedy (best path) and prefix beam search,
 * optionally constrained to a word list so a character model spells whole words from that list.
 */
import type { NgramLm } from './lm';
import { ALPHABET, BLANK } from './normalize';

/** Row-major log-softmax of logits [T,V] (only the first `t` frames). */
export function logSoftmaxRows(logits: Float32Array, t: number, v: number, offset = 0): Float32Array {
  const out = new Float32Array(t * v);
  for (let i = 0; i < t; i++) {
    let m = -Infinity;
    for (let k = 0; k < v; k++) m = Math.max(m, logits[offset + i * v + k]);
    let z = 0;
    for (let k = 0; k < v; k++) z += Math.exp(logits[offset + i * v + k] - m);
    const lz = m + Math.log(z);
    for (let k = 0; k < v; k++) out[i * v + k] = logits[offset + i * v + k] - lz;
  }
  return out;
}

/** Best path: argmax per frame, merge repeats, drop blanks. Works on logits or log-probs. */
export function greedyDecode(scores: Float32Array, t: number, v: number, offset = 0, blank = BLANK): string {
  let out = '';
  let prev = -1;
  for (let i = 0; i < t; i++) {
    let best = 0;
    let bv = -Infinity;
    for (let k = 0; k < v; k++) {
      const x = scores[offset + i * v + k];
      if (x > bv) {
        bv = x;
        best = k;
      }
    }
    if (best !== prev && best !== blank) out += ALPHABET[best];
    prev = best;
  }
  return out.replace(/ +/g, ' ').trim();
}

/**
 * Character trie of a word list in flat typed arrays (a ~100k-word list stays a few MB, and is fast to walk).
 * Characters are alphabet ids 2..28 (apostrophe, a–z); space (id 1) ends a word.
 * Entries are `word` or `word<TAB>count`; counts give a smoothed unigram log-probability per word (add-`alpha`),
 * used by the beam search's optional word-level language-model weight.
 */
export class Lexicon {
  private next: Int32Array;
  private isWord: Uint8Array;
  private counts = new Map<number, number>();
  private nodes = 1;
  private total = 0;
  readonly size: number;
  readonly alpha: number;
  private static readonly W = ALPHABET.length;

  constructor(words: Iterable<string>, alpha = 0.5) {
    this.alpha = alpha;
    this.next = new Int32Array(1 << 16).fill(-1);
    this.isWord = new Uint8Array(4096);
    const ids = new Map<string, number>(ALPHABET.map((c, i) => [c, i] as [string, number]).slice(2));
    let n = 0;
    for (const line of words) {
      const [raw, countStr] = line.split('\t');
      const w = raw.trim();
      if (!w) continue;
      const count = countStr ? Number(countStr) || 0 : 0;
      let node = 0;
      let ok = true;
      for (const ch of w) {
        const id = ids.get(ch);
        if (id === undefined) {
          ok = false;
          break;
        }
        node = this.child(node, id, true);
      }
      if (ok && !this.isWord[node]) {
        this.isWord[node] = 1;
        n++;
      }
      if (ok && count > 0) {
        this.counts.set(node, (this.counts.get(node) ?? 0) + count);
        this.total += count;
      }
    }
    this.size = n;
  }

  /** Smoothed unigram log-probability of the complete word ending at `node`. */
  wordLogProb(node: number): number {
    return Math.log(((this.counts.get(node) ?? 0) + this.alpha) / (this.total + this.alpha * this.size));
  }

  private child(node: number, id: number, create: boolean): number {
    const idx = node * Lexicon.W + id;
    let c = this.next[idx];
    if (c < 0 && create) {
      c = this.nodes++;
      if ((c + 1) * Lexicon.W > this.next.length) {
        const grown = new Int32Array(this.next.length * 2).fill(-1);
        grown.set(this.next);
        this.next = grown;
      }
      if (c >= this.isWord.length) {
        const grown = new Uint8Array(this.isWord.length * 2 + 16);
        grown.set(this.isWord);
        this.isWord = grown;
      }
      this.next[node * Lexicon.W + id] = c;
    }
    return c;
  }

  /** Root node (start of a word). */
  get root(): number {
    return 0;
  }

  /** Node reached by appending character id to the word prefix at `node`, or -1. */
  step(node: number, id: number): number {
    return this.child(node, id, false);
  }

  isComplete(node: number): boolean {
    return this.isWord[node] === 1;
  }

  /**
   * Per node, the best `wordScore` of any complete word at or below it (−Infinity where none): the language-model
   * look-ahead that lets the beam search weigh a partial word by the words it can still become.
   */
  subtreeMax(wordScore: (word: string) => number): Float32Array {
    const best = new Float32Array(this.nodes).fill(-Infinity);
    const order: number[] = [];
    const chars: string[] = new Array(this.nodes);
    const parent = new Int32Array(this.nodes).fill(-1);
    const stack = [0];
    chars[0] = '';
    while (stack.length) {
      const node = stack.pop() as number;
      order.push(node);
      if (this.isWord[node]) best[node] = wordScore(chars[node]);
      for (let id = 2; id < Lexicon.W; id++) {
        const c = this.next[node * Lexicon.W + id];
        if (c >= 0) {
          chars[c] = chars[node] + ALPHABET[id];
          parent[c] = node;
          stack.push(c);
        }
      }
    }
    // children come after their parent in DFS order: fold maxima upwards in reverse
    for (let i = order.length - 1; i > 0; i--) {
      const n = order[i];
      if (best[n] > best[parent[n]]) best[parent[n]] = best[n];
    }
    return best;
  }

  has(word: string): boolean {
    let node = 0;
    for (const ch of word) {
      const id = ALPHABET.indexOf(ch);
      if (id < 2) return false;
      node = this.step(node, id);
      if (node < 0) return false;
    }
    return this.isComplete(node);
  }
}

export interface BeamOptions {
  beamWidth?: number;
  /** restrict words to this list; the last word must be complete too */
  lexicon?: Lexicon;
  /** added to the log score per completed word (tune on val only) */
  wordBonus?: number;
  /**
   * weight of the word language model's log-probability per completed word (0 = off; tune on val only): the n-gram
   * `lm` when given, else the lexicon's unigram counts
   */
  lmWeight?: number;
  /** word n-gram model; its sentence-end probability is added to complete hypotheses */
  lm?: NgramLm;
  /** characters with log-prob below this at a frame are not tried (speed) */
  pruneLogProb?: number;
}

const lookaheadCache = new WeakMap<Lexicon, WeakMap<NgramLm, Float32Array>>();

/** Unigram look-ahead of `lm` over the lexicon's trie (computed once per pair). */
function unigramLookahead(lex: Lexicon, lm: NgramLm): Float32Array {
  let byLm = lookaheadCache.get(lex);
  if (!byLm) lookaheadCache.set(lex, (byLm = new WeakMap()));
  let la = byLm.get(lm);
  if (!la) {
    la = lex.subtreeMax((w) => lm.logProb([], lm.id(w)));
    la[lex.root] = 0;
    byLm.set(lm, la);
  }
  return la;
}

/**
 * A prefix (decoded text so far) is a node of a tree that grows as the search extends it: parent, last character and
 * the word-level state after it. Extending a prefix by a character finds or makes its child, so equal prefixes reached
 * along different paths share one id and their probabilities add up (the prefix beam search's merge).
 */
class PrefixTree {
  parent: number[] = [-1];
  char: number[] = [-1];
  /** lexicon node of the current (partial) word; 0 at a word start */
  node: number[] = [0];
  words: number[] = [0];
  /** accumulated weighted word log-probabilities */
  lm: number[] = [0];
  /** n-gram LM context after the last completed word (shared between prefixes of the same word) */
  ctx: number[][];
  private children = new Map<number, number>();

  constructor(
    startCtx: number[],
    private readonly v: number,
  ) {
    this.ctx = [startCtx];
  }

  child(p: number, c: number, node: number, words: number, lm: number, ctx: number[]): number {
    const key = p * this.v + c;
    let id = this.children.get(key);
    if (id === undefined) {
      id = this.parent.length;
      this.parent.push(p);
      this.char.push(c);
      this.node.push(node);
      this.words.push(words);
      this.lm.push(lm);
      this.ctx.push(ctx);
      this.children.set(key, id);
    }
    return id;
  }

  /** Characters of the word that ends at prefix `p` (back to the previous space). */
  lastWord(p: number, space: number): string {
    let w = '';
    for (let q = p; q > 0 && this.char[q] !== space; q = this.parent[q]) w = ALPHABET[this.char[q]] + w;
    return w;
  }

  text(p: number): string {
    let s = '';
    for (let q = p; q > 0; q = this.parent[q]) s = ALPHABET[this.char[q]] + s;
    return s.trim();
  }
}

function lae(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

/** CTC prefix beam search over log-probs [T,V] (use logSoftmaxRows on logits first). */
export function beamSearchDecode(logProbs: Float32Array, t: number, v: number, opts: BeamOptions = {}): string {
  const width = opts.beamWidth ?? 16;
  const lex = opts.lexicon;
  const ngram = opts.lm;
  const bonus = opts.wordBonus ?? 0;
  const lmw = lex || ngram ? (opts.lmWeight ?? 0) : 0;
  const prune = opts.pruneLogProb ?? Math.log(1e-4);
  const SPACE = 1;
  const keepCtx = ngram ? ngram.order - 1 : 0;
  const tree = new PrefixTree(ngram ? [ngram.startId] : [], v);
  /** LM score and context after the word that ends prefix `p`. */
  const closeWord = (p: number): { lm: number; ctx: number[] } => {
    if (!lmw) return { lm: tree.lm[p], ctx: tree.ctx[p] };
    if (!ngram) return { lm: tree.lm[p] + lmw * (lex as Lexicon).wordLogProb(tree.node[p]), ctx: tree.ctx[p] };
    const w = ngram.id(tree.lastWord(p, SPACE));
    return { lm: tree.lm[p] + lmw * ngram.logProb(tree.ctx[p], w), ctx: [...tree.ctx[p], w].slice(-keepCtx) };
  };
  // with a lexicon and an n-gram LM, a partial word already carries the best unigram score it can still reach
  const la = lex && ngram && lmw ? unigramLookahead(lex, ngram) : null;
  const score = (p: number, pb: number, pnb: number): number =>
    lae(pb, pnb) + bonus * tree.words[p] + tree.lm[p] + (la ? lmw * la[tree.node[p]] : 0);

  // beam: prefix id → [log-prob ending in blank, ... ending in a non-blank]
  let beams = new Map<number, [number, number]>([[0, [0, -Infinity]]]);
  for (let i = 0; i < t; i++) {
    const row = i * v;
    const next = new Map<number, [number, number]>();
    const at = (p: number): [number, number] => {
      let e = next.get(p);
      if (!e) next.set(p, (e = [-Infinity, -Infinity]));
      return e;
    };
    for (const [p, [pb, pnb]] of beams) {
      const total = lae(pb, pnb);
      const sb = at(p); // blank: prefix unchanged
      sb[0] = lae(sb[0], total + logProbs[row + BLANK]);
      const last = tree.char[p];
      for (let c = 1; c < v; c++) {
        const lp = logProbs[row + c];
        if (lp < prune) continue;
        if (c === last) {
          // a repeat without a blank in between collapses into the same prefix
          const same = at(p);
          same[1] = lae(same[1], pnb + lp);
        }
        let node = tree.node[p];
        let words = tree.words[p];
        let lm = tree.lm[p];
        let ctx = tree.ctx[p];
        if (c === SPACE) {
          if (p === 0 || last === SPACE) continue;
          if (lex && !lex.isComplete(node)) continue;
          ({ lm, ctx } = closeWord(p));
          node = 0;
          words++;
        } else if (lex) {
          node = lex.step(node, c);
          if (node < 0) continue;
        }
        const ext = at(tree.child(p, c, node, words, lm, ctx));
        ext[1] = lae(ext[1], (c === last ? pb : total) + lp);
      }
    }
    const ranked = [...next.entries()].map(([p, e]) => ({ p, e, s: score(p, e[0], e[1]) }));
    ranked.sort((x, y) => y.s - x.s);
    beams = new Map(ranked.slice(0, width).map((r) => [r.p, r.e] as [number, [number, number]]));
  }
  let best = -1;
  let bestScore = -Infinity;
  for (const [p, [pb, pnb]] of beams) {
    let words = tree.words[p];
    let lm = tree.lm[p];
    let ctx = tree.ctx[p];
    if (p !== 0 && tree.char[p] !== SPACE) {
      if (lex && !lex.isComplete(tree.node[p])) continue;
      words++;
      ({ lm, ctx } = closeWord(p));
    }
    if (ngram && lmw) lm += lmw * ngram.logProb(ctx, ngram.endId);
    const s = lae(pb, pnb) + bonus * words + lm;
    if (s > bestScore) {
      bestScore = s;
      best = p;
    }
  }
  if (best < 0) return greedyDecode(logProbs, t, v);
  return tree.text(best);
}
