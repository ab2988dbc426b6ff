/**
 * The Aclipse generator: two cascaded modules, SO (semantics-obfuscating) then ER (emotion-retaining).
 *
 * Each module reads the STFT of its input with frequency bins as channels (the paper's "channel-level attention"
 * then literally weighs frequency bands), runs 1-D convolutions over time with dropout, squeeze-and-excitation
 * channel attention and ReLU, and writes back a bounded complex mask plus a bounded additive term on the same
 * spectrum. Working on 32 ms frames at a 16 ms hop instead of raw samples makes the generator ~250× cheaper than a
 * waveform-rate conv stack, so it runs far faster than real time on wasm.
 *
 * The perturbation budget is enforced by construction: the final residual y − x is projected onto the L2 ball
 * ‖y − x‖ ≤ 10^(−SNR/20)·‖x‖ per clip, so every output meets the user's minimum SNR whatever the weights are.
 */
import * as tf from '@tensorflow/tfjs';
import { BUDGET_MARGIN, budgetRatio } from '../budget';
import { mulberry32 } from '../data/random';
import { PR_BINS, PR_HOP, prIstft, prStft, type Spectrum } from './spectral';

export interface ModuleConfig {
  /** Hidden channels of the conv stack. */
  hidden: number;
  /** Temporal kernel size of each conv (odd). */
  kernel: number;
  /** Number of hidden conv layers after the input conv. */
  layers: number;
  /** Squeeze-and-excitation bottleneck reduction. */
  seReduction: number;
  /** Dropout rate during training. */
  dropout: number;
  /** Bound on the complex mask |a|,|b| ≤ maskScale (mask = 1 + a + i·b). */
  maskScale: number;
  /** Bound on the additive term relative to the frame's mean magnitude. */
  addScale: number;
}

export const DEFAULT_MODULE_CONFIG: ModuleConfig = {
  hidden: 96,
  kernel: 5,
  layers: 1,
  seReduction: 8,
  dropout: 0.1,
  maskScale: 1,
  addScale: 1,
};

export type ModuleName = 'so' | 'er';
export type ModuleWeights = Record<string, tf.Variable>;

function heNormal(rand: () => number, fanIn: number, shape: number[], gain = 1): tf.Tensor {
  const size = shape.reduce((p, d) => p * d, 1);
  const out = new Float32Array(size);
  const std = gain * Math.sqrt(2 / fanIn);
  for (let i = 0; i < size; i += 2) {
    const u1 = Math.max(rand(), 1e-12);
    const u2 = rand();
    const r = Math.sqrt(-2 * Math.log(u1));
    out[i] = r * Math.cos(2 * Math.PI * u2) * std;
    if (i + 1 < size) out[i + 1] = r * Math.sin(2 * Math.PI * u2) * std;
  }
  return tf.tensor(out, shape);
}

/** Creates one module's variables. The output head starts at zero, so a fresh generator is the identity. */
export function createModuleWeights(cfg: ModuleConfig, seed: number): ModuleWeights {
  const rand = mulberry32(seed);
  const h = cfg.hidden;
  const seIn = Math.max(4, Math.round(PR_BINS / cfg.seReduction));
  const seHid = Math.max(4, Math.round(h / cfg.seReduction));
  const w: ModuleWeights = {};
  const v = (key: string, t: tf.Tensor) => {
    // Unnamed: tfjs variable names are global, and the app holds several generators at once (shipped, trained).
    w[key] = tf.variable(t, true);
    t.dispose();
  };
  v('attnIn/w1', heNormal(rand, PR_BINS, [PR_BINS, seIn]));
  v('attnIn/b1', tf.zeros([seIn]));
  v('attnIn/w2', heNormal(rand, seIn, [seIn, PR_BINS], 0.5));
  v('attnIn/b2', tf.fill([PR_BINS], 2)); // start open (sigmoid(2) ≈ 0.88) so gradients reach every band
  v('conv0/w', heNormal(rand, cfg.kernel * PR_BINS, [cfg.kernel * PR_BINS, h]));
  v('conv0/b', tf.zeros([h]));
  for (let l = 1; l <= cfg.layers; l++) {
    v(`conv${l}/w`, heNormal(rand, cfg.kernel * h, [cfg.kernel * h, h]));
    v(`conv${l}/b`, tf.zeros([h]));
  }
  v('attnHid/w1', heNormal(rand, h, [h, seHid]));
  v('attnHid/b1', tf.zeros([seHid]));
  v('attnHid/w2', heNormal(rand, seHid, [seHid, h], 0.5));
  v('attnHid/b2', tf.fill([h], 2));
  v('head/w', tf.zeros([h, 4 * PR_BINS]));
  v('head/b', tf.zeros([4 * PR_BINS]));
  return w;
}

