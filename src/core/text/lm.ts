/**
 * Word n-gram language model (interpolated Kneser–Ney) for the ASR's beam search, stored in backoff form so a
 * lookup is one or two hash probes per order: every kept n-gram carries its full interpolated log-probability and
 * every context its backoff weight, which together give exactly the interpolated distribution.
 *
 * Count cut-offs prune rare n-grams at training time; the pruned counts' mass moves to the context's backoff weight,
 * so each conditional distribution still sums to one (tested).
 */

export const SENTENCE_START = '<s>';
export const SENTENCE_END = '</s>';

export interface NgramTrainOptions {
  /** highest order (2 = bigram, 3 = trigram) */
  order?: number;
  /** absolute discount of Kneser–Ney */
  discount?: number;
  /** minimum count to keep an n-gram of order ≥ 2, per order from 2 (e.g. [1, 2]: keep all bigrams, trigrams seen twice) */
  minCounts?: number[];
}

/** Serialised form (see toBinary/fromBinary). */
interface Tables {
  order: number;
  vocab: string[];
  /** per order n (index n−1): flattened word ids of each kept n-gram (n ids each) and its log10-free natural log-prob */
  ids: Int32Array[];
  logp: Float32Array[];
  /** per context order n (index n−1, for n < order): flattened context ids and their natural-log backoff weights */
  ctxIds: Int32Array[];
  backoff: Float32Array[];
}

const MAGIC = 0x3252474e; // 'NGR2' (little-endian)
/** bytes that bring a block of n bytes to a 4-byte boundary */
const pad4 = (n: number) => (4 - (n % 4)) % 4;

export class NgramLm {
  readonly order: number;
  readonly vocab: readonly string[];
  private readonly index = new Map<string, number>();
  private readonly V: number;
  /** per order: key(ids) → log-prob */
  private readonly probs: Map<number, number>[] = [];
  /** per context order: key(ids) → log backoff weight */
  private readonly backoffs: Map<number, number>[] = [];
  private readonly unkLogProb: number;
  private readonly tables: Tables;

  private constructor(t: Tables) {
    this.tables = t;
    this.order = t.order;
    this.vocab = t.vocab;
    t.vocab.forEach((w, i) => this.index.set(w, i));
    this.V = t.vocab.length + 1; // + unknown
    for (let n = 1; n <= t.order; n++) {
      const m = new Map<number, number>();
      const ids = t.ids[n - 1],
        lp = t.logp[n - 1];
      for (let i = 0; i < lp.length; i++) m.set(this.key(ids, i * n, n), lp[i]);
      this.probs.push(m);
    }
    for (let n = 1; n < t.order; n++) {
      const m = new Map<number, number>();
      const ids = t.ctxIds[n - 1],
        bo = t.backoff[n - 1];
      for (let i = 0; i < bo.length; i++) m.set(this.key(ids, i * n, n), bo[i]);
      this.backoffs.push(m);
    }
    // the unigram table's leftover mass, spread over the unknown word
    this.unkLogProb = t.logp[0].length ? Math.log(Math.max(1e-12, 1 - sumExp(t.logp[0]))) : Math.log(1 / this.V);
  }

  /** Numeric key of ids[off..off+n) (exact while V^order < 2^53, i.e. any vocabulary below ~200k words at order 3). */
  private key(ids: ArrayLike<number>, off: number, n: number): number {
    let k = 0;
    for (let i = 0; i < n; i++) k = k * this.V + ids[off + i] + 1;
    return k;
  }

  /** Word id, or −1 for a word outside the vocabulary. */
  id(word: string): number {
    return this.index.get(word) ?? -1;
  }

  get startId(): number {
    return this.id(SENTENCE_START);
  }

  get endId(): number {
    return this.id(SENTENCE_END);
  }

  /** Natural-log P(word | context), context = preceding word ids (oldest first; only the last order−1 count). */
  logProb(context: readonly number[], word: number): number {
    const ctx = context.slice(Math.max(0, context.length - (this.order - 1)));
    let bo = 0;
    for (let start = 0; start <= ctx.length; start++) {
      const h = ctx.slice(start);
      if (h.some((x) => x < 0)) continue; // an unknown word in the context: back off past it
      const n = h.length + 1;
      // an unknown word is in no table: it takes every backoff weight down to its unigram share
      const p = word < 0 ? undefined : this.probs[n - 1].get(this.key([...h, word], 0, n));
      if (p !== undefined) return bo + p;
      if (h.length) bo += this.backoffs[h.length - 1].get(this.key(h, 0, h.length)) ?? 0;
    }
    return bo + this.unkLogProb;
  }

  /** Natural-log probability of a whole sentence (words, without markers) including the end marker. */
  sentenceLogProb(words: readonly string[]): number {
    const ctx = [this.startId];
    let s = 0;
    for (const w of [...words.map((x) => this.id(x)), this.endId]) {
      s += this.logProb(ctx, w);
      ctx.push(w);
    }
    return s;
  }

