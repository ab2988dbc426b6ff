/**
 * The two-stage Aclipse trainer (paper §III), shared by `npm run train:aclipse` in Node and the in-browser trainer.
 *
 * Stage 1 trains SO and ER jointly with L1 = L_CE + λ1·L_CTC (λ1 < 0 pushes the frozen ASR's loss up while the
 * frozen SER's cross-entropy stays low). Stage 2 freezes one module (SO in the paper) and tunes the other with
 * L2 = L_CE + exp(−ln(λ2·L_CTC)) = L_CE + 1/(λ2·L_CTC), which rewards a high CTC loss with a vanishing slope so the
 * emotion term dominates.
 *
 * Every step runs in two passes so the same code works on WebGPU, where synchronous readback is slow: pass 1 runs
 * the cascade and both evaluators without gradients, downloads the ASR logits (await, never dataSync) and runs the
 * CTC forward–backward in JS; pass 2 recomputes the cascade under the optimizer with the same dropout seed and
 * uses a surrogate whose gradient w.r.t. the ASR logits is the pass-1 CTC gradient times dLoss/dL_CTC.
 *
 * With `eot` set, the protected batch goes through one random draw of channel transforms (eot.ts) before both
 * evaluators in every training step; the draw is made from the step's seed, so both passes see the same one.
 * Validation (`evaluate`) reads the protected clips as delivered, without transforms.
 *
 * With an `ensemble` of further recognizers, L_CTC is the weighted geometric mean of every recognizer's loss,
 * G = exp(Σ ŵ_k·ln L_k) (weights normalised to sum 1), and the stage objectives apply to G unchanged. Why the
 * geometric mean: the recognizers' CTC losses live on different scales, and stage 1 maximises without a bound, so
 * with a sum or an arithmetic mean the generator could drive one recognizer to an extreme and leave the others
 * reading. ∂G/∂L_k = ŵ_k·G/L_k: each recognizer's pull falls as its own loss rises, so the push goes to the one
 * still reading best, and a weight means a share of *relative* loss increase, independent of each model's scale.
 * With one recognizer G is its loss, so the paper's objective is unchanged.
 */
import * as tf from '@tensorflow/tfjs';
import { throwIfAborted } from '../abort';
import { ctcLoss, ctcLossAndGrad, ctcSurrogate, type CtcLossAndGrad } from '../ml/ctc';
import { greedyDecode } from '../text/decoders';
import { cer, confusionMatrix, unweightedAccuracy, wer, weightedAccuracy } from '../metrics/scores';
import { encodeText } from '../text/normalize';
import type { TrainingClip } from '../data/clip';
import { mulberry32 } from '../data/random';
import { applyEotDraw, sampleEot, type EotDraw } from './eot';
import { activeFrames, cueKeepLoss } from './cuekeep';
import { drawVoice, transformVoice } from '../augment/voice';
import type { AclipseGenerator } from './model';
import type { AclipseTrainConfig } from '../training-config';
import type { AsrModel } from '../ml/models';

export type AsrForward = (wave: tf.Tensor2D, lengths: number[]) => { logits: tf.Tensor3D; lengths: number[] };

/** A trained ASR as a frozen recognizer: inference mode, its logits and output lengths. */
export function frozenAsr(model: AsrModel): AsrForward {
  return (wave, lengths) => {
    const o = model.forward(wave, lengths, { training: false });
    return { logits: o.logits, lengths: o.outLengths };
  };
}

/** A further frozen recognizer the generator is trained against (same character vocabulary as the primary ASR). */
export interface EnsembleAsr {
  name: string;
  /** Its share of the geometric mean of the CTC losses (see the file comment); relative to `asrWeight`. */
  weight: number;
  asr: AsrForward;
}

