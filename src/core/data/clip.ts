/**
 * The one in-memory labelled-clip type: 16 kHz mono samples plus whichever labels the clip has. Evaluator
 * training and scoring (`ml/train.ts`, `ml/fit.ts`) and fine-tuning (`ml/evaluators.ts`) use it or a narrowing
 * of it. Plain data: no tfjs here.
 *
 * (A clip of a dataset that has not been decoded yet is a `ClipRef` in `../evaluation.ts`: a lazy reference, not
 * samples.)
 */

export interface LabelledClip {
  id: string;
  /** 16 kHz mono samples */
  samples: Float32Array;
  /** index into EMOTIONS */
  emotion?: number;
  /** transcript */
  text?: string;
}
