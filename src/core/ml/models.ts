/**
 * The two frozen evaluators as plain functions over tf.Variables:
 *  - ASR: log-mel → per-utterance norm → conv stem → stride-2 fold → separable residual blocks → 29 CTC logits
 *    at 20 ms per frame. `arch: 'transformer'` swaps the encoder body for a Conformer-lite stack (transformer.ts):
 *    the second, independently trained ASR that the privacy evaluation uses as a transfer attacker.
 *  - SER: log-mel → per-utterance norm → conv stem → stride-2 fold → separable residual blocks (one more stride-2
 *    fold half-way) → masked mean/std pooling → MLP → 4 emotion logits.
 * Padded frames are zeroed after every block, so a clip gives the same output alone or padded in a batch.
 * All masks are built from JS lengths (no comparison ops), so the whole forward is differentiable w.r.t. the wave.
 */
import * as tf from '@tensorflow/tfjs';
import {
  DEFAULT_FRONTEND,
  LogMelFrontend,
  LowBandFrontend,
  type FrontendConfig,
  type LowBandConfig,
} from '../dsp/frontend';
import {
  ParamStore,
  conv1d,
  dense,
  depthwise,
  depthwiseNative,
  downsample2,
  layerNorm,
  lengthMask,
  makeRng,
  maskedStatsPool,
  maybeDropout,
  mm,
  utteranceNorm,
} from './nn';
import { VOCAB_SIZE } from '../text/normalize';
import { initTransformerEncoder, transformerEncode } from './transformer';

export interface SpecAugmentConfig {
  /** number of time masks per clip and their max width in frames */
  timeMasks: number;
  timeWidth: number;
  /** number of mel-band masks and their max width in bands */
  freqMasks: number;
  freqWidth: number;
}

interface EncoderConfig {
  frontend: FrontendConfig;
  channels: number;
  blocks: number;
  /** depthwise kernel size of the blocks (odd) */
  kernel: number;
  stemKernel: number;
  dropout: number;
  specAugment: SpecAugmentConfig | null;
  /**
   * Optional narrow-band low-frequency log power beside the log-mel bands (dsp/frontend LowBandFrontend): resolves
   * the harmonics, hence the pitch, that log-mel's 25 ms window smears. Absent in older model.json files.
   */
  lowBand?: LowBandConfig | null;
}

export interface AsrConfig extends EncoderConfig {
  kind: 'asr';
  vocab: number;
  /**
   * Encoder body: 'conv' (separable conv blocks; the default, and what model.json files without the field hold)
   * or 'transformer' (conv subsampling stem + self-attention blocks, see transformer.ts). For 'transformer',
   * `channels` is the model width, `blocks` the number of layers and `kernel` the conv-module kernel.
   */
  arch?: 'conv' | 'transformer';
  /** transformer: attention heads (must divide channels) */
  heads?: number;
  /** transformer: feed-forward width */
  ffn?: number;
  /** transformer: front-end frames folded into one encoder frame (3 → 30 ms frames at a 10 ms hop) */
  subsample?: number;
}

/** A transformer ASR config with every field resolved (what the model stores and exports). */
export type TransformerAsrConfig = AsrConfig & { arch: 'transformer'; heads: number; ffn: number; subsample: number };

const isTransformer = (c: ModelConfig): c is TransformerAsrConfig => c.kind === 'asr' && c.arch === 'transformer';

/** Fills the transformer defaults (4 heads, feed-forward 2× width, 30 ms frames) so exported configs are explicit. */
function resolveAsrConfig(c: AsrConfig): AsrConfig {
  if (c.arch !== 'transformer') return c;
  const r: TransformerAsrConfig = {
    ...c,
    arch: 'transformer',
    heads: c.heads ?? 4,
    ffn: c.ffn ?? 2 * c.channels,
    subsample: c.subsample ?? 3,
  };
  if (r.channels % r.heads !== 0)
    throw new Error(`transformer ASR: ${r.heads} heads do not divide ${r.channels} channels`);
  if (r.kernel % 2 !== 1) throw new Error('transformer ASR: the conv-module kernel must be odd');
  return r;
}