/** The frozen evaluators, as differentiable functions of the waveform. */
export interface FrozenEvaluators {
  /** SER logits [B, 4]. */
  ser(wave: tf.Tensor2D, lengths: number[]): tf.Tensor2D;
  /** ASR logits [B, T', V] and the valid output length of each row. Its greedy transcripts are the reported WER. */
  asr: AsrForward;
  /** The primary ASR's weight when there is an ensemble (default 1). */
  asrWeight?: number;
  ensemble?: readonly EnsembleAsr[];
}

/** Every recognizer trained against, the primary first, with weights normalised to sum 1. */
export function recognizers(ev: FrozenEvaluators): { name: string; weight: number; asr: AsrForward }[] {
  const all = [{ name: 'asr', weight: ev.asrWeight ?? 1, asr: ev.asr }, ...(ev.ensemble ?? [])];
  const sum = all.reduce((a, r) => a + r.weight, 0);
  if (!(sum > 0) || all.some((r) => !(r.weight >= 0)))
    throw new Error('Recognizer weights must be ≥ 0 with a positive sum');
  return all.map((r) => ({ ...r, weight: r.weight / sum }));
}

/** The combined CTC loss G = exp(Σ ŵ_k·ln L_k); with one recognizer exactly its loss. */
export function combinedCtc(losses: readonly number[], weights: readonly number[]): number {
  if (losses.length === 1) return losses[0];
  let log = 0;
  losses.forEach((l, k) => (log += weights[k] * Math.log(Math.max(l, 1e-6))));
  return Math.exp(log);
}

function combinedCtcTensor(losses: tf.Scalar[], weights: readonly number[]): tf.Scalar {
  if (losses.length === 1) return losses[0];
  const logs = losses.map((l, k) => tf.mul(tf.log(tf.maximum(l, 1e-6)), weights[k]));
  return tf.exp(tf.addN(logs)) as tf.Scalar;
}

// The config types and the paper's settings are plain data in ../training-config (the UI's presets read them too).
export { PAPER_CONFIG, type AclipseTrainConfig, type StageConfig, type TunedModule } from '../training-config';

export type Stage = 1 | 2;

export interface StepLosses {
  ce: number;
  /** With an ensemble, the combined loss G. */
  ctc: number;
  /** The weighted cue-keeping term (with `cueKeep` set); part of `total`. */
  cue?: number;
  total: number;
}

/** One recognizer's reading of the protected validation clips. */
export interface RecognizerMetrics {
  name: string;
  ctc: number;
  /** greedy */
  wer: number;
}

export interface EvalMetrics {
  wa: number;
  ua: number;
  wer: number;
  cer: number;
  ce: number;
  /** The primary's loss, or with an ensemble the combined loss G, mean over clips. */
  ctc: number;
  /** The weighted cue-keeping term, mean over clips (with `cueKeep` set). */
  cue?: number;
  confusion: number[][];
  /** Each recognizer, the primary first (present with an ensemble). */
  recognizers?: RecognizerMetrics[];
}

export interface EpochReport {
  stage: Stage;
  epoch: number;
  epochs: number;
  train: StepLosses & { wa: number; wer: number };
  val?: EvalMetrics;
  seconds: number;
}

export interface StepReport {
  stage: Stage;
  epoch: number;
  step: number;
  steps: number;
  losses: StepLosses;
}

export interface TrainHooks {
  /** Fresh stratified subset for swap number `swapIndex` (0, 1, …). */
  subset(swapIndex: number): Promise<TrainingClip[]>;
  /** Held-out validation clips scored after each epoch (optional). */
  val?: TrainingClip[];
  /** Awaited, so a caller can yield to its event loop (e.g. to receive a cancel message) between steps. */
  onStep?(r: StepReport): void | Promise<void>;
  onEpoch?(r: EpochReport): void | Promise<void>;
  signal?: AbortSignal;
}

/**
 * Output frames CTC needs to emit a transcript: one per character, plus a blank between each pair of equal
 * neighbours ("ll" in "hello"). With fewer frames the alignment is impossible and the loss is meaningless.
 */
