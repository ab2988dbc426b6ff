/**
 * Expectation over transformations (EOT): differentiable stand-ins for what happens to a protected clip between the
 * generator and a recognizer in the world (telephone resampling, band limits, background noise, level, timing,
 * a room, lossy coding). Training that reads the frozen evaluators through a random draw of these learns a
 * perturbation that survives them instead of one tuned to the exact samples it emits.
 *
 * Every transform maps [B, N] to [B, N] and is built from ops with gradients on wasm, cpu and webgpu: pads, slices,
 * reshapes, elementwise ops and matMul with fixed matrices (FIR filters as block-Toeplitz matMuls over frames, the
 * STFT of spectral.ts). No conv (wasm lacks the filter gradient that tfjs computes even for a fixed kernel), no
 * strided slice, no gather.
 *
 * Parameters are drawn in plain JS (`sampleEot`) and applied separately (`applyEotDraw`), so the trainer's two
 * passes of one step see the same transformation.
 */
import * as tf from '@tensorflow/tfjs';
import { uniform, type Rng } from '../data/random';
import { PR_BINS, prIstft, prStft } from './spectral';

const FS = 16000;

export const EOT_TRANSFORMS = ['reverb', 'shift', 'gain', 'noise', 'lowpass', 'resample8k', 'codec'] as const;
export type EotTransform = (typeof EOT_TRANSFORMS)[number];

export interface EotConfig {
  /** Probability that each transform is applied in a step (absent or 0: never). Applied in EOT_TRANSFORMS order. */
  p: Partial<Record<EotTransform, number>>;
  /** Low-pass cutoff range, Hz (8000 is the identity at 16 kHz). */
  lowpassHz: [number, number];
  /** Additive white noise, SNR against each clip's own energy, dB. */
  noiseSnrDb: [number, number];
  gainDb: [number, number];
  /** Largest time shift either way, ms. */
  maxShiftMs: number;
  /** Reverberation time of the synthetic room and the length the impulse response is cut to. */
  reverbRt60S: [number, number];
  reverbLengthMs: number;
  /** Lossy-coding stand-in: noise in each STFT band at this SNR against the band's own energy, dB. */
  codecSnrDb: [number, number];
}

export const DEFAULT_EOT_CONFIG: EotConfig = {
  p: { reverb: 0.3, shift: 0.5, gain: 0.5, noise: 0.5, lowpass: 0.3, resample8k: 0.2, codec: 0.4 },
  lowpassHz: [3400, 8000],
  noiseSnrDb: [20, 40],
  gainDb: [-6, 6],
  maxShiftMs: 5,
  reverbRt60S: [0.1, 0.5],
  // 50 ms keeps the cost near N × 930 multiply-adds per clip; the late tail of a real room is longer.
  reverbLengthMs: 50,
  codecSnrDb: [8, 20],
};

/** One step's transformation: which transforms run, with what parameters (plain data, reproducible). */
export interface EotDraw {
  reverb: Float32Array | null;
  shift: number | null;
  /** Per clip. */
  gainDb: number[] | null;
  noise: { snrDb: number[]; seed: number } | null;
  lowpassHz: number | null;
  resample8k: boolean;
  codec: { snrDb: number; seed: number } | null;
}

const seedOf = (rng: Rng) => Math.floor(rng() * 2 ** 31);

/** Draws one step's transformation for a batch of `batch` clips. */
export function sampleEot(rng: Rng, cfg: EotConfig, batch: number): EotDraw {
  // Every decision is drawn whether or not it is used, so one transform's probability does not shift the others'.
  const on = (t: EotTransform) => rng() < (cfg.p[t] ?? 0);
  const reverbOn = on('reverb');
  const rt60 = uniform(rng, cfg.reverbRt60S);
  const rirSeed = seedOf(rng);
  const shiftOn = on('shift');
  const maxShift = Math.round((cfg.maxShiftMs / 1000) * FS);
  const shift = Math.min(maxShift, Math.floor(rng() * (2 * maxShift + 1)) - maxShift);
  const gainOn = on('gain');
  const gains = Array.from({ length: batch }, () => uniform(rng, cfg.gainDb));
  const noiseOn = on('noise');
  const snrs = Array.from({ length: batch }, () => uniform(rng, cfg.noiseSnrDb));
  const noiseSeed = seedOf(rng);
  const lowpassOn = on('lowpass');
  const cutoff = uniform(rng, cfg.lowpassHz);
  const resampleOn = on('resample8k');
  const codecOn = on('codec');
  const codecSnr = uniform(rng, cfg.codecSnrDb);
  const codecSeed = seedOf(rng);
  return {
    reverb: reverbOn ? syntheticRir(rt60, cfg.reverbLengthMs, rirSeed) : null,
    shift: shiftOn ? shift : null,
    gainDb: gainOn ? gains : null,
    noise: noiseOn ? { snrDb: snrs, seed: noiseSeed } : null,
    lowpassHz: lowpassOn ? cutoff : null,
    resample8k: resampleOn,
    codec: codecOn ? { snrDb: codecSnr, seed: codecSeed } : null,
  };
}

