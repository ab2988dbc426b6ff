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
      const lo = edges[m], mid = edges[m + 1], hi = edges[m + 2];
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
  const bins = cfg.nFft / 2 + 1;
  const chunks = Math.ceil(cfg.frameLength / cfg.hop);
  const rows = chunks * cfg.hop;
  const cols = 2 * bins;
  const basis = new Float32Array(rows * cols);
  for (let n = 0; n < cfg.frameLength; n++) {
    const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / cfg.frameLength);
    for (let k = 0; k < bins; k++) {
      const ang = (2 * Math.PI * k * n) / cfg.nFft;
      basis[n * cols + k] = w * Math.cos(ang);
      basis[n * cols + bins + k] = -w * Math.sin(ang);
    }
  }
  return { basis, rows, cols };
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
    return tf.tidy(() => {
      const [b, n] = wave.shape;
      const { hop } = this.config;
      const f = numFrames(n, hop);
      const need = (f + this.chunks - 1) * hop;
      const w = need > n ? tf.pad(wave, [[0, 0], [0, need - n]]) : need < n ? tf.slice(wave, [0, 0], [b, need]) : wave;
      const ch = tf.reshape(w, [b, f + this.chunks - 1, hop]);
      const parts: tf.Tensor3D[] = [];
      for (let c = 0; c < this.chunks; c++) parts.push(tf.slice(ch, [0, c, 0], [b, f, hop]) as tf.Tensor3D);
      const frames: tf.Tensor3D = parts.length === 1 ? parts[0] : tf.concat(parts, 2);
      const spec = mmConst(tf.reshape(frames, [b * f, this.chunks * hop]), this.basis);
      return tf.reshape(spec, [b, f, this.basis.shape[1]]);
    });
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