export interface SerConfig extends EncoderConfig {
  kind: 'ser';
  classes: number;
  hidden: number;
  /** after this many blocks, time is halved again (0 = never) */
  downsampleAfter: number;
  /**
   * Feed the utterance's mean and spread of log-mel energy (the level that per-utterance normalisation removes)
   * to the head: loudness is an emotion cue (angry loud, sad quiet).
   */
  levelFeatures?: boolean;
  /**
   * Also feed the speech-active level: a softmax-weighted mean over frames (temperature LOUD_LEVEL_TAU) of each
   * frame's log total power, as (level − center) / scale. The plain mean above is diluted by pauses and silence;
   * people, and the corpus, set their level on the speech itself (louder when angry). center and scale are the
   * level's mean and sd on training clips: a unit-sized input is one the head can learn to use at fine-tuning
   * learning rates. `logits` also adds it to the emotion logits through a linear path (one weight per class): the
   * ReLU hidden layer and its dropout pass a single scalar on poorly, and "louder → angrier" is linear. Needs
   * levelFeatures.
   */
  loudLevel?: { center: number; scale: number; logits?: boolean };
  /**
   * What the level inputs measure. 'absolute' (the default, and what older model.json files hold): the clip's mean
   * log-mel level and the loud level as above, so the recording gain moves the emotion read. 'relative' (voices
   * issue): nothing the gain can move. The two level inputs become the mean and spread of each frame's power relative
   * to the clip's own loud level (floored REL_LEVEL_FLOOR below it: pauses, dynamics), and the loudLevel input
   * becomes the spectral tilt of the loud frames (upper minus lower half of the mel bands, weighted as the loud
   * level is), standardised with loudLevel's center and scale. Vocal effort still shows through tilt and dynamics.
   */
  levelMode?: 'absolute' | 'relative';
}

export type ModelConfig = AsrConfig | SerConfig;

/** Temperature (nats of power) of the loud-level weighting: the mean leans on frames within a few dB of the loudest. */
export const LOUD_LEVEL_TAU = 1.5;
/**
 * The loud-level logit path's weights are stored divided by this: with Adam's steps of about one learning rate, the
 * per-class slopes (around 1 logit per sd of level) are reached in a few hundred fine-tuning steps, not thousands.
 */
const LOUD_LOGIT_GAIN = 10;
/** Relative frame levels stop this many nats (≈ 52 dB) under the loud level: silence reads the same at any gain. */
export const REL_LEVEL_FLOOR = 12;
/** A 'relative' SER's features stop this many nats (≈ 61 dB) under their loudest value in the clip. */
export const REL_FEATURE_FLOOR = 14;

/**
 * Whether two configs describe the same weights. Dropout and SpecAugment shape training, not weights, so a
 * fine-tune may change them and its checkpoints still average with the model it started from.
 */
export function sameArchitecture(a: ModelConfig, b: ModelConfig): boolean {
  const weightsOnly = (c: ModelConfig) => JSON.stringify({ ...c, dropout: undefined, specAugment: undefined });
  return weightsOnly(a) === weightsOnly(b);
}

/**
 * Whether a model of config `b` can take `a`'s weights as they are: the same architecture, or one that differs only in
 * what the SER's level inputs measure (levelMode, and loudLevel's standardisation), whose weight shapes are equal.
 */
export function sameWeights(a: ModelConfig, b: ModelConfig): boolean {
  const strip = (c: ModelConfig): ModelConfig =>
    c.kind === 'ser'
      ? {
          ...c,
          levelMode: undefined,
          loudLevel: c.loudLevel ? { center: 0, scale: 1, logits: c.loudLevel.logits } : undefined,
        }
      : c;
  return sameArchitecture(strip(a), strip(b));
}

export const DEFAULT_ASR_CONFIG: AsrConfig = {
  kind: 'asr',
  frontend: DEFAULT_FRONTEND,
  channels: 192,
  blocks: 8,
  kernel: 11,
  stemKernel: 3,
  dropout: 0.1,
  specAugment: { timeMasks: 2, timeWidth: 10, freqMasks: 2, freqWidth: 10 },
  vocab: VOCAB_SIZE,
};