/** Applies a drawn transformation; shape [B, N] in and out. */
export function applyEotDraw(wave: tf.Tensor2D, d: EotDraw): tf.Tensor2D {
  return tf.tidy(() => {
    let y = wave;
    if (d.reverb) y = reverb(y, d.reverb);
    if (d.shift !== null && d.shift !== 0) y = timeShift(y, d.shift);
    if (d.gainDb) y = gain(y, d.gainDb);
    if (d.noise) y = addNoise(y, d.noise.snrDb, d.noise.seed);
    if (d.lowpassHz !== null) y = lowpass(y, d.lowpassHz);
    if (d.resample8k) y = resample8k(y);
    if (d.codec) y = codecNoise(y, d.codec.snrDb, d.codec.seed);
    // A draw that changes nothing must still hand back a tensor tidy does not free with the rest.
    return y === wave ? tf.clone(wave) : y;
  });
}

/** One random transformation of the batch: `applyEotDraw(wave, sampleEot(rng, config, B))`. */
export function applyEot(wave: tf.Tensor2D, rng: Rng, config: EotConfig): tf.Tensor2D {
  return applyEotDraw(wave, sampleEot(rng, config, wave.shape[0]));
}

// ---------------------------------------------------------------------------------------------------------------
// FIR filtering as matMuls

/** Frame length of the block convolution: cost per sample is about (taps + BLOCK) multiply-adds. */
const BLOCK = 128;

/**
 * y[n] = Σ_k h[k] · x[n + delay − k] for n in [0, N): a linear convolution with the output advanced by `delay`
 * samples (a symmetric filter of length 2·delay + 1 is then zero-phase). The signal is cut into frames of BLOCK
 * samples and each output frame is Σ_m (input frame j − m) · T_m, with T_m the fixed Toeplitz blocks of h.
 */
export function firFilter(x: tf.Tensor2D, h: Float32Array, delay: number): tf.Tensor2D {
  return tf.tidy(() => {
    const [b, n] = x.shape;
    const k = h.length;
    const frames = Math.ceil((n + delay) / BLOCK);
    const blocks = Math.ceil((k - 1) / BLOCK) + 1;
    const xf = tf.reshape(
      tf.pad(x, [
        [0, 0],
        [0, frames * BLOCK - n],
      ]),
      [b, frames, BLOCK],
    );
    let acc: tf.Tensor3D | null = null;
    for (let m = 0; m < blocks; m++) {
      // T_m[s, t] = h[m·BLOCK + t − s]: input sample s of frame j − m reaching output sample t of frame j.
      const t = new Float32Array(BLOCK * BLOCK);
      let any = false;
      for (let s = 0; s < BLOCK; s++) {
        for (let o = 0; o < BLOCK; o++) {
          const lag = m * BLOCK + o - s;
          if (lag >= 0 && lag < k && h[lag] !== 0) {
            t[s * BLOCK + o] = h[lag]!;
            any = true;
          }
        }
      }
      if (!any || m >= frames) continue;
      const shifted =
        m === 0
          ? xf
          : tf.slice(
              tf.pad(xf, [
                [0, 0],
                [m, 0],
                [0, 0],
              ]),
              [0, 0, 0],
              [b, frames, BLOCK],
            );
      const term = tf.reshape(tf.matMul(tf.reshape(shifted, [b * frames, BLOCK]), tf.tensor2d(t, [BLOCK, BLOCK])), [
        b,
        frames,
        BLOCK,
      ]) as tf.Tensor3D;
      acc = acc ? (tf.add(acc, term) as tf.Tensor3D) : term;
    }
    if (!acc) return tf.zerosLike(x);
    return tf.slice(tf.reshape(acc, [b, frames * BLOCK]), [0, delay], [b, n]) as tf.Tensor2D;
  });
}

/** Taps of the low-pass filters: a Blackman transition is about 5.5·fs/taps ≈ 680 Hz wide, its stop band −74 dB. */
export const LOWPASS_TAPS = 129;