  /** Number of kept n-grams per order. */
  get sizes(): number[] {
    return this.tables.logp.map((a) => a.length);
  }

  /**
   * Trains on tokenised sentences. Kneser–Ney: the highest order uses counts, lower orders use continuation counts
   * (how many distinct words precede the n-gram), all with one absolute discount; the unigram level is add-one over
   * continuation counts, which leaves mass for unknown words.
   */
  static train(sentences: Iterable<readonly string[]>, opts: NgramTrainOptions = {}): NgramLm {
    const order = opts.order ?? 3;
    const D = opts.discount ?? 0.75;
    const minCounts = opts.minCounts ?? [];
    const vocabIndex = new Map<string, number>();
    const vocab: string[] = [];
    const idOf = (w: string): number => {
      let i = vocabIndex.get(w);
      if (i === undefined) {
        i = vocab.length;
        vocab.push(w);
        vocabIndex.set(w, i);
      }
      return i;
    };
    idOf(SENTENCE_START);
    idOf(SENTENCE_END);
    // counts per order, keyed by ids joined with ' '
    const counts: Map<string, number>[] = Array.from({ length: order }, () => new Map());
    for (const sent of sentences) {
      const ids = [idOf(SENTENCE_START), ...sent.map(idOf), idOf(SENTENCE_END)];
      for (let n = 1; n <= order; n++) {
        for (let i = 0; i + n <= ids.length; i++) {
          if (n === 1 && i === 0) continue; // <s> is never predicted
          const k = ids.slice(i, i + n).join(' ');
          counts[n - 1].set(k, (counts[n - 1].get(k) ?? 0) + 1);
        }
      }
    }
    // Kneser–Ney continuation counts for orders < order: N1+(• w_1..w_n)
    const cont: Map<string, number>[] = Array.from({ length: order }, () => new Map());
    for (let n = 2; n <= order; n++) {
      for (const k of counts[n - 1].keys()) {
        const lower = k.slice(k.indexOf(' ') + 1);
        cont[n - 2].set(lower, (cont[n - 2].get(lower) ?? 0) + 1);
      }
    }
    // the counts each order is estimated from; n-grams starting with <s> have no predecessor, so they keep raw counts
    const est: Map<string, number>[] = [];
    for (let n = 1; n <= order; n++) {
      if (n === order) {
        est.push(counts[n - 1]);
        continue;
      }
      const m = new Map<string, number>();
      for (const [k, c] of counts[n - 1]) m.set(k, k.startsWith('0 ') || k === '0' ? c : (cont[n - 1].get(k) ?? c));
      est.push(m);
    }

    const V = vocab.length + 1;
    // unigram: add-one over continuation counts
    const uni = est[0];
    let uniTotal = 0;
    for (const c of uni.values()) uniTotal += c;
    const logpByOrder: Map<string, number>[] = [new Map()];
    for (const [k, c] of uni) logpByOrder[0].set(k, Math.log((c + 1) / (uniTotal + V)));
    const backoffByOrder: Map<string, number>[] = [];
    const lowerLogP = (k: string, n: number): number => {
      // log P of n-gram k (n ids) at order n, backing off as the final model would
      const p = logpByOrder[n - 1].get(k);
      if (p !== undefined) return p;
      if (n === 1) return Math.log(1 / (uniTotal + V));
      const sp = k.indexOf(' ');
      const ctx = k.slice(0, k.lastIndexOf(' '));
      const bo = backoffByOrder[n - 2].get(ctx) ?? 0;
      return bo + lowerLogP(k.slice(sp + 1), n - 1);
    };
    for (let n = 2; n <= order; n++) {
      const min = minCounts[n - 2] ?? 1;
      // per context: total count, kept distinct continuations, pruned count
      const ctxStats = new Map<string, { total: number; kept: number; pruned: number }>();
      for (const [k, c] of est[n - 1]) {
        const ctx = k.slice(0, k.lastIndexOf(' '));
        const s = ctxStats.get(ctx) ?? { total: 0, kept: 0, pruned: 0 };
        s.total += c;
        if (c >= min) s.kept++;
        else s.pruned += c;
        ctxStats.set(ctx, s);
      }
      const bo = new Map<string, number>();
      for (const [ctx, s] of ctxStats) bo.set(ctx, Math.log((D * s.kept + s.pruned) / s.total));
      backoffByOrder.push(bo);
      const lp = new Map<string, number>();
      for (const [k, c] of est[n - 1]) {
        if (c < min) continue;
        const ctx = k.slice(0, k.lastIndexOf(' '));
        const s = ctxStats.get(ctx)!;
        const lower = Math.exp(lowerLogP(k.slice(k.indexOf(' ') + 1), n - 1));
        lp.set(k, Math.log((c - D) / s.total + ((D * s.kept + s.pruned) / s.total) * lower));
      }
      logpByOrder.push(lp);
    }

    const toArrays = (m: Map<string, number>, n: number): { ids: Int32Array; vals: Float32Array } => {
      const ids = new Int32Array(m.size * n);
      const vals = new Float32Array(m.size);
      let i = 0;
      for (const [k, v] of m) {
        k.split(' ').forEach((x, j) => (ids[i * n + j] = Number(x)));
        vals[i++] = v;
      }
      return { ids, vals };
    };
    const t: Tables = { order, vocab, ids: [], logp: [], ctxIds: [], backoff: [] };
    for (let n = 1; n <= order; n++) {
      const a = toArrays(logpByOrder[n - 1], n);
      t.ids.push(a.ids);
      t.logp.push(a.vals);
    }
    for (let n = 1; n < order; n++) {
      // a context none of whose continuations was kept backs off with weight 1 (log 0), the lookup's default
      const kept = new Map([...backoffByOrder[n - 1]].filter(([, v]) => v !== 0));
      const a = toArrays(kept, n);
      t.ctxIds.push(a.ids);
      t.backoff.push(a.vals);
    }
    return new NgramLm(t);
  }