/** Same-padded 1-D conv over time as im2col + matMul (trains on every backend; see docs/architecture.md). */
function conv1d(x: tf.Tensor3D, w: tf.Tensor, b: tf.Tensor, kernel: number): tf.Tensor3D {
  const [batch, frames, ch] = x.shape;
  const half = (kernel - 1) / 2;
  const padded = tf.pad(x, [
    [0, 0],
    [half, half],
    [0, 0],
  ]);
  const cols: tf.Tensor[] = [];
  for (let k = 0; k < kernel; k++) cols.push(tf.slice(padded, [0, k, 0], [batch, frames, ch]));
  const im2col = tf.reshape(kernel === 1 ? padded : tf.concat(cols, 2), [batch * frames, kernel * ch]);
  const out = tf.add(tf.matMul(im2col, w as tf.Tensor2D), b);
  return tf.reshape(out, [batch, frames, w.shape[1] as number]) as tf.Tensor3D;
}

/** Squeeze-and-excitation over channels; the squeeze is a masked mean over valid frames. */
function channelAttention(
  x: tf.Tensor3D,
  frameMask: tf.Tensor3D,
  validFrames: tf.Tensor,
  w1: tf.Tensor,
  b1: tf.Tensor,
  w2: tf.Tensor,
  b2: tf.Tensor,
): { out: tf.Tensor3D; gate: tf.Tensor2D } {
  const squeezed = tf.div(tf.sum(tf.mul(x, frameMask), 1), validFrames) as tf.Tensor2D; // [B, C]
  const hidden = tf.relu(tf.add(tf.matMul(squeezed, w1 as tf.Tensor2D), b1));
  const gate = tf.sigmoid(tf.add(tf.matMul(hidden as tf.Tensor2D, w2 as tf.Tensor2D), b2)) as tf.Tensor2D;
  return { out: tf.mul(x, tf.expandDims(gate, 1)) as tf.Tensor3D, gate };
}

export interface ModuleRun {
  spectrum: Spectrum;
  /** Attention over the input frequency bins [B, bins] (what the module listens to). */
  freqAttention: tf.Tensor2D;
}

export interface RunOptions {
  training: boolean;
  /** Seed for dropout masks: the same seed gives the same masks (two-pass CTC training relies on it). */
  seed?: number;
}

/**
 * Applies one module to a spectrum. `frameMask` is [B, F, 1] with 1 on frames that hold signal; it is built
 * outside the differentiated function because comparison ops have no gradient.
 */
export function applyModule(
  w: ModuleWeights,
  cfg: ModuleConfig,
  spec: Spectrum,
  frameMask: tf.Tensor3D,
  opts: RunOptions,
): ModuleRun {
  const validFrames = tf.maximum(tf.sum(frameMask, 1), 1); // [B, 1]
  const power = tf.add(tf.add(tf.square(spec.re), tf.square(spec.im)), 1e-8);
  const logPow = tf.log(power) as tf.Tensor3D;
  // Per-clip standardisation makes the module indifferent to recording level.
  const maskedCount = tf.mul(validFrames, PR_BINS);
  const mean = tf.div(tf.sum(tf.mul(logPow, frameMask), [1, 2], true), tf.expandDims(maskedCount, 2));
  const centered = tf.mul(tf.sub(logPow, mean), frameMask);
  const variance = tf.div(tf.sum(tf.square(centered), [1, 2], true), tf.expandDims(maskedCount, 2));
  const feats = tf.div(centered, tf.sqrt(tf.add(variance, 1e-5))) as tf.Tensor3D;

  const attnIn = channelAttention(
    feats,
    frameMask,
    validFrames,
    w['attnIn/w1'],
    w['attnIn/b1'],
    w['attnIn/w2'],
    w['attnIn/b2'],
  );
  let seed = opts.seed ?? 0;
  const drop = (t: tf.Tensor3D): tf.Tensor3D =>
    opts.training && cfg.dropout > 0 ? (tf.dropout(t, cfg.dropout, undefined, seed++) as tf.Tensor3D) : t;

  let hcur = drop(tf.relu(conv1d(attnIn.out, w['conv0/w'], w['conv0/b'], cfg.kernel)));
  for (let l = 1; l <= cfg.layers; l++) {
    hcur = drop(tf.relu(tf.add(hcur, conv1d(hcur, w[`conv${l}/w`], w[`conv${l}/b`], cfg.kernel))) as tf.Tensor3D);
  }
  const attnHid = channelAttention(
    hcur,
    frameMask,
    validFrames,
    w['attnHid/w1'],
    w['attnHid/b1'],
    w['attnHid/w2'],
    w['attnHid/b2'],
  );
  const head = conv1d(attnHid.out, w['head/w'], w['head/b'], 1);
  const [batch, frames] = spec.re.shape;
  const part = (i: number) => tf.slice(head, [0, 0, i * PR_BINS], [batch, frames, PR_BINS]);
  const a = tf.mul(tf.tanh(part(0)), cfg.maskScale);
  const b = tf.mul(tf.tanh(part(1)), cfg.maskScale);
  // The additive term is scaled by each frame's mean magnitude, so it follows the speech envelope and stays
  // silent where the input is silent.
  const frameMag = tf.mean(tf.sqrt(power), 2, true);
  const c = tf.mul(tf.mul(tf.tanh(part(2)), cfg.addScale), frameMag);
  const d = tf.mul(tf.mul(tf.tanh(part(3)), cfg.addScale), frameMag);
  const onePlusA = tf.add(a, 1);
  const re = tf.mul(tf.add(tf.sub(tf.mul(spec.re, onePlusA), tf.mul(spec.im, b)), c), frameMask) as tf.Tensor3D;
  const im = tf.mul(tf.add(tf.add(tf.mul(spec.im, onePlusA), tf.mul(spec.re, b)), d), frameMask) as tf.Tensor3D;
  return { spectrum: { re, im }, freqAttention: attnIn.gate };
}