export function ctcMinFrames(text: string): number {
  const labels = encodeText(text);
  let repeats = 0;
  for (let i = 1; i < labels.length; i++) if (labels[i] === labels[i - 1]) repeats++;
  return labels.length + repeats;
}

/**
 * Clips are cut to `maxSamples` before training. A clip cut too short for its transcript gives the ASR fewer
 * frames than CTC needs: the loss then says nothing, silently. Returns a message naming the shortest cut that
 * works, or null when every transcript fits. `outputLength` is the frozen ASR's frames for n samples.
 */
export function cropProblem(
  clips: readonly { text: string; samples: number | null }[],
  maxSamples: number,
  outputLength: (samples: number) => number,
  sampleRate = 16000,
): string | null {
  const have = outputLength(maxSamples);
  let worst: { text: string; need: number } | null = null;
  let count = 0;
  for (const c of clips) {
    // A clip no longer than the cut keeps all its audio: not the cut's doing.
    if (c.samples !== null && c.samples <= maxSamples) continue;
    const need = ctcMinFrames(c.text);
    if (need <= have) continue;
    count++;
    if (!worst || need > worst.need) worst = { text: c.text, need };
  }
  if (!worst) return null;
  let seconds = Math.ceil((maxSamples / sampleRate) * 10) / 10;
  while (outputLength(Math.round(seconds * sampleRate)) < worst.need && seconds < 600)
    seconds = Math.round((seconds + 0.1) * 10) / 10;
  return (
    `Clips cut to ${(maxSamples / sampleRate).toFixed(2)} s are too short for ${count} transcript${count === 1 ? '' : 's'}: ` +
    `the speech model then has ${have} frames, but CTC needs one per character plus one between doubled letters ` +
    `(“${worst.text}” needs ${worst.need}), so its loss would mean nothing. Set “Cut clips at” to at least ${seconds.toFixed(1)} s.`
  );
}

/** Stacks clips into a zero-padded [B, N] batch. */
export function padBatch(waves: Float32Array[]): { x: tf.Tensor2D; lengths: number[] } {
  const lengths = waves.map((w) => w.length);
  const n = Math.max(...lengths);
  const data = new Float32Array(waves.length * n);
  waves.forEach((w, i) => data.set(w, i * n));
  return { x: tf.tensor2d(data, [waves.length, n]), lengths };
}

export const DEFAULT_MAX_BATCH_SECONDS = 24;

/**
 * Batches of similar length (less padding), at most `batchSize` clips and `maxSamples` padded samples each, in a
 * seeded random order (no shuffle without `rand`).
 */
export function lengthBuckets<T extends { samples: Float32Array }>(
  clips: T[],
  batchSize: number,
  rand: (() => number) | null,
  maxSamples = DEFAULT_MAX_BATCH_SECONDS * 16000,
): T[][] {
  const sorted = clips.slice().sort((a, b) => a.samples.length - b.samples.length);
  const batches: T[][] = [];
  let cur: T[] = [];
  for (const c of sorted) {
    // Sorted ascending, so the new clip is the longest: the padded size is (count + 1) × its length.
    if (cur.length > 0 && (cur.length >= batchSize || (cur.length + 1) * c.samples.length > maxSamples)) {
      batches.push(cur);
      cur = [];
    }
    cur.push(c);
  }
  if (cur.length) batches.push(cur);
  if (!rand) return batches;
  for (let i = batches.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [batches[i], batches[j]] = [batches[j], batches[i]];
  }
  return batches;
}

/** The EOT draw of the training step with this seed (null with EOT off): both passes of a step call this. */
export function eotDrawFor(cfg: AclipseTrainConfig, seed: number, batch: number): EotDraw | null {
  // Its own stream, apart from the generator's dropout seed, so turning EOT on leaves the dropout masks as they were.
  return cfg.eot ? sampleEot(mulberry32((seed ^ 0x5bd1e995) >>> 0), cfg.eot, batch) : null;
}