  /**
   * Binary file: u32 magic 'NGR2', u32 order, u32 bytes per word id (2 when the vocabulary fits in 16 bits, else 4),
   * u32 vocab byte length, vocab (UTF-8, '\n'-separated), then per order n: u32 count, ids (n each), log-probs
   * (Float32); then per context order the same for the backoff weights. Every block starts 4-byte aligned.
   */
  toBinary(): Uint8Array {
    const t = this.tables;
    const idBytes = t.vocab.length <= 0xffff ? 2 : 4;
    const vocabBytes = new TextEncoder().encode(t.vocab.join('\n'));
    const blocks: [Int32Array, Float32Array][] = [];
    for (let n = 0; n < t.order; n++) blocks.push([t.ids[n], t.logp[n]]);
    for (let n = 0; n < t.order - 1; n++) blocks.push([t.ctxIds[n], t.backoff[n]]);
    let size = 16 + vocabBytes.length + pad4(vocabBytes.length);
    for (const [ids, vals] of blocks) size += 4 + ids.length * idBytes + pad4(ids.length * idBytes) + vals.byteLength;
    const out = new Uint8Array(size);
    const dv = new DataView(out.buffer);
    dv.setUint32(0, MAGIC, true);
    dv.setUint32(4, t.order, true);
    dv.setUint32(8, idBytes, true);
    dv.setUint32(12, vocabBytes.length, true);
    out.set(vocabBytes, 16);
    let off = 16 + vocabBytes.length + pad4(vocabBytes.length);
    for (const [ids, vals] of blocks) {
      dv.setUint32(off, vals.length, true);
      off += 4;
      const packed = idBytes === 2 ? Uint16Array.from(ids) : ids;
      out.set(new Uint8Array(packed.buffer, packed.byteOffset, packed.byteLength), off);
      off += packed.byteLength + pad4(packed.byteLength);
      out.set(new Uint8Array(vals.buffer, vals.byteOffset, vals.byteLength), off);
      off += vals.byteLength;
    }
    return out;
  }

  static fromBinary(data: ArrayBuffer | Uint8Array): NgramLm {
    const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (bytes.byteLength < 16 || dv.getUint32(0, true) !== MAGIC) throw new Error('not an n-gram LM file');
    const order = dv.getUint32(4, true);
    const idBytes = dv.getUint32(8, true);
    const vlen = dv.getUint32(12, true);
    if (order < 1 || order > 5 || (idBytes !== 2 && idBytes !== 4) || 16 + vlen > bytes.byteLength)
      throw new Error('corrupt n-gram LM file');
    const vocab = new TextDecoder().decode(bytes.subarray(16, 16 + vlen)).split('\n');
    let off = 16 + vlen + pad4(vlen);
    // copies (new Uint8Array(view) copies; a Node Buffer's slice() would not), so offsets need not be aligned
    const copy = (from: number, len: number): ArrayBuffer => new Uint8Array(bytes.subarray(from, from + len)).buffer;
    const read = (n: number): [Int32Array, Float32Array] => {
      if (off + 4 > bytes.byteLength) throw new Error('truncated n-gram LM file');
      const count = dv.getUint32(off, true);
      off += 4;
      const idLen = count * n * idBytes;
      if (off + idLen + pad4(idLen) + count * 4 > bytes.byteLength) throw new Error('truncated n-gram LM file');
      const ids = idBytes === 2 ? Int32Array.from(new Uint16Array(copy(off, idLen))) : new Int32Array(copy(off, idLen));
      off += idLen + pad4(idLen);
      const vals = new Float32Array(copy(off, count * 4));
      off += count * 4;
      return [ids, vals];
    };
    const t: Tables = { order, vocab, ids: [], logp: [], ctxIds: [], backoff: [] };
    for (let n = 1; n <= order; n++) {
      const [ids, vals] = read(n);
      t.ids.push(ids);
      t.logp.push(vals);
    }
    for (let n = 1; n < order; n++) {
      const [ids, vals] = read(n);
      t.ctxIds.push(ids);
      t.backoff.push(vals);
    }
    return new NgramLm(t);
  }
}

function sumExp(a: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.exp(a[i]);
  return s;
}
