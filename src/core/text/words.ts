/**
 * Minimum-edit alignment of two word sequences, shared by the worker's transcript measurement and the UI's diff
 * view (so the words marked on screen add up to the WER shown). Pure and tfjs-free, outside core/ml so that the UI
 * may import it. Ties prefer a substitution, then a deletion, as editCounts in core/metrics/scores does.
 */
export interface WordAlignment {
  op: 'equal' | 'sub' | 'del' | 'ins';
  /** Null for an insertion. */
  ref: string | null;
  /** Null for a deletion. */
  hyp: string | null;
}

export function alignTokens(ref: readonly string[], hyp: readonly string[]): WordAlignment[] {
  const n = ref.length;
  const m = hyp.length;
  const W = m + 1;
  const d = new Int32Array((n + 1) * W);
  for (let i = 0; i <= n; i++) d[i * W] = i;
  for (let j = 0; j <= m; j++) d[j] = j;
  for (let i = 1; i <= n; i++) {
    for (let j = 1; j <= m; j++) {
      const sub = d[(i - 1) * W + j - 1]! + (ref[i - 1] === hyp[j - 1] ? 0 : 1);
      d[i * W + j] = Math.min(sub, d[(i - 1) * W + j]! + 1, d[i * W + j - 1]! + 1);
    }
  }
  const out: WordAlignment[] = [];
  let i = n;
  let j = m;
  while (i > 0 || j > 0) {
    const same = i > 0 && j > 0 && ref[i - 1] === hyp[j - 1];
    if (i > 0 && j > 0 && d[i * W + j] === d[(i - 1) * W + j - 1]! + (same ? 0 : 1)) {
      out.push({ op: same ? 'equal' : 'sub', ref: ref[i - 1]!, hyp: hyp[j - 1]! });
      i--;
      j--;
    } else if (i > 0 && d[i * W + j] === d[(i - 1) * W + j]! + 1) {
      out.push({ op: 'del', ref: ref[i - 1]!, hyp: null });
      i--;
    } else {
      out.push({ op: 'ins', ref: null, hyp: hyp[j - 1]! });
      j--;
    }
  }
  return out.reverse();
}
