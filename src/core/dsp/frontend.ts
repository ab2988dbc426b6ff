/**
 * Differentiable log-mel front end written with ops that have gradients on every backend.
 *
 * tf.signal.stft / rfft have no gradient (Complex) and wasm has no Complex kernel at all, so the STFT here is
 * framing (reshape into hop-sized chunks + shifted slices + concat) followed by one matMul with a fixed
 * windowed-DFT basis [cos | sin]. Frame f covers samples [f·hop, f·hop + frameLength); the basis has zero rows
 * past frameLength so that a frame can be built from whole hop chunks (no strided slicing, which is slow on wasm).
 */
import * as tf from '@tensorflow/tfjs';
import { mmConst } from '../ml/nn';

export interface FrontendConfig {
  sampleRate: number;
  /** analysis window length in samples (Hann) */
  frameLength: number;
  hop: number;
  /** DFT size (>= frameLength); bins = nFft/2 + 1 */
  nFft: number;
  nMels: number;
  fMin: number;
  fMax: number;
  /** added to mel power before the log */
  logFloor: number;
}

export const DEFAULT_FRONTEND: FrontendConfig = {
  sampleRate: 16000,
  frameLength: 400,
  hop: 160,
  nFft: 512,
  nMels: 80,
  fMin: 20,
  fMax: 8000,
  logFloor: 1e-6,
};

/** Number of frames the front end produces for a clip of `n` samples (same rule for batch and single clips). */
export function numFrames(n: number, hop: number): number {
  return Math.max(1, Math.floor(n / hop));
}

const hzToMel = (f: number): number => 2595 * Math.log10(1 + f / 700);
const melToHz = (m: number): number => 700 * (10 ** (m / 2595) - 1);

/** HTK-style triangular mel filterbank, [nFft/2+1, nMels]. */
export function melFilterbank(cfg: FrontendConfig): Float32Array {
  const bins = cfg.nFft / 2 + 1;
  const fb = new Float32Array(bins * cfg.nMels);
  const mLo = hzToMel(cfg.fMin);
  const mHi = hzToMel(cfg.fMax);
  const edges: number[] = [];
  for (let i = 0; i < cfg.nMels + 2; i++) edges.push(melToHz(mLo + ((mHi - mLo) * i) / (cfg.nMels + 1)));
  for (let k = 0; k < bins; k++) {
    const f = (k * cfg.sampleRate) / cfg.nFft;
    for (let m = 0; m < cfg.nMels; m++) {
      const lo = edges[m],
        mid = edges[m + 1],
        hi = edges[m + 2];
      let w = 0;
      if (f > lo && f <= mid) w = (f - lo) / (mid - lo);
      else if (f > mid && f < hi) w = (hi - f) / (hi - mid);
      fb[k * cfg.nMels + m] = w;
    }
  }
  return fb;
}

/** Windowed DFT basis [chunks·hop, 2·bins]: columns [Re | Im] of a periodic-Hann-windowed DFT. */
export function dftBasis(cfg: FrontendConfig): { basis: Float32Array; rows: number; cols: number } {
  return windowedDftBasis(cfg.frameLength, cfg.hop, cfg.nFft, 0, cfg.nFft / 2 + 1);
}

/** Basis for DFT bins [binLo, binHi) only; rows past frameLength are zero (frames are whole hop chunks). */
function windowedDftBasis(
  frameLength: number,
  hop: number,
  nFft: number,
  binLo: number,
  binHi: number,
): { basis: Float32Array; rows: number; cols: number } {
  const bins = binHi - binLo;
  const rows = Math.ceil(frameLength / hop) * hop;
  const cols = 2 * bins;
  const basis = new Float32Array(rows * cols);
  for (let n = 0; n < frameLength; n++) {
    const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / frameLength);
    for (let k = binLo; k < binHi; k++) {
      const ang = (2 * Math.PI * k * n) / nFft;
      basis[n * cols + k - binLo] = w * Math.cos(ang);
      basis[n * cols + bins + k - binLo] = -w * Math.sin(ang);
    }
  }
  return { basis, rows, cols };
}

/**
 * Frames a [B, N] batch at `hop` (frame f starts at f·hop − leftPad and spans `chunks` whole hop chunks) and
 * multiplies each frame by a fixed basis [chunks·hop, cols]: the differentiable STFT both front ends share.
 */
function frameAndProject(wave: tf.Tensor2D, hop: number, chunks: number, basis: tf.Tensor2D, leftPad = 0): tf.Tensor3D {
  return tf.tidy(() => {
    const [b, n0] = wave.shape;
    const f = numFrames(n0, hop);
    const x =
      leftPad > 0
        ? tf.pad(wave, [
            [0, 0],
            [leftPad, 0],
          ])
        : wave;
    const n = n0 + leftPad;
    const need = (f + chunks - 1) * hop;
    const w =
      need > n
        ? tf.pad(x, [
            [0, 0],
            [0, need - n],
          ])
        : need < n
          ? tf.slice(x, [0, 0], [b, need])
          : x;
    const ch = tf.reshape(w, [b, f + chunks - 1, hop]);
    const parts: tf.Tensor3D[] = [];
    for (let c = 0; c < chunks; c++) parts.push(tf.slice(ch, [0, c, 0], [b, f, hop]) as tf.Tensor3D);
    const frames: tf.Tensor3D = parts.length === 1 ? parts[0] : tf.concat(parts, 2);
    const spec = mmConst(tf.reshape(frames, [b * f, chunks * hop]), basis);
    return tf.reshape(spec, [b, f, basis.shape[1]]);
  });
}