/** The budget of the training step with this seed: `budgetDb`, or a draw from `budgetRangeDb`. */
export function stepBudgetDb(cfg: AclipseTrainConfig, seed: number): number {
  const range = cfg.budgetRangeDb;
  if (!range) return cfg.budgetDb;
  // Its own stream again (see eotDrawFor), so a budget range leaves dropout masks and EOT draws as they were.
  return range[0] + (range[1] - range[0]) * mulberry32((seed ^ 0x2545f491) >>> 0)();
}

/**
 * The step's input waves: the clips as recorded, or with `inputVoice` each (with its probability) as another voice
 * of itself. Drawn from the step's seed in a stream of its own, so both passes of a step get the same inputs and
 * turning it on leaves dropout, EOT and budget draws as they were.
 */
export function stepInputs(cfg: AclipseTrainConfig, batch: readonly TrainingClip[], seed: number): Float32Array[] {
  const iv = cfg.inputVoice;
  if (!iv || iv.prob <= 0) return batch.map((c) => c.samples);
  const rng = mulberry32((seed ^ 0x68e31da5) >>> 0);
  return batch.map((c) => {
    const on = rng() < iv.prob;
    const voice = drawVoice(rng, iv.voice);
    return on ? transformVoice(c.samples, voice) : c.samples;
  });
}

/** What the evaluators hear: the protected batch, through the step's EOT draw when there is one. */
function heard(y: tf.Tensor2D, draw: EotDraw | null): tf.Tensor2D {
  return draw ? applyEotDraw(y, draw) : y;
}

/** dLoss/dL_CTC for the stage's objective, at the measured CTC loss. */
export function ctcCoefficient(stage: Stage, cfg: AclipseTrainConfig, ctc: number): number {
  if (stage === 1) return cfg.stage1.lambda1;
  const l2 = cfg.stage2.lambda2;
  const safe = Math.max(ctc, 1e-6);
  return -1 / (l2 * safe * safe);
}

/** The stage's objective value from its parts (what the paper writes down). */
export function stageLoss(stage: Stage, cfg: AclipseTrainConfig, ce: number, ctc: number): number {
  if (stage === 1) return ce + cfg.stage1.lambda1 * ctc;
  return ce + Math.exp(-Math.log(cfg.stage2.lambda2 * Math.max(ctc, 1e-6)));
}

function softmaxCrossEntropy(logits: tf.Tensor2D, labels: number[]): tf.Scalar {
  const oneHot = tf.oneHot(tf.tensor1d(labels, 'int32'), logits.shape[1]);
  return tf.losses.softmaxCrossEntropy(oneHot, logits) as tf.Scalar;
}

function argmaxRows(values: Float32Array, rows: number, cols: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < cols; c++) if (values[r * cols + c] > values[r * cols + best]) best = c;
    out.push(best);
  }
  return out;
}

type StepResult = StepLosses & { predictions: number[]; hypotheses: string[] };

interface Pass1 {
  /** one per recognizer, the primary first */
  ctc: CtcLossAndGrad[];
  ce: number;
  predictions: number[];
  hypotheses: string[];
}

/**
 * Runs the two stages (or one of them) and reports progress. Holds the optimizer so a cancelled run can resume
 * from the next epoch with `resumeFrom`.
 */
export interface TrainerOptions {
  /**
   * 'async' (default) never reads tensors synchronously: two passes per step, safe on WebGPU. 'sync' does one pass
   * with a dataSync-based CTC customGrad: ~1/3 less work, for wasm/cpu (Node scripts).
   */
  readback?: 'async' | 'sync';
}

export class AclipseTrainer {
  private optimizer: tf.Optimizer | null = null;
  private optimizerStage: Stage | null = null;
  private readonly readback: 'async' | 'sync';
  private readonly members: ReturnType<typeof recognizers>;
  /** the members' normalised weights, in member order */
  private readonly weights: number[];