/** 1 on STFT frames that overlap the clip's valid samples, 0 on padding; [B, F, 1]. */
export function frameMaskFor(lengths: number[], frames: number, hop: number): tf.Tensor3D {
  const data = new Float32Array(lengths.length * frames);
  lengths.forEach((len, b) => {
    // Frame f covers samples [(f−1)·hop, (f+1)·hop).
    const last = Math.min(frames - 1, Math.ceil(len / hop));
    for (let f = 0; f <= last; f++) data[b * frames + f] = 1;
  });
  return tf.tensor3d(data, [lengths.length, frames, 1]);
}

/** 1 on valid samples, 0 on padding; [B, N]. */
export function sampleMaskFor(lengths: number[], n: number): tf.Tensor2D {
  const data = new Float32Array(lengths.length * n);
  lengths.forEach((len, b) => data.fill(1, b * n, b * n + Math.min(len, n)));
  return tf.tensor2d(data, [lengths.length, n]);
}

/**
 * Projects y so that ‖y − x‖ ≤ ρ‖x‖ per row (over valid samples). Rows already inside the ball are unchanged.
 * Differentiable: the scale is min(1, ρ‖x‖/‖δ‖).
 */
export function projectToBudget(
  x: tf.Tensor2D,
  y: tf.Tensor2D,
  sampleMask: tf.Tensor2D,
  minSnrDb: number,
): tf.Tensor2D {
  const delta = tf.mul(tf.sub(y, x), sampleMask);
  const deltaNorm = tf.sqrt(tf.add(tf.sum(tf.square(delta), 1, true), 1e-12));
  const xNorm = tf.sqrt(tf.sum(tf.square(tf.mul(x, sampleMask)), 1, true));
  // Slightly inside the ball so float32 rounding never lands a clip below the promised SNR.
  const scale = tf.minimum(1, tf.div(tf.mul(xNorm, budgetRatio(minSnrDb) * BUDGET_MARGIN), deltaNorm));
  return tf.add(tf.mul(x, sampleMask), tf.mul(delta, scale)) as tf.Tensor2D;
}

export interface CascadeOutput {
  /** Protected audio [B, N] (budget applied). */
  protectedWave: tf.Tensor2D;
  /** SO's output alone, before ER and before the budget [B, N] (for the stage views). */
  soWave?: tf.Tensor2D;
  soAttention: tf.Tensor2D;
  erAttention: tf.Tensor2D;
}

export interface CascadeWeights {
  so: ModuleWeights;
  er: ModuleWeights;
}

/**
 * Protected = ER(SO(x)), then the budget projection. Both modules work on one shared STFT (ER reads SO's output
 * spectrum directly), which is equivalent to resynthesising in between but costs one STFT/iSTFT pair, not two.
 */
export function runCascade(
  weights: CascadeWeights,
  cfg: { so: ModuleConfig; er: ModuleConfig },
  x: tf.Tensor2D,
  lengths: number[],
  minSnrDb: number,
  opts: RunOptions & { withSoWave?: boolean },
): CascadeOutput {
  const n = x.shape[1];
  const spec = prStft(x);
  const frames = spec.re.shape[1];
  const frameMask = frameMaskFor(lengths, frames, PR_HOP);
  const sampleMask = sampleMaskFor(lengths, n);
  const so = applyModule(weights.so, cfg.so, spec, frameMask, { ...opts, seed: (opts.seed ?? 0) * 2 });
  const er = applyModule(weights.er, cfg.er, so.spectrum, frameMask, { ...opts, seed: (opts.seed ?? 0) * 2 + 1 });
  const raw = prIstft(er.spectrum, n);
  const protectedWave = projectToBudget(x, raw, sampleMask, minSnrDb);
  const soWave = opts.withSoWave ? prIstft(so.spectrum, n) : undefined;
  return { protectedWave, soWave, soAttention: so.freqAttention, erAttention: er.freqAttention };
}
