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
import type { AclipseGenerator } from './model';
import type { AclipseTrainConfig } from '../training-config';

/** The frozen evaluators, as differentiable functions of the waveform. */
export interface FrozenEvaluators {
  /** SER logits [B, 4]. */
  ser(wave: tf.Tensor2D, lengths: number[]): tf.Tensor2D;
  /** ASR logits [B, T', V] and the valid output length of each row. */
  asr(wave: tf.Tensor2D, lengths: number[]): { logits: tf.Tensor3D; lengths: number[] };
}

// The config types and the paper's settings are plain data in ../training-config (the UI's presets read them too).
export { PAPER_CONFIG, type AclipseTrainConfig, type StageConfig, type TunedModule } from '../training-config';

export type Stage = 1 | 2;

export interface StepLosses {
  ce: number;
  ctc: number;
  total: number;
}

export interface EvalMetrics {
  wa: number;
  ua: number;
  wer: number;
  cer: number;
  ce: number;
  ctc: number;
  confusion: number[][];
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
  ctc: CtcLossAndGrad;
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

  constructor(
    readonly generator: AclipseGenerator,
    readonly evaluators: FrozenEvaluators,
    readonly config: AclipseTrainConfig,
    options: TrainerOptions = {},
  ) {
    this.readback = options.readback ?? 'async';
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
    const { serLogits, asrLogits, asrLengths } = tf.tidy(() => {
      const y = heard(this.generator.forward(x, lengths, this.config.budgetDb, { training: true, seed }), draw);
      const asr = this.evaluators.asr(y, lengths);
      return { serLogits: this.evaluators.ser(y, lengths), asrLogits: asr.logits, asrLengths: asr.lengths };
    });
    try {
      const ctc = await ctcLossAndGrad(asrLogits, labels, asrLengths, { reduction: 'meanPerLabel' });
      const serValues = (await serLogits.data()) as Float32Array;
      const [b, t, v] = asrLogits.shape;
      const hypotheses: string[] = [];
      for (let i = 0; i < b; i++) hypotheses.push(greedyDecode(ctc.logitValues, asrLengths[i], v, i * t * v));
      return { ctc, ce: 0, predictions: argmaxRows(serValues, b, serLogits.shape[1]), hypotheses };
    } finally {
      tf.dispose([serLogits, asrLogits]);
    }
  }

  /** One pass: the CTC loss is a tf.customGrad that reads the logits with dataSync (wasm/cpu only). */
  private stepSync(stage: Stage, x: tf.Tensor2D, lengths: number[], batch: TrainingClip[], seed: number): StepResult {
    const labels = batch.map((c) => encodeText(c.text));
    const emotions = batch.map((c) => c.emotion);
    let ce = 0;
    let ctc = 0;
    let predictions: number[] = [];
    const hypotheses: string[] = [];
    const draw = eotDrawFor(this.config, seed, batch.length);
    const cost = this.optimizerFor(stage).minimize(
      () => {
        const y = heard(this.generator.forward(x, lengths, this.config.budgetDb, { training: true, seed }), draw);
        const serLogits = this.evaluators.ser(y, lengths);
        predictions = argmaxRows(serLogits.dataSync() as Float32Array, batch.length, serLogits.shape[1]);
        const ceLoss = softmaxCrossEntropy(serLogits, emotions);
        const asr = this.evaluators.asr(y, lengths);
        const ctcLossT = ctcLoss(asr.logits, labels, asr.lengths, { reduction: 'meanPerLabel' });
        const [, t, v] = asr.logits.shape;
        const logitValues = asr.logits.dataSync() as Float32Array;
        batch.forEach((_, i) => hypotheses.push(greedyDecode(logitValues, asr.lengths[i], v, i * t * v)));
        ce = ceLoss.dataSync()[0];
        ctc = ctcLossT.dataSync()[0];
        const ctcTerm =
          stage === 1
            ? tf.mul(ctcLossT, this.config.stage1.lambda1)
            : tf.div(1, tf.mul(tf.maximum(ctcLossT, 1e-6), this.config.stage2.lambda2));
        return tf.add(ceLoss, ctcTerm) as tf.Scalar;
      },
      true,
      this.trainableFor(stage),
    );
    cost?.dispose();
    return { ce, ctc, total: stageLoss(stage, this.config, ce, ctc), predictions, hypotheses };
  }