  constructor(
    readonly generator: AclipseGenerator,
    readonly evaluators: FrozenEvaluators,
    readonly config: AclipseTrainConfig,
    options: TrainerOptions = {},
  ) {
    this.readback = options.readback ?? 'async';
    this.members = recognizers(evaluators);
    this.weights = this.members.map((m) => m.weight);
  }

  /** The weighted cue-keeping term of a protected batch; undefined with `cueKeep` off. */
  private cueTerm(input: tf.Tensor2D, protectedWave: tf.Tensor2D, mask: Float32Array | null): tf.Scalar | undefined {
    const cfg = this.config.cueKeep;
    if (!cfg || !mask) return undefined;
    const parts = cueKeepLoss(input, protectedWave, mask, cfg);
    tf.dispose([parts.pitch, parts.tilt, parts.level]);
    return parts.total;
  }

  /** The stage loss plus the cue term, and the term itself for the report. */
  private withCue(stageTotal: number, cue: number | undefined): { total: number; cue?: number } {
    return cue === undefined ? { total: stageTotal } : { total: stageTotal + cue, cue };
  }

  private maxBatchSamples(): number {
    return (this.config.maxBatchSeconds ?? DEFAULT_MAX_BATCH_SECONDS) * 16000;
  }

  /** Variables the stage updates; the other module is frozen by leaving it out of the var list. */
  trainableFor(stage: Stage): tf.Variable[] {
    if (stage === 1) return [...this.generator.variables('so'), ...this.generator.variables('er')];
    return this.generator.variables(this.config.stage2.tune);
  }

  private optimizerFor(stage: Stage): tf.Optimizer {
    if (!this.optimizer || this.optimizerStage !== stage) {
      this.optimizer?.dispose();
      const lr = stage === 1 ? this.config.stage1.learningRate : this.config.stage2.learningRate;
      this.optimizer = tf.train.adam(lr);
      this.optimizerStage = stage;
    }
    return this.optimizer;
  }

  private async pass1(
    x: tf.Tensor2D,
    lengths: number[],
    labels: number[][],
    seed: number,
    draw: EotDraw | null,
  ): Promise<Pass1> {
    const { serLogits, asrs } = tf.tidy(() => {
      const y = heard(
        this.generator.forward(x, lengths, stepBudgetDb(this.config, seed), { training: true, seed }),
        draw,
      );
      return { serLogits: this.evaluators.ser(y, lengths), asrs: this.members.map((m) => m.asr(y, lengths)) };
    });
    try {
      const ctc: CtcLossAndGrad[] = [];
      for (const a of asrs) ctc.push(await ctcLossAndGrad(a.logits, labels, a.lengths, { reduction: 'meanPerLabel' }));
      const serValues = (await serLogits.data()) as Float32Array;
      const [b, t, v] = asrs[0].logits.shape;
      const hypotheses: string[] = [];
      for (let i = 0; i < b; i++) hypotheses.push(greedyDecode(ctc[0].logitValues, asrs[0].lengths[i], v, i * t * v));
      return { ctc, ce: 0, predictions: argmaxRows(serValues, b, serLogits.shape[1]), hypotheses };
    } finally {
      tf.dispose([serLogits, ...asrs.map((a) => a.logits)]);
    }
  }

