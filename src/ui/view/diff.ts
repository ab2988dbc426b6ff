/**
 * Word-level diff between the original transcript (reference) and the protected one (hypothesis), for the
 * Protect screen. Same minimum-edit alignment as the WER metric, so the marked words add up to the WER shown.
 */
import { alignTokens } from '../../core/text/words';

export type DiffOp =
  | { op: 'same'; ref: string; hyp: string }
  | { op: 'sub'; ref: string; hyp: string }
  | { op: 'del'; ref: string }
  | { op: 'ins'; hyp: string };

export interface WordDiff {
  ops: DiffOp[];
  substitutions: number;
  deletions: number;
  insertions: number;
  /** Words in the reference. */
  refWords: number;
  /** (S + D + I) / N; 0 for two empty texts, 1 when the reference is empty but words were inserted. */
  wer: number;
}

/** ASR output is already lower-case letters, apostrophes and spaces; this only guards against stray case/spacing. */
export function words(text: string): string[] {
  const t = text.toLowerCase().trim();
  return t ? t.split(/\s+/) : [];
}

/** Minimum-edit alignment over words, the same one the worker and the WER metric use. */
export function diffWords(reference: string, hypothesis: string): WordDiff {
  return summarizeOps(fromAlignment(alignTokens(words(reference), words(hypothesis))));
}

/** Counts and WER of a list of ops (from diffWords or from the engine's alignment). */
export function summarizeOps(ops: DiffOp[]): WordDiff {
  const count = (op: DiffOp['op']) => ops.filter((o) => o.op === op).length;
  const substitutions = count('sub');
  const deletions = count('del');
  const insertions = count('ins');
  const refWords = ops.length - insertions;
  const errors = substitutions + deletions + insertions;
  return {
    ops,
    substitutions,
    deletions,
    insertions,
    refWords,
    wer: refWords > 0 ? errors / refWords : errors > 0 ? 1 : 0,
  };
}

/** The engine's word alignment ({ op: 'equal' | 'sub' | 'del' | 'ins', ref, hyp }) as diff ops. */
export function fromAlignment(
  aligned: readonly { op: 'equal' | 'sub' | 'del' | 'ins'; ref: string | null; hyp: string | null }[],
): DiffOp[] {
  return aligned.map((a) => {
    switch (a.op) {
      case 'equal':
        return { op: 'same', ref: a.ref ?? a.hyp ?? '', hyp: a.hyp ?? a.ref ?? '' };
      case 'sub':
        return { op: 'sub', ref: a.ref ?? '', hyp: a.hyp ?? '' };
      case 'del':
        return { op: 'del', ref: a.ref ?? '' };
      case 'ins':
        return { op: 'ins', hyp: a.hyp ?? '' };
    }
  });
}

/** One sentence a screen reader (and a tooltip) can use for the diff. */
export function describeDiff(d: WordDiff): string {
  if (d.refWords === 0 && d.insertions === 0) return 'Both transcripts are empty.';
  const parts = [
    d.substitutions && `${d.substitutions} changed`,
    d.deletions && `${d.deletions} missing`,
    d.insertions && `${d.insertions} added`,
  ].filter(Boolean);
  const kept = d.ops.filter((o) => o.op === 'same').length;
  return `${kept} of ${d.refWords} words unchanged${parts.length ? `; ${parts.join(', ')}` : ''}.`;
}
