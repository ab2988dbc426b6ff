/**
 * A differentiable cue-keeping term for the generator objective: how far the protected clip's pitch evidence,
 * spectral tilt and speech level moved from the input's.
 *
 * Why: the frozen SER is satisfied by a perturbation that keeps its own decision, but the voice-relative emotion
 * reading (cues/emotion.ts: F0 and its range, level, alpha ratio, rate against the voice's own clips) lost 12 points
 * on `test` under Aclipse where noise of the same energy lost none; the pitch tracker read a range 3.8 semitones wider
 * (results/eval/voice-emotion). Those cues are what a listener and any other emotion reader hear, so the generator
 * should be told to keep them. The cue readers themselves are not differentiable (YIN picks a dip; the voicing gate
 * is a threshold), so each term is a smooth stand-in for the evidence the reader uses:
 *
 * - pitch: the normalised autocorrelation of each speech-active frame below 1 kHz (the band YIN reads after its
 *   low-pass), at the lags of 50–500 Hz. When the protected frame's autocorrelation matches the input's, YIN finds
 *   the same dip, so the same F0 and the same voicing decision; a new peak at another lag is a spurious pitch (what
 *   widened the range). Computed from the power spectrum (Wiener–Khinchin) with a cosine basis, so it is a matMul.
 * - tilt: the alpha ratio (energy 1–5 kHz over 50 Hz–1 kHz, dB) over the input's speech-active frames, as
 *   cues/level.ts measures it, compared per clip.
 * - level: the mean power of those frames in dB, per clip.
 *
 * Frames are the generator's own STFT (spectral.ts, 32 ms, hop 16 ms). Which frames count is decided on the input
 * alone, in JS, outside the gradient (comparisons have none), with the pitch tracker's rule: within 40 dB of the
 * clip's loudest frame. Tilt and level differences are scaled by 3 dB, so 1 means a 3 dB change.
 */
import * as tf from '@tensorflow/tfjs';
import { PITCH_DEFAULTS } from '../cues/pitch';
import { PR_HOP, PR_NFFT, prBinOf, prFrameCount, prStft } from './spectral';

/** Weights of the three parts; a part with weight 0 is not computed. */
export interface CueKeepConfig {
  pitch: number;
  tilt: number;
  level: number;
}

export interface CueKeepParts {
  pitch: tf.Scalar;
  tilt: tf.Scalar;
  level: tf.Scalar;
  /** pitch·w_pitch + tilt·w_tilt + level·w_level */
  total: tf.Scalar;
}

const GATE_DB = PITCH_DEFAULTS.gateDb;
const SCALE_DB = 3;
/** Lags of 500 down to 50 Hz at 16 kHz, every 4 samples: the band-limited autocorrelation has nothing finer. */
const LAG_MIN = 32;
const LAG_MAX = 320;
const LAG_STEP = 4;
const PITCH_LO = prBinOf(31.25); // bin 1: DC carries no period
const PITCH_HI = prBinOf(1000); // exclusive
const TILT_LO = { from: prBinOf(62.5), to: prBinOf(1000) }; // 50 Hz–1 kHz as level.ts bins it (first bin ≥ 50 Hz)
const TILT_HI = { from: prBinOf(1000), to: prBinOf(5000) + 1 };

let cosineBasis: tf.Tensor2D | null = null;
let cosineBackend = '';

/** [pitch bins, lags]: cos(2π·k·l/N), so P·C is the autocorrelation of the band at each lag. */
function lagBasis(): tf.Tensor2D {
  if (!cosineBasis || cosineBasis.isDisposed || cosineBackend !== tf.getBackend()) {
    const lags: number[] = [];
    for (let l = LAG_MIN; l <= LAG_MAX; l += LAG_STEP) lags.push(l);
    const bins = PITCH_HI - PITCH_LO;
    const c = new Float32Array(bins * lags.length);
    for (let k = 0; k < bins; k++)
      lags.forEach(
        (l, j) => (c[k * lags.length + j] = Math.cos((2 * Math.PI * (((k + PITCH_LO) * l) % PR_NFFT)) / PR_NFFT)),
      );
    cosineBasis = tf.keep(tf.tensor2d(c, [bins, lags.length]));
    cosineBackend = tf.getBackend();
  }
  return cosineBasis;
}

/**
 * Per clip and STFT frame, 1 where the input frame is speech-active (within 40 dB of the clip's loudest frame and
 * inside the clip), else 0: [B · frames] for a batch padded to `paddedLength`.
 */