/**
 * Narrow-band view of the low frequencies: log power of DFT bins [binLo, binHi) under a long Hann window, at the
 * same hop (so the same frame count) as the log-mel front end. A 25 ms window cannot resolve the harmonics of a
 * ~100 Hz voice (its main lobe is 160 Hz wide), so pitch (the main cue between happy and angry) is nearly invisible
 * in log-mel; a 64 ms window (62.5 Hz main lobe, 15.6 Hz bins) resolves them. Frames are centred on the
 * log-mel frames (the long window starts (frameLength − base.frameLength)/2 samples earlier).
 */
export interface LowBandConfig {
  frameLength: number;
  nFft: number;
  binLo: number;
  binHi: number;
}

export const DEFAULT_LOW_BAND: LowBandConfig = { frameLength: 1024, nFft: 1024, binLo: 4, binHi: 68 };

export class LowBandFrontend {
  readonly config: LowBandConfig;
  readonly bands: number;
  private readonly basis: tf.Tensor2D;
  private readonly chunks: number;
  private readonly hop: number;
  private readonly logFloor: number;
  private readonly leftPad: number;

  constructor(config: LowBandConfig, base: FrontendConfig = DEFAULT_FRONTEND) {
    const { frameLength, nFft, binLo, binHi } = config;
    if (nFft < frameLength || binLo < 0 || binHi > nFft / 2 + 1 || binHi <= binLo)
      throw new Error('bad low-band config');
    this.config = config;
    this.hop = base.hop;
    this.logFloor = base.logFloor;
    this.leftPad = Math.max(0, Math.round((frameLength - base.frameLength) / 2));
    this.bands = binHi - binLo;
    const { basis, rows, cols } = windowedDftBasis(frameLength, base.hop, nFft, binLo, binHi);
    this.chunks = rows / base.hop;
    this.basis = tf.tensor2d(basis, [rows, cols]);
  }

  /** Log power [B, F, bands] of a [B, N] batch; F = numFrames(N) as for the log-mel. Differentiable. */
  logPower(wave: tf.Tensor2D): tf.Tensor3D {
    return tf.tidy(() => {
      const spec = frameAndProject(wave, this.hop, this.chunks, this.basis, this.leftPad);
      const [b, f] = spec.shape;
      const re = tf.slice(spec, [0, 0, 0], [b, f, this.bands]);
      const im = tf.slice(spec, [0, 0, this.bands], [b, f, this.bands]);
      return tf.log(tf.add(tf.add(tf.square(re), tf.square(im)), this.logFloor)) as tf.Tensor3D;
    });
  }

  dispose(): void {
    this.basis.dispose();
  }
}

export class LogMelFrontend {
  readonly config: FrontendConfig;
  private readonly basis: tf.Tensor2D;
  private readonly melFb: tf.Tensor2D;
  private readonly chunks: number;

  constructor(config: FrontendConfig = DEFAULT_FRONTEND) {
    if (config.nFft < config.frameLength) throw new Error('nFft must be >= frameLength');
    this.config = config;
    const { basis, rows, cols } = dftBasis(config);
    this.chunks = rows / config.hop;
    this.basis = tf.tensor2d(basis, [rows, cols]);
    this.melFb = tf.tensor2d(melFilterbank(config), [config.nFft / 2 + 1, config.nMels]);
  }

  numFrames(n: number): number {
    return numFrames(n, this.config.hop);
  }

  /** Complex spectrum as [B, F, 2·bins] ([Re | Im]) of a [B, N] batch. Differentiable. */
  spectrum(wave: tf.Tensor2D): tf.Tensor3D {
    return frameAndProject(wave, this.config.hop, this.chunks, this.basis);
  }

  /** Power spectrogram [B, F, bins]. */
  power(wave: tf.Tensor2D): tf.Tensor3D {
    return tf.tidy(() => {
      const spec = this.spectrum(wave);
      const bins = this.config.nFft / 2 + 1;
      const [b, f] = spec.shape;
      const re = tf.slice(spec, [0, 0, 0], [b, f, bins]);
      const im = tf.slice(spec, [0, 0, bins], [b, f, bins]);
      return tf.add(tf.square(re), tf.square(im));
    });
  }

  /** Log-mel features [B, F, nMels] of a [B, N] waveform batch. Differentiable w.r.t. the waveform. */
  logMel(wave: tf.Tensor2D): tf.Tensor3D {
    return tf.tidy(() => {
      const p = this.power(wave);
      const [b, f, bins] = p.shape;
      const mel = mmConst(tf.reshape(p, [b * f, bins]), this.melFb);
      return tf.reshape(tf.log(tf.add(mel, this.config.logFloor)), [b, f, this.config.nMels]);
    });
  }

  dispose(): void {
    this.basis.dispose();
    this.melFb.dispose();
  }
}