  /** One pass: the CTC loss is a tf.customGrad that reads the logits with dataSync (wasm/cpu only). */
  private stepSync(
    stage: Stage,
    x: tf.Tensor2D,
    lengths: number[],
    batch: TrainingClip[],
    seed: number,
    cueMask: Float32Array | null,
  ): StepResult {
    const labels = batch.map((c) => encodeText(c.text));
    const emotions = batch.map((c) => c.emotion);
    let ce = 0;
    let ctc = 0;
    let cue: number | undefined;
    let predictions: number[] = [];
    const hypotheses: string[] = [];
    const draw = eotDrawFor(this.config, seed, batch.length);
    const cost = this.optimizerFor(stage).minimize(
      () => {
        const protectedWave = this.generator.forward(x, lengths, stepBudgetDb(this.config, seed), {
          training: true,
          seed,
        });
        const y = heard(protectedWave, draw);
        const serLogits = this.evaluators.ser(y, lengths);
        predictions = argmaxRows(serLogits.dataSync() as Float32Array, batch.length, serLogits.shape[1]);
        const ceLoss = softmaxCrossEntropy(serLogits, emotions);
        const asrs = this.members.map((m) => m.asr(y, lengths));
        const losses = asrs.map((a) => ctcLoss(a.logits, labels, a.lengths, { reduction: 'meanPerLabel' }));
        const ctcLossT = combinedCtcTensor(losses, this.weights);
        const [, t, v] = asrs[0].logits.shape;
        const logitValues = asrs[0].logits.dataSync() as Float32Array;
        batch.forEach((_, i) => hypotheses.push(greedyDecode(logitValues, asrs[0].lengths[i], v, i * t * v)));
        ce = ceLoss.dataSync()[0];
        ctc = ctcLossT.dataSync()[0];
        const ctcTerm =
          stage === 1
            ? tf.mul(ctcLossT, this.config.stage1.lambda1)
            : tf.div(1, tf.mul(tf.maximum(ctcLossT, 1e-6), this.config.stage2.lambda2));
        const cueT = this.cueTerm(x, protectedWave, cueMask);
        if (!cueT) return tf.add(ceLoss, ctcTerm) as tf.Scalar;
        cue = cueT.dataSync()[0];
        return tf.addN([ceLoss, ctcTerm, cueT]) as tf.Scalar;
      },
      true,
      this.trainableFor(stage),
    );
    cost?.dispose();
    return { ce, ctc, ...this.withCue(stageLoss(stage, this.config, ce, ctc), cue), predictions, hypotheses };
  }

  /** One optimisation step on a batch. Returns the stage losses measured in pass 1/2. */
  async step(stage: Stage, batch: TrainingClip[], seed: number): Promise<StepResult> {
    const inputs = stepInputs(this.config, batch, seed);
    const { x, lengths } = padBatch(inputs);
    const cueMask = this.config.cueKeep ? activeFrames(inputs, x.shape[1]) : null;
    if (this.readback === 'sync') {
      try {
        return this.stepSync(stage, x, lengths, batch, seed, cueMask);
      } finally {
        x.dispose();
      }
    }
    try {
      const labels = batch.map((c) => encodeText(c.text));
      const emotions = batch.map((c) => c.emotion);
      const draw = eotDrawFor(this.config, seed, batch.length);
      const p1 = await this.pass1(x, lengths, labels, seed, draw);
      const weights = this.weights;
      const losses = p1.ctc.map((c) => c.loss);
      const g = combinedCtc(losses, weights);
      // dLoss/dL_k = dLoss/dG · ŵ_k·G/L_k (exactly dLoss/dG with one recognizer).
      const coefs = losses.map(
        (l, k) =>
          ctcCoefficient(stage, this.config, g) * (losses.length === 1 ? 1 : (weights[k] * g) / Math.max(l, 1e-6)),
      );
      const optimizer = this.optimizerFor(stage);
      let ce = 0;
      // The cue term needs no pass-1 value (its gradient is plain autograd): kept out of pass 2 and read once.
      let cueKept: tf.Scalar | undefined;
      const ceTensor = optimizer.minimize(
        () => {
          const protectedWave = this.generator.forward(x, lengths, stepBudgetDb(this.config, seed), {
            training: true,
            seed,
          });
          const y = heard(protectedWave, draw);
          const ceLoss = softmaxCrossEntropy(this.evaluators.ser(y, lengths), emotions);
          const terms = this.members.map((m, k) => tf.mul(ctcSurrogate(m.asr(y, lengths).logits, p1.ctc[k]), coefs[k]));
          cueKept = this.cueTerm(x, protectedWave, cueMask);
          if (cueKept) terms.push(tf.keep(cueKept));
          // Returning CE + Σ coef_k·surrogate_k (+ cue) gives exactly the stage's gradient; CE is read back for the
          // report.
          return tf.add(ceLoss, tf.addN(terms)) as tf.Scalar;
        },
        true,
        this.trainableFor(stage),
      );
      const cue = cueKept ? (await cueKept.data())[0] : undefined;
      cueKept?.dispose();
      if (ceTensor) {
        const total = (await ceTensor.data())[0];
        ceTensor.dispose();
        // total = CE + Σ coef_k·L_k(pass 1) (+ cue): recover CE for the report.
        ce = total - coefs.reduce((a, c, k) => a + c * losses[k], 0) - (cue ?? 0);
      }
      return {
        ce,
        ctc: g,
        ...this.withCue(stageLoss(stage, this.config, ce, g), cue),
        predictions: p1.predictions,
        hypotheses: p1.hypotheses,
      };
    } finally {
      x.dispose();
    }
  }