export function activeFrames(inputs: readonly Float32Array[], paddedLength: number): Float32Array {
  const frames = prFrameCount(paddedLength);
  const mask = new Float32Array(inputs.length * frames);
  inputs.forEach((x, b) => {
    const energy = new Float64Array(frames);
    let peak = 0;
    for (let t = 0; t < frames; t++) {
      // Frame t of prStft covers input samples [t·hop − hop, t·hop + hop).
      const from = Math.max(0, t * PR_HOP - PR_HOP);
      const to = Math.min(x.length, t * PR_HOP + PR_HOP);
      let e = 0;
      for (let i = from; i < to; i++) e += x[i]! * x[i]!;
      energy[t] = e;
      peak = Math.max(peak, e);
    }
    if (peak <= 0) return;
    const gate = peak * 10 ** (-GATE_DB / 10);
    for (let t = 0; t < frames; t++) if (energy[t]! >= gate && energy[t]! > 0) mask[b * frames + t] = 1;
  });
  return mask;
}

function bandSum(power: tf.Tensor3D, band: { from: number; to: number }): tf.Tensor2D {
  const [b, f] = power.shape;
  return tf.sum(tf.slice(power, [0, 0, band.from], [b, f, band.to - band.from]), 2) as tf.Tensor2D;
}

function db(x: tf.Tensor): tf.Tensor {
  return tf.mul(tf.log(tf.add(x, 1e-12)), 10 / Math.LN10);
}

/**
 * The cue-keeping parts for a batch: `input` [B, N] is what entered the generator, `output` [B, N] what it made of
 * it, `mask` from activeFrames on the same inputs. Means over clips (and, for pitch, over active frames).
 */
export function cueKeepLoss(
  input: tf.Tensor2D,
  output: tf.Tensor2D,
  mask: Float32Array,
  cfg: CueKeepConfig,
): CueKeepParts {
  return tf.tidy(() => {
    const [batch] = input.shape;
    const power = (x: tf.Tensor2D): tf.Tensor3D => {
      const s = prStft(x);
      const p = tf.add(tf.square(s.re), tf.square(s.im)) as tf.Tensor3D;
      tf.dispose([s.re, s.im]);
      return p;
    };
    const px = power(input);
    const py = power(output);
    const frames = px.shape[1];
    if (mask.length !== batch * frames)
      throw new Error(`Cue mask has ${mask.length} frames, the batch ${batch * frames}`);
    const m = tf.tensor2d(mask, [batch, frames]);
    const perClip = tf.maximum(tf.sum(m, 1), 1);
    const zero = tf.scalar(0);

    let pitch: tf.Scalar = zero;
    if (cfg.pitch > 0) {
      const band = { from: PITCH_LO, to: PITCH_HI };
      const acf = (p: tf.Tensor3D): tf.Tensor3D => {
        const low = tf.slice(p, [0, 0, band.from], [batch, frames, band.to - band.from]);
        const r = tf.reshape(tf.matMul(tf.reshape(low, [batch * frames, band.to - band.from]), lagBasis()), [
          batch,
          frames,
          -1,
        ]);
        // Normalised by the frame's band energy (the zero-lag value), so only the shape of periodicity counts.
        return tf.div(r, tf.expandDims(tf.add(bandSum(p, band), 1e-10), 2)) as tf.Tensor3D;
      };
      const d = tf.mean(tf.square(tf.sub(acf(py), acf(px))), 2); // [B, F]
      pitch = tf.mean(tf.div(tf.sum(tf.mul(d, m), 1), perClip)) as tf.Scalar;
    }

    const masked = (p: tf.Tensor3D, band: { from: number; to: number }): tf.Tensor1D =>
      tf.sum(tf.mul(bandSum(p, band), m), 1) as tf.Tensor1D;
    let tilt: tf.Scalar = zero;
    if (cfg.tilt > 0) {
      const alpha = (p: tf.Tensor3D): tf.Tensor => tf.sub(db(masked(p, TILT_HI)), db(masked(p, TILT_LO)));
      tilt = tf.mean(tf.square(tf.div(tf.sub(alpha(py), alpha(px)), SCALE_DB))) as tf.Scalar;
    }
    let level: tf.Scalar = zero;
    if (cfg.level > 0) {
      const all = { from: 0, to: px.shape[2] };
      const lev = (p: tf.Tensor3D): tf.Tensor => db(tf.div(masked(p, all), perClip));
      level = tf.mean(tf.square(tf.div(tf.sub(lev(py), lev(px)), SCALE_DB))) as tf.Scalar;
    }
    const total = tf.addN([tf.mul(pitch, cfg.pitch), tf.mul(tilt, cfg.tilt), tf.mul(level, cfg.level)]) as tf.Scalar;
    return { pitch, tilt, level, total };
  });
}
