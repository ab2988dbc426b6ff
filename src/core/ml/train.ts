/**
 * Evaluator training helpers shared by the Node CLI and the in-browser fine-tuning service: one training step per
 * model (sync and async CTC paths), the metrics summary and the learning-rate schedule. Batching lives in
 * `batch.ts`, inference in `predict.ts`.
 */
import * as tf from '@tensorflow/tfjs';
import { ctcLoss, ctcLossAndGrad, ctcSurrogate } from './ctc';
import { cer, confusionMatrix, unweightedAccuracy, wer, weightedAccuracy } from '../metrics/scores';
import type { AsrModel, SerModel } from './models';
import { argmax, type AsrPrediction } from './predict';
import { padBatch } from './batch';
import { encodeText } from '../text/normalize';

export interface StepOptions {
  /** global-norm gradient clipping threshold (0 = off) */
  clipNorm?: number;
  /** 'sync': one pass with the customGrad CTC (wasm/cpu); 'async': two passes, await data() (WebGPU) */
  ctcMode?: 'sync' | 'async';
  /** seed for dropout/SpecAugment masks (the async path needs one; drawn when absent) */
  seed?: number;
  /** label smoothing for the SER cross-entropy */
  labelSmoothing?: number;
}

/** Scales gradients to a maximum global norm without reading anything back. */
function clipGrads(grads: tf.NamedTensorMap, clipNorm: number): tf.NamedTensorMap {
  if (!clipNorm) return grads;
  return tf.tidy(() => {
    const sq = Object.values(grads).map((g) => tf.sum(tf.square(g)));
    const norm = tf.sqrt(tf.addN(sq));
    const scale = tf.div(clipNorm, tf.maximum(norm, clipNorm));
    const out: tf.NamedTensorMap = {};
    for (const [k, g] of Object.entries(grads)) out[k] = tf.mul(g, scale);
    return out;
  });
}

function applyGrads(optimizer: tf.Optimizer, grads: tf.NamedTensorMap, clipNorm: number): void {
  const clipped = clipGrads(grads, clipNorm);
  optimizer.applyGradients(clipped);
  if (clipped !== grads) tf.dispose(Object.values(clipped));
  tf.dispose(Object.values(grads));
}

/** One Adam step of the ASR on a batch; returns the CTC loss (batch mean of per-clip NLL). */
export async function asrTrainStep(
  model: AsrModel,
  optimizer: tf.Optimizer,
  waves: Float32Array[],
  texts: string[],
  opts: StepOptions = {},
): Promise<{ loss: number; infeasible: number }> {
  const labels = texts.map(encodeText);
  const { wave, lengths } = padBatch(waves);
  const vars = model.trainableVariables();
  try {
    const feats = model.features(wave);
    const fl = model.frameLengths(lengths);
    try {
      if ((opts.ctcMode ?? 'sync') === 'sync') {
        let infeasible = 0;
        const { value, grads } = tf.variableGrads(() => {
          const { logits, outLengths } = model.forwardFeatures(feats, fl, { training: true, seed: opts.seed });
          const l = ctcLoss(logits, labels, outLengths);
          infeasible = labels.filter((lab, i) => outLengths[i] < lab.length).length;
          return l;
        }, vars);
        applyGrads(optimizer, grads, opts.clipNorm ?? 0);
        const loss = (await value.data())[0];
        value.dispose();
        return { loss, infeasible };
      }
      const seed = opts.seed ?? Math.floor(Math.random() * 2 ** 30);
      const first = model.forwardFeatures(feats, fl, { training: true, seed });
      const pass1 = await ctcLossAndGrad(first.logits, labels, first.outLengths);
      first.logits.dispose();
      const { value, grads } = tf.variableGrads(() => {
        const { logits } = model.forwardFeatures(feats, fl, { training: true, seed });
        return ctcSurrogate(logits, pass1);
      }, vars);
      value.dispose();
      applyGrads(optimizer, grads, opts.clipNorm ?? 0);
      return { loss: pass1.loss, infeasible: pass1.infeasible };
    } finally {
      feats.dispose();
    }
  } finally {
    wave.dispose();
  }
}

/** One Adam step of the SER on a batch; returns the cross-entropy. */
export async function serTrainStep(
  model: SerModel,
  optimizer: tf.Optimizer,
  waves: Float32Array[],
  emotions: number[],
  opts: StepOptions = {},
): Promise<{ loss: number }> {
  const { wave, lengths } = padBatch(waves);
  const onehot = tf.tidy(() => tf.oneHot(tf.tensor1d(emotions, 'int32'), model.config.classes));
  try {
    const feats = model.features(wave);
    const fl = model.frameLengths(lengths);
    const { value, grads } = tf.variableGrads(() => {
      const logits = model.forwardFeatures(feats, fl, { training: true, seed: opts.seed });
      return tf.losses.softmaxCrossEntropy(onehot, logits, undefined, opts.labelSmoothing ?? 0) as tf.Scalar;
    }, model.trainableVariables());
    feats.dispose();
    applyGrads(optimizer, grads, opts.clipNorm ?? 0);
    const loss = (await value.data())[0];
    value.dispose();
    return { loss };
  } finally {
    wave.dispose();
    onehot.dispose();
  }
}

export interface SerMetrics {
  n: number;
  wa: number;
  ua: number;
  confusion: number[][];
}

export interface AsrMetrics {
  n: number;
  werGreedy: number;
  cerGreedy: number;
  werBeam?: number;
  cerBeam?: number;
}

export function serMetrics(truth: number[], probs: Float32Array[], classes: number): SerMetrics {
  const pred = probs.map(argmax);
  return {
    n: truth.length,
    wa: weightedAccuracy(truth, pred),
    ua: unweightedAccuracy(truth, pred, classes),
    confusion: confusionMatrix(truth, pred, classes),
  };
}

export function asrMetrics(refs: string[], preds: AsrPrediction[]): AsrMetrics {
  const m: AsrMetrics = {
    n: refs.length,
    werGreedy: wer(
      refs,
      preds.map((p) => p.greedy),
    ).rate,
    cerGreedy: cer(
      refs,
      preds.map((p) => p.greedy),
    ).rate,
  };
  if (preds.length && preds.every((p) => p.beam !== undefined)) {
    m.werBeam = wer(
      refs,
      preds.map((p) => p.beam as string),
    ).rate;
    m.cerBeam = cer(
      refs,
      preds.map((p) => p.beam as string),
    ).rate;
  }
  return m;
}

/** Learning rate: linear warm-up then cosine decay to `floor`·peak at `total` steps. */
export function lrAt(step: number, peak: number, warmup: number, total: number, floor = 0.05): number {
  if (step < warmup) return (peak * (step + 1)) / warmup;
  const p = Math.min(1, (step - warmup) / Math.max(1, total - warmup));
  return peak * (floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * p)));
}

/** tfjs keeps Adam's learning rate in a protected field that applyGradients reads on every call. */
export function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  (optimizer as unknown as { learningRate: number }).learningRate = lr;
}