  /** Protects clips with the current weights (no dropout) and scores the frozen evaluators on them. */
  async evaluate(clips: TrainingClip[], batchSize = this.config.batchSize): Promise<EvalMetrics> {
    const truth: number[] = [];
    const preds: number[] = [];
    const refs: string[] = [];
    const hyps: string[][] = this.members.map(() => []);
    const memberCtc = this.members.map(() => 0);
    let ceSum = 0;
    let ctcSum = 0;
    let cueSum = 0;
    for (const batch of lengthBuckets(clips, batchSize, null, this.maxBatchSamples())) {
      const waves = batch.map((c) => c.samples);
      const { x, lengths } = padBatch(waves);
      const cueMask = this.config.cueKeep ? activeFrames(waves, x.shape[1]) : null;
      const out = tf.tidy(() => {
        const y = this.generator.forward(x, lengths, this.config.budgetDb, { training: false });
        const ser = this.evaluators.ser(y, lengths);
        return {
          ser,
          cue: this.cueTerm(x, y, cueMask),
          ce: softmaxCrossEntropy(
            ser,
            batch.map((c) => c.emotion),
          ),
          asrs: this.members.map((m) => m.asr(y, lengths)),
        };
      });
      x.dispose();
      const labels = batch.map((c) => encodeText(c.text));
      const losses: number[] = [];
      for (let k = 0; k < out.asrs.length; k++) {
        const a = out.asrs[k];
        const ctc = await ctcLossAndGrad(a.logits, labels, a.lengths, { reduction: 'meanPerLabel' });
        losses.push(ctc.loss);
        memberCtc[k] += ctc.loss * batch.length;
        const [, t, v] = a.logits.shape;
        batch.forEach((_, j) => hyps[k].push(greedyDecode(ctc.logitValues, a.lengths[j], v, j * t * v)));
      }
      const serValues = (await out.ser.data()) as Float32Array;
      ceSum += (await out.ce.data())[0] * batch.length;
      if (out.cue) cueSum += (await out.cue.data())[0] * batch.length;
      ctcSum += combinedCtc(losses, this.weights) * batch.length;
      preds.push(...argmaxRows(serValues, batch.length, out.ser.shape[1]));
      batch.forEach((c) => {
        truth.push(c.emotion);
        refs.push(c.text);
      });
      tf.dispose([out.ser, out.ce, ...out.asrs.map((a) => a.logits), ...(out.cue ? [out.cue] : [])]);
    }
    return {
      wa: weightedAccuracy(truth, preds),
      ua: unweightedAccuracy(truth, preds, 4),
      wer: wer(refs, hyps[0]).rate,
      cer: cer(refs, hyps[0]).rate,
      ce: ceSum / clips.length,
      ctc: ctcSum / clips.length,
      ...(this.config.cueKeep ? { cue: cueSum / clips.length } : {}),
      confusion: confusionMatrix(truth, preds, 4),
      ...(this.members.length > 1
        ? {
            recognizers: this.members.map((m, k) => ({
              name: m.name,
              ctc: memberCtc[k] / clips.length,
              wer: wer(refs, hyps[k]).rate,
            })),
          }
        : {}),
    };
  }