export const DEFAULT_SER_CONFIG: SerConfig = {
  kind: 'ser',
  frontend: DEFAULT_FRONTEND,
  channels: 96,
  blocks: 4,
  kernel: 9,
  stemKernel: 5,
  dropout: 0.2,
  specAugment: { timeMasks: 2, timeWidth: 10, freqMasks: 1, freqWidth: 8 },
  classes: 4,
  hidden: 64,
  downsampleAfter: 2,
  levelFeatures: true,
};

export interface ForwardOptions {
  /** dropout and SpecAugment on (default false) */
  training?: boolean;
  /** makes dropout and SpecAugment masks reproducible: two passes with the same seed give the same logits */
  seed?: number;
}

/** Shared encoder machinery; subclasses add their head. */
abstract class EncoderModel<C extends ModelConfig> {
  readonly config: C;
  readonly frontend: LogMelFrontend;
  readonly lowBand: LowBandFrontend | null;
  /** feature channels per frame: mel bands plus low-band bins */
  readonly featureDim: number;
  readonly params: ParamStore;
  protected readonly rng: () => number;
  /**
   * How the depthwise convs run: 'slices' (sum of shifted slices, the reference) or 'native' (depthwiseConv2d with
   * a forward-ops backward; faster for training on wasm). Same function, same weights; not part of the config.
   */
  depthwiseImpl: 'slices' | 'native' = 'slices';

  protected constructor(config: C, seed: number) {
    this.config = config;
    this.frontend = new LogMelFrontend(config.frontend);
    this.lowBand = config.lowBand ? new LowBandFrontend(config.lowBand, config.frontend) : null;
    this.featureDim = config.frontend.nMels + (this.lowBand?.bands ?? 0);
    this.rng = makeRng(seed ^ 0x5eed);
    this.params = new ParamStore(makeRng(seed));
    const p = this.params;
    const { channels: c, stemKernel: sk, kernel: k } = config;
    const dim = this.featureDim;
    p.constant('in_scale', [dim], 1);
    p.constant('in_bias', [dim], 0);
    if (isTransformer(config)) {
      if (this.lowBand) throw new Error('transformer ASR: lowBand features are not supported');
      initTransformerEncoder(p, config);
      return;
    }
    p.weight('stem_w', [sk * dim, c], sk * dim);
    p.constant('stem_b', [c], 0);
    p.weight('down0_w', [2 * c, c], 2 * c);
    p.constant('down0_b', [c], 0);
    p.constant('down0_g', [c], 1);
    p.constant('down0_beta', [c], 0);
    for (let i = 0; i < config.blocks; i++) {
      // depthwise init ~ 1/k keeps the block's output scale near its input's
      p.weight(`b${i}_dw`, [k, c], k, Math.sqrt(0.5));
      p.constant(`b${i}_g`, [c], 1);
      p.constant(`b${i}_beta`, [c], 0);
      p.weight(`b${i}_pw`, [c, c], c, 0.5);
      p.constant(`b${i}_pb`, [c], 0);
    }
  }

  /** Features [B, F, featureDim] (log-mel, then low-band bins if configured) of a padded batch [B, N]; differentiable. */
  features(wave: tf.Tensor2D): tf.Tensor3D {
    if (!this.lowBand) return this.frontend.logMel(wave);
    const low = this.lowBand;
    return tf.tidy(() => tf.concat([this.frontend.logMel(wave), low.logPower(wave)], 2));
  }

  /** Frame counts at the front end's rate for clips of the given sample lengths. */
  frameLengths(lengths: number[]): number[] {
    return lengths.map((n) => this.frontend.numFrames(n));
  }

  trainableVariables(): tf.Variable[] {
    return this.params.list();
  }

  parameterCount(): number {
    return this.params.count();
  }

