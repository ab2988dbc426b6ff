/**
 * The one evaluator training loop, shared by the Node CLI (`scripts/evaluators/trainer.ts`), the in-browser
 * fine-tuning (`Evaluators.fineTune`) and the adaptive attacker of the report (`scripts/eval/report.ts`).
 *
 * Per epoch: length-bucketed batches drawn with that epoch's random stream; per step, in this order: the abort
 * check, the learning rate of the step, augmentation of each clip of the batch (one draw per clip, then the
 * augmentation's own draws, when an augmentation is given), the dropout/SpecAugment seed, one optimizer step, the
 * step callback. Everything a caller does around that (logging, validation, checkpoints, yielding to the event
 * loop) goes in the callbacks.
 */
import type * as tf from '@tensorflow/tfjs';
import { augment as augmentClip, type AugmentConfig } from '../augment';
import type { LabelledClip } from '../data/clip';
import { makeBatches } from './batch';
import { AsrModel, type SerModel } from './models';
import { asrTrainStep, serTrainStep, setLearningRate } from './train';

/** A training clip: a LabelledClip (the id is not needed) with the label its model needs (ASR: text, SER: emotion). */
export type FitClip = Omit<LabelledClip, 'id'>;

export interface FitStep {
  /** 0-based epoch */
  epoch: number;
  /** 0-based index of the batch in the epoch, and the epoch's batch count */
  batch: number;
  batches: number;
  /** steps done so far, this one included (global: counts from the start position) */
  step: number;
  loss: number;
  /** learning rate of this step (undefined without a schedule) */
  lr: number | undefined;
}

export interface FitEpoch {
  /** epochs completed (1-based number of the epoch that just ended) */
  epoch: number;
  /** steps done so far (global) and in this epoch */
  step: number;
  steps: number;
  /** mean training loss of the epoch's steps (NaN when it had none) */
  meanLoss: number;
  /** learning rate of the epoch's last step (undefined without a schedule or steps) */
  lr: number | undefined;
}

export interface FitOptions {
  /** epochs to reach (the loop runs from `start.epoch` to `epochs`) */
  epochs: number;
  /** batching limits: clips per batch, padded samples per batch */
  maxBatch: number;
  maxSamples: number;
  /** the random stream of an epoch (batch order, augmentation, seeds); may return the same stream every time */
  rng: (epoch: number) => () => number;
  /** learning rate as a function of the global step; none: the optimizer's own rate is left alone */
  lr?: (step: number) => number;
  /** augmentation; none: clips go in as they are and no random numbers are drawn for it */
  augment?: AugmentConfig | null;
  /** probability that a clip of a batch is augmented (default 1) */
  augmentProb?: number;
  /** dropout/SpecAugment seed of a step (global step index, 0-based); default: drawn from the epoch's stream */
  seed?: (step: number) => number;
  clipNorm?: number;
  /** SER only */
  labelSmoothing?: number;
  /** ASR only (default 'sync') */
  ctcMode?: 'sync' | 'async';
  /** where to resume: epochs already done and the global step count (default 0, 0) */
  start?: { epoch: number; step: number };
  /** checked before every step (throws its reason, an AbortError unless the caller gave another) */
  signal?: AbortSignal;
  /** after every step (progress, logs; may throw to stop, may await to yield) */
  onStep?: (s: FitStep) => void | Promise<void>;
  /** after every epoch (validation, checkpoints) */
  onEpochEnd?: (e: FitEpoch) => void | Promise<void>;
}

/** Batches per epoch without jitter: what the schedules and progress totals count with. */
export function batchesPerEpoch(
  clips: readonly { samples: Float32Array }[],
  maxBatch: number,
  maxSamples: number,
): number {
  return makeBatches(
    clips.map((c) => c.samples.length),
    maxBatch,
    maxSamples,
  ).length;
}

/** Trains `model` on `clips`; returns the epochs and global steps done and the last step's loss. */
export async function fit(
  model: AsrModel | SerModel,
  optimizer: tf.Optimizer,
  clips: readonly FitClip[],
  opts: FitOptions,
): Promise<{ epoch: number; step: number; loss: number }> {
  const lengths = clips.map((c) => c.samples.length);
  const prob = opts.augmentProb ?? 1;
  let step = opts.start?.step ?? 0;
  let last = NaN;
  let epoch = opts.start?.epoch ?? 0;
  for (; epoch < opts.epochs; epoch++) {
    const rng = opts.rng(epoch);
    const batches = makeBatches(lengths, opts.maxBatch, opts.maxSamples, rng);
    let lossSum = 0;
    let lr: number | undefined;
    for (let bi = 0; bi < batches.length; bi++) {
      opts.signal?.throwIfAborted();
      const idx = batches[bi];
      if (opts.lr) {
        lr = opts.lr(step);
        setLearningRate(optimizer, lr);
      }
      const aug = opts.augment;
      const waves = idx.map((i) => (aug && rng() < prob ? augmentClip(clips[i].samples, rng, aug) : clips[i].samples));
      const seed = opts.seed ? opts.seed(step) : Math.floor(rng() * 2 ** 30);
      const common = { clipNorm: opts.clipNorm, seed };
      last =
        model instanceof AsrModel
          ? (
              await asrTrainStep(
                model,
                optimizer,
                waves,
                idx.map((i) => clips[i].text ?? ''),
                { ...common, ctcMode: opts.ctcMode },
              )
            ).loss
          : (
              await serTrainStep(
                model,
                optimizer,
                waves,
                idx.map((i) => clips[i].emotion ?? 0),
                { ...common, labelSmoothing: opts.labelSmoothing ?? 0 },
              )
            ).loss;
      lossSum += last;
      step++;
      await opts.onStep?.({ epoch, batch: bi, batches: batches.length, step, loss: last, lr });
    }
    await opts.onEpochEnd?.({
      epoch: epoch + 1,
      step,
      steps: batches.length,
      meanLoss: batches.length ? lossSum / batches.length : NaN,
      lr,
    });
  }
  return { epoch, step, loss: last };
}
