/** Evaluation metrics as pure functions: WER/CER (Levenshtein with S/D/I), WA, UA, confusion matrix. */
import { normalizeText } from '../text/normalize';

export interface EditCounts {
  substitutions: number;
  deletions: number;
  insertions: number;
  /** reference length (words or characters) */
  refLength: number;
}

/** Minimum edit alignment between ref and hyp sequences; ties prefer substitution, then deletion. */
export function editCounts<T>(ref: readonly T[], hyp: readonly T[]): EditCounts {
  const n = ref.length,
    m = hyp.length;
  const d = new Int32Array((n + 1) * (m + 1));
  const W = m + 1;
  for (let i = 0; i <= n; i++) d[i * W] = i;
  for (let j = 0; j <= m; j++) d[j] = j;
  for (let i = 1; i <= n; i++) {
    for (let j = 1; j <= m; j++) {
      const sub = d[(i - 1) * W + j - 1] + (ref[i - 1] === hyp[j - 1] ? 0 : 1);
      d[i * W + j] = Math.min(sub, d[(i - 1) * W + j] + 1, d[i * W + j - 1] + 1);
    }
  }
  let i = n,
    j = m,
    s = 0,
    del = 0,
    ins = 0;
  while (i > 0 || j > 0) {
    if (i > 0 && j > 0 && d[i * W + j] === d[(i - 1) * W + j - 1] + (ref[i - 1] === hyp[j - 1] ? 0 : 1)) {
      if (ref[i - 1] !== hyp[j - 1]) s++;
      i--;
      j--;
    } else if (i > 0 && d[i * W + j] === d[(i - 1) * W + j] + 1) {
      del++;
      i--;
    } else {
      ins++;
      j--;
    }
  }
  return { substitutions: s, deletions: del, insertions: ins, refLength: n };
}

export interface ErrorRate extends EditCounts {
  /** (S + D + I) / N over the whole set (0 when N = 0 and there are no insertions) */
  rate: number;
}

function aggregate(pairs: EditCounts[]): ErrorRate {
  const t = pairs.reduce(
    (a, c) => ({
      substitutions: a.substitutions + c.substitutions,
      deletions: a.deletions + c.deletions,
      insertions: a.insertions + c.insertions,
      refLength: a.refLength + c.refLength,
    }),
    { substitutions: 0, deletions: 0, insertions: 0, refLength: 0 },
  );
  const errors = t.substitutions + t.deletions + t.insertions;
  return { ...t, rate: t.refLength > 0 ? errors / t.refLength : errors > 0 ? 1 : 0 };
}

const words = (s: string): string[] => {
  const n = normalizeText(s);
  return n ? n.split(' ') : [];
};

/** Corpus-level word error rate (texts are normalised first). */
export function wer(refs: readonly string[], hyps: readonly string[]): ErrorRate {
  if (refs.length !== hyps.length) throw new Error('wer: length mismatch');
  return aggregate(refs.map((r, i) => editCounts(words(r), words(hyps[i]))));
}

/** Corpus-level character error rate over normalised texts (spaces count as characters). */
export function cer(refs: readonly string[], hyps: readonly string[]): ErrorRate {
  if (refs.length !== hyps.length) throw new Error('cer: length mismatch');
  return aggregate(refs.map((r, i) => editCounts([...normalizeText(r)], [...normalizeText(hyps[i])])));
}

/** confusion[true][pred] counts. */
export function confusionMatrix(truth: readonly number[], pred: readonly number[], numClasses: number): number[][] {
  if (truth.length !== pred.length) throw new Error('confusionMatrix: length mismatch');
  const m = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  truth.forEach((t, i) => m[t][pred[i]]++);
  return m;
}

/** Weighted accuracy: overall fraction correct. */
export function weightedAccuracy(truth: readonly number[], pred: readonly number[]): number {
  if (truth.length !== pred.length) throw new Error('weightedAccuracy: length mismatch');
  if (truth.length === 0) return 0;
  let ok = 0;
  truth.forEach((t, i) => (ok += t === pred[i] ? 1 : 0));
  return ok / truth.length;
}

/** Unweighted accuracy: mean per-class recall over classes that occur in `truth`. */
export function unweightedAccuracy(truth: readonly number[], pred: readonly number[], numClasses: number): number {
  const m = confusionMatrix(truth, pred, numClasses);
  let sum = 0,
    n = 0;
  for (let c = 0; c < numClasses; c++) {
    const total = m[c].reduce((a, b) => a + b, 0);
    if (total > 0) {
      sum += m[c][c] / total;
      n++;
    }
  }
  return n ? sum / n : 0;
}