  /**
   * Runs `stage` from `startEpoch` (0-based) to its configured number of epochs. Cancellation is checked between
   * steps; a cancelled run throws an AbortError ('Training cancelled') and can be resumed from the last reported epoch.
   */
  async runStage(stage: Stage, hooks: TrainHooks, startEpoch = 0): Promise<EpochReport[]> {
    const cfg = stage === 1 ? this.config.stage1 : this.config.stage2;
    const reports: EpochReport[] = [];
    let subset: TrainingClip[] = [];
    let subsetIndex = -1;
    for (let epoch = startEpoch; epoch < cfg.epochs; epoch++) {
      const t0 = performance.now();
      const swapIndex = Math.floor(epoch / this.config.swapEvery) + (stage === 2 ? 1_000_000 : 0);
      if (swapIndex !== subsetIndex) {
        subset = await hooks.subset(swapIndex);
        subsetIndex = swapIndex;
      }
      const rand = mulberry32(this.config.seed * 100_003 + stage * 10_007 + epoch);
      const batches = lengthBuckets(subset, this.config.batchSize, rand, this.maxBatchSamples());
      let ce = 0;
      let ctc = 0;
      let cue = 0;
      let total = 0;
      let correct = 0;
      const refs: string[] = [];
      const hyps: string[] = [];
      for (let s = 0; s < batches.length; s++) {
        throwIfAborted(hooks.signal, 'Training cancelled');
        const batch = batches[s];
        const r = await this.step(stage, batch, this.config.seed * 1_000_003 + stage * 100_019 + epoch * 1009 + s);
        ce += r.ce * batch.length;
        ctc += r.ctc * batch.length;
        cue += (r.cue ?? 0) * batch.length;
        total += r.total * batch.length;
        batch.forEach((c, i) => {
          if (r.predictions[i] === c.emotion) correct++;
          refs.push(c.text);
          hyps.push(r.hypotheses[i]);
        });
        await hooks.onStep?.({
          stage,
          epoch,
          step: s,
          steps: batches.length,
          losses: { ce: r.ce, ctc: r.ctc, ...(r.cue === undefined ? {} : { cue: r.cue }), total: r.total },
        });
      }
      const n = subset.length;
      const report: EpochReport = {
        stage,
        epoch,
        epochs: cfg.epochs,
        train: {
          ce: ce / n,
          ctc: ctc / n,
          ...(this.config.cueKeep ? { cue: cue / n } : {}),
          total: total / n,
          wa: correct / n,
          wer: wer(refs, hyps).rate,
        },
        seconds: 0,
      };
      if (hooks.val && hooks.val.length > 0) {
        throwIfAborted(hooks.signal, 'Training cancelled');
        report.val = await this.evaluate(hooks.val);
      }
      report.seconds = (performance.now() - t0) / 1000;
      reports.push(report);
      await hooks.onEpoch?.(report);
    }
    return reports;
  }

  /** Adam's state (moments in var-list order), so a run can resume exactly after a restart. */
  async exportOptimizerState(): Promise<{ stage: Stage; weights: { name: string; tensor: tf.Tensor }[] } | null> {
    if (!this.optimizer || this.optimizerStage === null) return null;
    return { stage: this.optimizerStage, weights: await this.optimizer.getWeights() };
  }

  async importOptimizerState(stage: Stage, weights: { name: string; tensor: tf.Tensor }[]): Promise<void> {
    await this.optimizerFor(stage).setWeights(weights);
  }

  dispose(): void {
    this.optimizer?.dispose();
    this.optimizer = null;
  }
}