/** Windowed-sinc low-pass (Blackman), unit gain at DC, half amplitude at `cutoffHz`; the identity at fs/2. */
export function lowpassTaps(cutoffHz: number, taps = LOWPASS_TAPS): Float32Array {
  const c = (taps - 1) / 2;
  const f = Math.min(cutoffHz, FS / 2) / FS;
  const h = new Float32Array(taps);
  let sum = 0;
  for (let i = 0; i < taps; i++) {
    const t = i - c;
    const sinc = t === 0 ? 2 * f : Math.sin(2 * Math.PI * f * t) / (Math.PI * t);
    const w = 0.42 - 0.5 * Math.cos((2 * Math.PI * i) / (taps - 1)) + 0.08 * Math.cos((4 * Math.PI * i) / (taps - 1));
    h[i] = sinc * w;
    sum += h[i]!;
  }
  for (let i = 0; i < taps; i++) h[i]! /= sum;
  return h;
}

/** Zero-phase low-pass at `cutoffHz` (3.4–8 kHz in training: phone bands up to none). */
export function lowpass(x: tf.Tensor2D, cutoffHz: number): tf.Tensor2D {
  if (cutoffHz >= FS / 2) return tf.clone(x);
  const h = lowpassTaps(cutoffHz);
  return firFilter(x, h, (h.length - 1) / 2);
}

/**
 * Down to 8 kHz and back: anti-alias low-pass, keep every other sample (a reshape and a slice), put zeros between
 * them and low-pass again (gain 2 restores the level). The cutoff sits below 4 kHz by half a transition band so the
 * filter's skirt does not alias.
 */
export const RESAMPLE_CUTOFF_HZ = 3650;