  /** SpecAugment as a constant multiplicative mask (applied after normalisation, so masked values are the mean). */
  private specMask(b: number, f: number, m: number, frameLengths: number[], seed?: number): tf.Tensor3D | null {
    const sa = this.config.specAugment;
    if (!sa) return null;
    const rng = seed === undefined ? this.rng : makeRng(seed);
    const mask = new Float32Array(b * f * m).fill(1);
    for (let i = 0; i < b; i++) {
      const len = Math.min(frameLengths[i], f);
      for (let j = 0; j < sa.timeMasks; j++) {
        const w = Math.floor(rng() * (Math.min(sa.timeWidth, Math.floor(len / 5)) + 1));
        const t0 = Math.floor(rng() * Math.max(1, len - w));
        for (let t = t0; t < t0 + w; t++) mask.fill(0, (i * f + t) * m, (i * f + t + 1) * m);
      }
      for (let j = 0; j < sa.freqMasks; j++) {
        const w = Math.floor(rng() * (sa.freqWidth + 1));
        const m0 = Math.floor(rng() * Math.max(1, m - w));
        for (let t = 0; t < f; t++) mask.fill(0, (i * f + t) * m + m0, (i * f + t) * m + m0 + w);
      }
    }
    return tf.tensor3d(mask, [b, f, m]);
  }

  /** Encoder body on features: returns [B, T', C] (masked) and the output frame lengths. */
  protected encode(
    feats: tf.Tensor3D,
    frameLengths: number[],
    opts: ForwardOptions,
  ): { h: tf.Tensor3D; lengths: number[] } {
    const training = opts.training ?? false;
    const seed = opts.seed;
    const p = this.params;
    const [b, f, m] = feats.shape;
    const cfg = this.config;
    const mask0 = lengthMask(frameLengths, f);
    const nMels = cfg.frontend.nMels;
    // each feature group gets its own per-utterance normalisation (their log scales differ)
    let x = this.lowBand
      ? tf.concat(
          [
            utteranceNorm(tf.slice(feats, [0, 0, 0], [b, f, nMels]), mask0),
            utteranceNorm(tf.slice(feats, [0, 0, nMels], [b, f, m - nMels]), mask0),
          ],
          2,
        )
      : utteranceNorm(feats, mask0);
    if (training) {
      const sm = this.specMask(b, f, m, frameLengths, seed);
      if (sm) x = tf.mul(x, sm);
    }
    x = tf.mul(tf.add(tf.mul(x, p.get('in_scale') as tf.Tensor1D), p.get('in_bias') as tf.Tensor1D), mask0);
    if (isTransformer(cfg)) return transformerEncode(p, cfg, x, frameLengths, opts, this.depthwiseImpl);
    x = tf.mul(
      tf.relu(conv1d(x, p.get('stem_w') as tf.Tensor2D, p.get('stem_b') as tf.Tensor1D, cfg.stemKernel)),
      mask0,
    );
    let lengths = frameLengths.map((n) => Math.ceil(n / 2));
    x = downsample2(x, p.get('down0_w') as tf.Tensor2D, p.get('down0_b') as tf.Tensor1D);
    let mask = lengthMask(lengths, x.shape[1]);
    x = tf.mul(tf.relu(layerNorm(x, p.get('down0_g') as tf.Tensor1D, p.get('down0_beta') as tf.Tensor1D)), mask);
    for (let i = 0; i < cfg.blocks; i++) {
      if (cfg.kind === 'ser' && cfg.downsampleAfter > 0 && i === cfg.downsampleAfter) {
        lengths = lengths.map((n) => Math.ceil(n / 2));
        x = downsample2(x, p.get('down1_w') as tf.Tensor2D, p.get('down1_b') as tf.Tensor1D);
        mask = lengthMask(lengths, x.shape[1]);
        x = tf.mul(tf.relu(layerNorm(x, p.get('down1_g') as tf.Tensor1D, p.get('down1_beta') as tf.Tensor1D)), mask);
      }
      let y = (this.depthwiseImpl === 'native' ? depthwiseNative : depthwise)(x, p.get(`b${i}_dw`) as tf.Tensor2D);
      y = layerNorm(y, p.get(`b${i}_g`) as tf.Tensor1D, p.get(`b${i}_beta`) as tf.Tensor1D);
      y = tf.relu(dense(y, p.get(`b${i}_pw`) as tf.Tensor2D, p.get(`b${i}_pb`) as tf.Tensor1D));
      y = maybeDropout(y, cfg.dropout, training, seed === undefined ? undefined : seed + 1 + i);
      x = tf.mul(tf.add(x, y), mask);
    }
    return { h: x, lengths };
  }

