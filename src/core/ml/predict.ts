/**
 * Evaluator inference: batched SER and ASR forward passes (async readback, so it runs on WebGPU as well as
 * wasm/cpu), greedy and beam decoding of the ASR's log-probabilities.
 */
import * as tf from '@tensorflow/tfjs';
import { beamSearchDecode, greedyDecode, logSoftmaxRows, type Lexicon } from '../text/decoders';
import type { NgramLm } from '../text/lm';
import type { AsrModel, SerModel } from './models';
import { makeBatches, padBatch } from './batch';

export interface AsrPrediction {
  greedy: string;
  beam?: string;
}

export interface DecodeOptions {
  beamWidth?: number;
  lexicon?: Lexicon;
  wordBonus?: number;
  lmWeight?: number;
  /** word n-gram LM for the beam search (replaces the lexicon's unigram weight) */
  lm?: NgramLm;
  /** also run the beam search (default: when a lexicon or beamWidth is given) */
  beam?: boolean;
}

/** Batched ASR forward (async readback): per-clip log-probabilities [outLength × V], row-major. */
export async function asrLogProbs(
  model: AsrModel,
  clips: Float32Array[],
  opts: { maxBatch?: number; maxSamples?: number } = {},
): Promise<Float32Array[]> {
  const out: Float32Array[] = new Array(clips.length);
  for (const idx of makeBatches(
    clips.map((c) => c.length),
    opts.maxBatch ?? 16,
    opts.maxSamples ?? 16 * 16000 * 8,
  )) {
    const { wave, lengths } = padBatch(idx.map((i) => clips[i]));
    const { logits, outLengths } = model.forward(wave, lengths);
    wave.dispose();
    const [, t, v] = logits.shape;
    const data = (await logits.data()) as Float32Array;
    logits.dispose();
    idx.forEach((ci, b) => (out[ci] = logSoftmaxRows(data, outLengths[b], v, b * t * v)));
  }
  return out;
}

/** Greedy and (optionally) beam decoding of per-clip log-probabilities. */
export function decodeAsr(logProbs: Float32Array[], v: number, opts: DecodeOptions = {}): AsrPrediction[] {
  const useBeam = opts.beam ?? (opts.lexicon !== undefined || opts.beamWidth !== undefined);
  return logProbs.map((lp) => {
    const t = lp.length / v;
    return {
      greedy: greedyDecode(lp, t, v),
      beam: useBeam
        ? beamSearchDecode(lp, t, v, {
            beamWidth: opts.beamWidth,
            lexicon: opts.lexicon,
            lm: opts.lm,
            wordBonus: opts.wordBonus,
            lmWeight: opts.lmWeight,
          })
        : undefined,
    };
  });
}

/** Batched ASR inference with greedy and optional beam decoding. */
export async function predictAsr(
  model: AsrModel,
  clips: Float32Array[],
  opts: DecodeOptions & { maxBatch?: number; maxSamples?: number } = {},
): Promise<AsrPrediction[]> {
  return decodeAsr(await asrLogProbs(model, clips, opts), model.config.vocab, opts);
}

/** Batched SER inference: class probabilities per clip. */
export async function predictSer(
  model: SerModel,
  clips: Float32Array[],
  opts: { maxBatch?: number; maxSamples?: number } = {},
): Promise<Float32Array[]> {
  const out: Float32Array[] = new Array(clips.length);
  const k = model.config.classes;
  for (const idx of makeBatches(
    clips.map((c) => c.length),
    opts.maxBatch ?? 16,
    opts.maxSamples ?? 16 * 16000 * 8,
  )) {
    const { wave, lengths } = padBatch(idx.map((i) => clips[i]));
    const probs = tf.tidy(() => tf.softmax(model.forward(wave, lengths)));
    wave.dispose();
    const data = (await probs.data()) as Float32Array;
    probs.dispose();
    idx.forEach((ci, b) => (out[ci] = data.slice(b * k, (b + 1) * k)));
  }
  return out;
}

export const argmax = (p: ArrayLike<number>): number => {
  let best = 0;
  for (let i = 1; i < p.length; i++) if (p[i] > p[best]) best = i;
  return best;
};