export function resample8k(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const [b, n] = x.shape;
    const even = n + (n % 2);
    const h = lowpassTaps(RESAMPLE_CUTOFF_HZ);
    const delay = (h.length - 1) / 2;
    const aa = firFilter(
      even === n
        ? x
        : tf.pad(x, [
            [0, 0],
            [0, 1],
          ]),
      h,
      delay,
    );
    const pairs = tf.reshape(aa, [b, even / 2, 2]);
    const kept = tf.slice(pairs, [0, 0, 0], [b, even / 2, 1]);
    const stuffed = tf.reshape(tf.concat([kept, tf.zerosLike(kept)], 2), [b, even]) as tf.Tensor2D;
    const up = tf.mul(firFilter(stuffed, h, delay), 2) as tf.Tensor2D;
    return (even === n ? up : tf.slice(up, [0, 0], [b, n])) as tf.Tensor2D;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Level, timing, noise

/** Gain per clip, dB. */
export function gain(x: tf.Tensor2D, db: readonly number[]): tf.Tensor2D {
  return tf.tidy(
    () =>
      tf.mul(
        x,
        tf.tensor2d(
          db.map((d) => 10 ** (d / 20)),
          [db.length, 1],
        ),
      ) as tf.Tensor2D,
  );
}

/** Delays (positive `samples`) or advances (negative) every clip, zero-filling the edge it uncovers. */
export function timeShift(x: tf.Tensor2D, samples: number): tf.Tensor2D {
  return tf.tidy(() => {
    const [b, n] = x.shape;
    const s = Math.max(-n, Math.min(n, Math.round(samples)));
    if (s >= 0)
      return tf.slice(
        tf.pad(x, [
          [0, 0],
          [s, 0],
        ]),
        [0, 0],
        [b, n],
      ) as tf.Tensor2D;
    return tf.slice(
      tf.pad(x, [
        [0, 0],
        [0, -s],
      ]),
      [0, -s],
      [b, n],
    ) as tf.Tensor2D;
  });
}

/** Square root that stays differentiable at 0 (silent clips, silent bands). */
const EPS = 1e-10;

/**
 * White Gaussian noise at an exact SNR per clip, against the clip's own mean power over its whole row (a padded
 * clip's zeros count: the noise spreads over them too, as the ASR masks them anyway). The noise is normalised to
 * unit power before scaling, so the SNR is the requested one, not a random draw around it.
 */
export function addNoise(x: tf.Tensor2D, snrDb: readonly number[], seed: number): tf.Tensor2D {
  return tf.tidy(() => {
    const [b, n] = x.shape;
    const raw = tf.randomNormal([b, n], 0, 1, 'float32', seed);
    const unit = tf.div(raw, tf.sqrt(tf.mean(tf.square(raw), 1, true)));
    const px = tf.mean(tf.square(x), 1, true);
    const scale = tf.mul(
      tf.sqrt(tf.add(px, EPS)),
      tf.tensor2d(
        snrDb.map((s) => 10 ** (-s / 20)),
        [b, 1],
      ),
    );
    return tf.add(x, tf.mul(unit, scale)) as tf.Tensor2D;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Room

/**
 * A synthetic room impulse response: the direct path, then from 2 ms on an exponentially decaying Gaussian tail
 * (−60 dB after `rt60S`), cut to `lengthMs` and scaled to unit energy. White noise keeps its level; speech comes out
 * 2–4 dB louder (its low frequencies add up coherently over the tail), well inside the gain range drawn anyway.
 */
export function syntheticRir(rt60S: number, lengthMs: number, seed: number): Float32Array {
  const k = Math.max(1, Math.round((lengthMs / 1000) * FS));
  const h = new Float32Array(k);
  h[0] = 1;
  let s = seed >>> 0 || 1;
  const gauss = () => {
    // Box–Muller on a small LCG: the RIR is plain data, drawn from the step's seed.
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const u = (s + 1) / 4294967297;
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const v = s / 4294967296;
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  const start = Math.round(0.002 * FS);
  const decay = Math.log(1000) / (rt60S * FS);
  // Tail level near the direct path so short rooms sound dry and long ones wet.
  for (let i = start; i < k; i++) h[i] = 0.3 * gauss() * Math.exp(-decay * i);
  let e = 0;
  for (let i = 0; i < k; i++) e += h[i]! * h[i]!;
  const g = 1 / Math.sqrt(e);
  for (let i = 0; i < k; i++) h[i]! *= g;
  return h;
}

/** Convolution with an impulse response (causal: the direct path stays at its sample). */
export function reverb(x: tf.Tensor2D, rir: Float32Array): tf.Tensor2D {
  return firFilter(x, rir, 0);
}

// ---------------------------------------------------------------------------------------------------------------
// Lossy coding

/** Bins per band of the coding stand-in: 16 bins of 31.25 Hz = 500 Hz bands (a codec's scale-factor bands are of this order). */
const CODEC_BAND_BINS = 16;

/**
 * The synthesis of the perfect-reconstruction STFT keeps about half of white coefficient noise (the frame is twice
 * redundant); doubling the noise makes the time-domain SNR the requested one (measured on a fixture clip: 8.0–8.4 dB
 * for 8 dB requested over three seeds).
 */
const CODEC_NOISE_GAIN = 2;

let bandCache: { key: string; pool: tf.Tensor2D; spread: tf.Tensor2D } | null = null;

/** Averaging [bins, bands] and membership [bands, bins] matrices of the coding bands (on the active backend). */
function bandMatrices(): { pool: tf.Tensor2D; spread: tf.Tensor2D } {
  const key = tf.getBackend();
  if (bandCache && bandCache.key === key && !bandCache.pool.isDisposed) return bandCache;
  const bands = Math.ceil(PR_BINS / CODEC_BAND_BINS);
  const pool = new Float32Array(PR_BINS * bands);
  const spread = new Float32Array(bands * PR_BINS);
  for (let k = 0; k < PR_BINS; k++) {
    const band = Math.floor(k / CODEC_BAND_BINS);
    const width = Math.min(CODEC_BAND_BINS, PR_BINS - band * CODEC_BAND_BINS);
    pool[k * bands + band] = 1 / width;
    spread[band * PR_BINS + k] = 1;
  }
  bandCache = {
    key,
    pool: tf.keep(tf.tensor2d(pool, [PR_BINS, bands])),
    spread: tf.keep(tf.tensor2d(spread, [bands, PR_BINS])),
  };
  return bandCache;
}

/**
 * Quantisation-like noise of a lossy codec: in each STFT frame and 500 Hz band, complex Gaussian noise whose power
 * is the band's own mean power times 10^(−snrDb/10). Loud bands get loud noise and silent bands none, as a codec's
 * bit allocation does; the noise follows the signal's spectrum, so it is the kind of distortion white noise at the
 * same SNR is not.
 */
export function codecNoise(x: tf.Tensor2D, snrDb: number, seed: number): tf.Tensor2D {
  return tf.tidy(() => {
    const [b, n] = x.shape;
    const { re, im } = prStft(x);
    const frames = re.shape[1];
    const rows = b * frames;
    const power = tf.reshape(tf.add(tf.square(re), tf.square(im)), [rows, PR_BINS]);
    const { pool, spread } = bandMatrices();
    const bandPower = tf.matMul(tf.matMul(power, pool), spread);
    const std = tf.sqrt(tf.add(tf.mul(bandPower, (CODEC_NOISE_GAIN * 10 ** (-snrDb / 10)) / 2), EPS));
    const noise = (s: number) =>
      tf.reshape(tf.mul(tf.randomNormal([rows, PR_BINS], 0, 1, 'float32', s), std), [b, frames, PR_BINS]);
    return prIstft({ re: tf.add(re, noise(seed)) as tf.Tensor3D, im: tf.add(im, noise(seed + 1)) as tf.Tensor3D }, n);
  });
}