  dispose(): void {
    this.params.dispose();
    this.frontend.dispose();
    this.lowBand?.dispose();
  }
}

export interface AsrOutput {
  /** [B, T', vocab] unnormalised CTC logits */
  logits: tf.Tensor3D;
  /** valid output frames per clip */
  outLengths: number[];
}

export class AsrModel extends EncoderModel<AsrConfig> {
  constructor(config: AsrConfig = DEFAULT_ASR_CONFIG, seed = 1) {
    super(resolveAsrConfig(config), seed);
    const c = config.channels;
    this.params.constant('out_g', [c], 1);
    this.params.constant('out_beta', [c], 0);
    this.params.weight('out_w', [c, config.vocab], c, 0.5);
    this.params.constant('out_b', [config.vocab], 0);
  }

  /** Output frames for a clip of n samples. */
  outputLength(n: number): number {
    return Math.ceil(this.frontend.numFrames(n) / (isTransformer(this.config) ? this.config.subsample : 2));
  }

  forwardFeatures(feats: tf.Tensor3D, frameLengths: number[], opts: ForwardOptions = {}): AsrOutput {
    let outLengths: number[] = [];
    const logits = tf.tidy(() => {
      const { h, lengths } = this.encode(feats, frameLengths, opts);
      outLengths = lengths;
      const p = this.params;
      const z = layerNorm(h, p.get('out_g') as tf.Tensor1D, p.get('out_beta') as tf.Tensor1D);
      return dense(z, p.get('out_w') as tf.Tensor2D, p.get('out_b') as tf.Tensor1D);
    });
    return { logits, outLengths };
  }

  /** Differentiable: padded wave [B, N] and per-clip sample lengths → CTC logits and output lengths. */
  forward(wave: tf.Tensor2D, lengths: number[], opts: ForwardOptions = {}): AsrOutput {
    const feats = this.features(wave);
    const out = this.forwardFeatures(feats, this.frameLengths(lengths), opts);
    feats.dispose();
    return out;
  }
}

export class SerModel extends EncoderModel<SerConfig> {
  constructor(config: SerConfig = DEFAULT_SER_CONFIG, seed = 2) {
    super(config, seed);
    const c = config.channels;
    const p = this.params;
    if (config.downsampleAfter > 0 && config.downsampleAfter < config.blocks) {
      p.weight('down1_w', [2 * c, c], 2 * c);
      p.constant('down1_b', [c], 0);
      p.constant('down1_g', [c], 1);
      p.constant('down1_beta', [c], 0);
    }
    if (config.loudLevel && !config.levelFeatures) throw new Error('SER: loudLevel needs levelFeatures');
    p.weight('head_w', [2 * c + serLevelInputs(config), config.hidden], 2 * c);
    p.constant('head_b', [config.hidden], 0);
    p.weight('out_w', [config.hidden, config.classes], config.hidden, 0.5);
    p.constant('out_b', [config.classes], 0);
    if (config.loudLevel?.logits) p.constant('loud_out', [config.classes], 0);
  }