  /** One optimisation step on a batch. Returns the stage losses measured in pass 1/2. */
  async step(stage: Stage, batch: TrainingClip[], seed: number): Promise<StepResult> {
    const { x, lengths } = padBatch(batch.map((c) => c.samples));
    if (this.readback === 'sync') {
      try {
        return this.stepSync(stage, x, lengths, batch, seed);
      } finally {
        x.dispose();
      }
    }
    try {
      const labels = batch.map((c) => encodeText(c.text));
      const emotions = batch.map((c) => c.emotion);
      const draw = eotDrawFor(this.config, seed, batch.length);
      const p1 = await this.pass1(x, lengths, labels, seed, draw);
      const coef = ctcCoefficient(stage, this.config, p1.ctc.loss);
      const optimizer = this.optimizerFor(stage);
      let ce = 0;
      const ceTensor = optimizer.minimize(
        () => {
          const y = heard(this.generator.forward(x, lengths, this.config.budgetDb, { training: true, seed }), draw);
          const ceLoss = softmaxCrossEntropy(this.evaluators.ser(y, lengths), emotions);
          const asr = this.evaluators.asr(y, lengths);
          const surrogate = ctcSurrogate(asr.logits, p1.ctc);
          // Returning CE + coef·surrogate gives exactly the stage's gradient; CE is read back for the report.
          return tf.add(ceLoss, tf.mul(surrogate, coef)) as tf.Scalar;
        },
        true,
        this.trainableFor(stage),
      );
      if (ceTensor) {
        const total = (await ceTensor.data())[0];
        ceTensor.dispose();
        // total = CE + coef·L_CTC(pass 1): recover CE for the report.
        ce = total - coef * p1.ctc.loss;
      }
      return {
        ce,
        ctc: p1.ctc.loss,
        total: stageLoss(stage, this.config, ce, p1.ctc.loss),
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
    const hyps: string[] = [];
    let ceSum = 0;
    let ctcSum = 0;
    for (const batch of lengthBuckets(clips, batchSize, null, this.maxBatchSamples())) {
      const { x, lengths } = padBatch(batch.map((c) => c.samples));
      const out = tf.tidy(() => {
        const y = this.generator.forward(x, lengths, this.config.budgetDb, { training: false });
        const ser = this.evaluators.ser(y, lengths);
        const asr = this.evaluators.asr(y, lengths);
        return {
          ser,
          ce: softmaxCrossEntropy(
            ser,
            batch.map((c) => c.emotion),
          ),
          logits: asr.logits,
          lengths: asr.lengths,
        };
      });
      x.dispose();
      const ctc = await ctcLossAndGrad(
        out.logits,
        batch.map((c) => encodeText(c.text)),
        out.lengths,
        { reduction: 'meanPerLabel' },
      );
      const serValues = (await out.ser.data()) as Float32Array;
      ceSum += (await out.ce.data())[0] * batch.length;
      ctcSum += ctc.loss * batch.length;
      preds.push(...argmaxRows(serValues, batch.length, out.ser.shape[1]));
      const [, t, v] = out.logits.shape;
      batch.forEach((c, j) => {
        truth.push(c.emotion);
        refs.push(c.text);
        hyps.push(greedyDecode(ctc.logitValues, out.lengths[j], v, j * t * v));
      });
      tf.dispose([out.ser, out.ce, out.logits]);
    }
    return {
      wa: weightedAccuracy(truth, preds),
      ua: unweightedAccuracy(truth, preds, 4),
      wer: wer(refs, hyps).rate,
      cer: cer(refs, hyps).rate,
      ce: ceSum / clips.length,
      ctc: ctcSum / clips.length,
      confusion: confusionMatrix(truth, preds, 4),
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
          losses: { ce: r.ce, ctc: r.ctc, total: r.total },
        });
      }
      const n = subset.length;
      const report: EpochReport = {
        stage,
        epoch,
        epochs: cfg.epochs,
        train: { ce: ce / n, ctc: ctc / n, total: total / n, wa: correct / n, wer: wer(refs, hyps).rate },
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
