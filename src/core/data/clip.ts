/**
 * The one in-memory labelled-clip type: 16 kHz mono samples plus whichever labels the clip has. Evaluator
 * training and scoring (`ml/train.ts`, `ml/fit.ts`), fine-tuning (`ml/evaluators.ts`) and the Aclipse trainer
 * (`aclipse/trainer.ts`) all use it or a narrowing of it. Plain data: no tfjs here.
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

/** A clip with both labels, as the Aclipse trainer needs: an EMOTIONS index and a normalised transcript. */
export type TrainingClip = LabelledClip & Required<Pick<LabelledClip, 'emotion' | 'text'>>;