  /** Features [B,F,M] with frame lengths → emotion logits [B, classes]. */
  forwardFeatures(input: tf.Tensor3D, frameLengths: number[], opts: ForwardOptions = {}): tf.Tensor2D {
    return tf.tidy(() => {
      const training = opts.training ?? false;
      const feats = this.config.levelMode === 'relative' ? this.floorRelative(input, frameLengths) : input;
      const { h, lengths } = this.encode(feats, frameLengths, opts);
      const p = this.params;
      let pooled = maskedStatsPool(h, lengthMask(lengths, h.shape[1]));
      let loudStd: tf.Tensor2D | null = null;
      if (this.config.levelFeatures) {
        // mean and std over valid frames and bands of the raw log-mel, scaled to O(1)
        const [b, f] = feats.shape;
        const mel = this.lowBand ? tf.slice(feats, [0, 0, 0], [b, f, this.config.frontend.nMels]) : feats;
        const frameMask = lengthMask(frameLengths, f);
        const loud = this.config.loudLevel;
        if (this.config.levelMode === 'relative') {
          const r = relativeLevels(mel, frameMask);
          pooled = tf.concat([pooled, tf.div(r.level, 10)], 1) as tf.Tensor2D;
          if (loud) {
            loudStd = tf.div(tf.sub(r.tilt, loud.center), loud.scale) as tf.Tensor2D;
            pooled = tf.concat([pooled, loudStd], 1) as tf.Tensor2D;
          }
        } else {
          const level = tf.reshape(maskedStatsPool(tf.mean(mel, 2, true), frameMask), [b, 2]);
          pooled = tf.concat([pooled, tf.div(level, 10)], 1) as tf.Tensor2D;
          if (loud) {
            const std = tf.div(tf.sub(loudLevel(mel, frameMask), loud.center), loud.scale) as tf.Tensor2D;
            pooled = tf.concat([pooled, std], 1) as tf.Tensor2D;
            loudStd = std;
          }
        }
      }
      let z = tf.relu(tf.add(mm(pooled, p.get('head_w') as tf.Tensor2D), p.get('head_b'))) as tf.Tensor2D;
      z = maybeDropout(z, this.config.dropout, training, opts.seed === undefined ? undefined : opts.seed + 999);
      const logits = tf.add(mm(z, p.get('out_w') as tf.Tensor2D), p.get('out_b')) as tf.Tensor2D;
      if (!loudStd || !this.config.loudLevel?.logits) return logits;
      return tf.add(logits, tf.mul(loudStd, tf.mul(p.get('loud_out'), LOUD_LOGIT_GAIN))) as tf.Tensor2D;
    });
  }

  /**
   * Raises every feature group's values to at least REL_FEATURE_FLOOR under the group's loudest value in the clip.
   * The log floor of the front end is absolute (log 1e-6), so without this a quieter recording would show more of
   * its bands sitting on that floor; with it, a gain shifts every value, and the floor, by the same constant.
   */
  private floorRelative(feats: tf.Tensor3D, frameLengths: number[]): tf.Tensor3D {
    const [b, f, m] = feats.shape;
    const nMels = this.config.frontend.nMels;
    const pad = tf.mul(tf.sub(1, lengthMask(frameLengths, f)), -1e9);
    const floorGroup = (x: tf.Tensor3D) =>
      tf.maximum(x, tf.sub(tf.max(tf.add(x, pad), [1, 2], true), REL_FEATURE_FLOOR));
    if (!this.lowBand) return floorGroup(feats) as tf.Tensor3D;
    return tf.concat(
      [
        floorGroup(tf.slice(feats, [0, 0, 0], [b, f, nMels])),
        floorGroup(tf.slice(feats, [0, 0, nMels], [b, f, m - nMels])),
      ],
      2,
    ) as tf.Tensor3D;
  }

  /** Differentiable: padded wave [B, N] and per-clip sample lengths → emotion logits [B, classes]. */
  forward(wave: tf.Tensor2D, lengths: number[], opts: ForwardOptions = {}): tf.Tensor2D {
    const feats = this.features(wave);
    const out = this.forwardFeatures(feats, this.frameLengths(lengths), opts);
    feats.dispose();
    return out;
  }
}

/** Inputs the SER head takes besides the pooled encoder (level mean and spread, loud level). */
function serLevelInputs(c: SerConfig): number {
  return (c.levelFeatures ? 2 : 0) + (c.loudLevel ? 1 : 0);
}

/**
 * Log-mel [B,F,M] and frame mask [B,F,1] → [B,1]: the softmax-weighted mean over valid frames of each frame's log
 * total power (logsumexp over the mel bands), differentiable throughout so the generator feels it.
 */
export function loudLevel(mel: tf.Tensor3D, frameMask: tf.Tensor3D): tf.Tensor2D {
  const { power, w } = loudWeights(mel, frameMask);
  return tf.div(tf.sum(tf.mul(w, power), 1), tf.sum(w, 1)) as tf.Tensor2D;
}

/**
 * Each frame's log total power [B,F,1] and its unnormalised loud-level weight [B,F,1] (softmax numerator at
 * temperature LOUD_LEVEL_TAU; exactly 0 on padding frames, whose logits are −1e9).
 */
function loudWeights(mel: tf.Tensor3D, frameMask: tf.Tensor3D): { power: tf.Tensor3D; w: tf.Tensor3D } {
  const power = tf.logSumExp(mel, 2, true) as tf.Tensor3D;
  // the max shift keeps exp() finite
  const logits = tf.add(tf.div(power, LOUD_LEVEL_TAU), tf.mul(tf.sub(1, frameMask), -1e9));
  return { power, w: tf.exp(tf.sub(logits, tf.max(logits, 1, true))) as tf.Tensor3D };
}

/**
 * The gain-free level inputs of a 'relative' SER, from log-mel [B,F,M] and frame mask [B,F,1]: `level` [B,2] is the
 * mean and spread over valid frames of each frame's log power minus the loud level (floored REL_LEVEL_FLOOR under
 * it), `tilt` [B,1] the loud-weighted mean of (upper-half minus lower-half mean log-mel). A gain adds one constant to
 * every log-mel value, which both differences cancel. Differentiable.
 */
export function relativeLevels(mel: tf.Tensor3D, frameMask: tf.Tensor3D): { level: tf.Tensor2D; tilt: tf.Tensor2D } {
  return tf.tidy(() => {
    const [b, f, m] = mel.shape;
    const { power, w } = loudWeights(mel, frameMask);
    const wsum = tf.sum(w, 1, true); // [B,1,1]
    const loud = tf.div(tf.sum(tf.mul(w, power), 1, true), wsum); // [B,1,1]
    const rel = tf.maximum(tf.sub(power, loud), -REL_LEVEL_FLOOR) as tf.Tensor3D;
    const level = tf.reshape(maskedStatsPool(rel, frameMask), [b, 2]) as tf.Tensor2D;
    const half = Math.floor(m / 2);
    const lo = tf.mean(tf.slice(mel, [0, 0, 0], [b, f, half]), 2, true);
    const hi = tf.mean(tf.slice(mel, [0, 0, half], [b, f, m - half]), 2, true);
    const tilt = tf.reshape(tf.div(tf.sum(tf.mul(w, tf.sub(hi, lo)), 1, true), wsum), [b, 1]) as tf.Tensor2D;
    return { level, tilt };
  });
}

/**
 * Starts `model` from `init`'s weights where `model` only adds head inputs to `init`'s architecture (e.g. loudLevel
 * on a model trained without it): the new inputs' head rows start at zero, so the grown model first predicts exactly
 * as `init` did and fine-tuning learns how much to use them.
 */
export function growFrom(model: SerModel, init: SerModel): void {
  // loudLevel is the only input a model can add, so an init that has it has nothing left to grow (extra = 0)
  const extra = serLevelInputs(model.config) - serLevelInputs(init.config);
  const withoutExtras = (c: SerConfig) => ({ ...c, loudLevel: undefined });
  if (extra <= 0 || !sameArchitecture(withoutExtras(init.config), withoutExtras(model.config))) {
    throw new Error('growFrom: the model must be init plus extra head inputs');
  }
  const added: tf.NamedTensorMap = {
    head_w: tf.concat([init.params.get('head_w'), tf.zeros([extra, model.config.hidden])], 0),
  };
  if (model.config.loudLevel?.logits) added.loud_out = tf.zeros([model.config.classes]);
  try {
    model.params.assign({ ...Object.fromEntries(init.params.vars), ...added });
  } finally {
    tf.dispose(Object.values(added));
  }
}

export type EvaluatorModel = AsrModel | SerModel;

export function createModel(config: ModelConfig, seed?: number): EvaluatorModel {
  return config.kind === 'asr' ? new AsrModel(config, seed) : new SerModel(config, seed);
}
