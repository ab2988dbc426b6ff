/**
 * Perfect-reconstruction STFT used by the Aclipse generator.
 *
 * The generator edits speech in the time–frequency domain (frequency bins are its channels), so it needs an
 * analysis/synthesis pair whose round trip is the identity when nothing is changed. A periodic sqrt-Hann window
 * at 50 % overlap satisfies w²[n] + w²[n + hop] = 1, so windowed overlap-add of the inverse DFT gives back the
 * input exactly. Framing and overlap-add are reshapes, slices and pads, and the DFT is a matMul with a fixed
 * basis, so the whole path is differentiable on wasm, cpu and webgpu alike (tfjs has no FFT gradient).
 */
import * as tf from '@tensorflow/tfjs';

export const PR_NFFT = 512;
export const PR_HOP = PR_NFFT / 2;
export const PR_BINS = PR_NFFT / 2 + 1;

interface Bases {
  analysis: tf.Tensor2D; // [nFft, 2·bins]: windowed cos | −sin
  synthesis: tf.Tensor2D; // [2·bins, nFft]: inverse real DFT, times the window
}

const basisCache = new Map<string, Bases>();

function buildBases(): Bases {
  const n = PR_NFFT;
  const bins = PR_BINS;
  const win = new Float32Array(n);
  for (let i = 0; i < n; i++) win[i] = Math.sin((Math.PI * i) / n);
  const a = new Float32Array(n * 2 * bins);
  const s = new Float32Array(2 * bins * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < bins; k++) {
      // Reduce the phase index modulo n in integers so large k·i keep full float precision.
      const ang = (2 * Math.PI * ((k * i) % n)) / n;
      const c = Math.cos(ang);
      const sn = Math.sin(ang);
      a[i * 2 * bins + k] = win[i] * c;
      a[i * 2 * bins + bins + k] = -win[i] * sn;
      const weight = (k === 0 || k === bins - 1 ? 1 : 2) / n;
      s[k * n + i] = weight * c * win[i];
      s[(bins + k) * n + i] = -weight * sn * win[i];
    }
  }
  return {
    analysis: tf.keep(tf.tensor2d(a, [n, 2 * bins])),
    synthesis: tf.keep(tf.tensor2d(s, [2 * bins, n])),
  };
}

/** Bases live on the active backend; cache them per backend so a backend switch gets fresh ones. */
function bases(): Bases {
  const key = tf.getBackend();
  let b = basisCache.get(key);
  if (!b || b.analysis.isDisposed) {
    b = buildBases();
    basisCache.set(key, b);
  }
  return b;
}

export interface Spectrum {
  /** Real part [B, F, bins]. */
  re: tf.Tensor3D;
  /** Imaginary part [B, F, bins]. */
  im: tf.Tensor3D;
}

/** Number of STFT frames for a signal of `n` samples. */
export function prFrameCount(n: number): number {
  return Math.ceil(n / PR_HOP) + 1;
}

/** Analysis: x [B, N] → spectrum with prFrameCount(N) frames. */
export function prStft(x: tf.Tensor2D): Spectrum {
  return tf.tidy(() => {
    const [batch, n] = x.shape;
    const blocks = Math.ceil(n / PR_HOP) + 2;
    const padded = tf.pad(x, [
      [0, 0],
      [PR_HOP, blocks * PR_HOP - n - PR_HOP],
    ]);
    const b3 = tf.reshape(padded, [batch, blocks, PR_HOP]);
    const frames = blocks - 1;
    const framed = tf.concat(
      [tf.slice(b3, [0, 0, 0], [batch, frames, PR_HOP]), tf.slice(b3, [0, 1, 0], [batch, frames, PR_HOP])],
      2,
    );
    const spec = tf.matMul(tf.reshape(framed, [batch * frames, PR_NFFT]), bases().analysis);
    const re = tf.reshape(tf.slice(spec, [0, 0], [batch * frames, PR_BINS]), [batch, frames, PR_BINS]);
    const im = tf.reshape(tf.slice(spec, [0, PR_BINS], [batch * frames, PR_BINS]), [batch, frames, PR_BINS]);
    return { re: re as tf.Tensor3D, im: im as tf.Tensor3D };
  });
}

/** Synthesis: spectrum → x [B, n] (the inverse of prStft when n is the original length). */
export function prIstft(spec: Spectrum, n: number): tf.Tensor2D {
  return tf.tidy(() => {
    const [batch, frames] = spec.re.shape;
    const flat = tf.reshape(tf.concat([spec.re, spec.im], 2), [batch * frames, 2 * PR_BINS]);
    const timeFrames = tf.reshape(tf.matMul(flat, bases().synthesis), [batch, frames, PR_NFFT]);
    const first = tf.slice(timeFrames, [0, 0, 0], [batch, frames, PR_HOP]);
    const second = tf.slice(timeFrames, [0, 0, PR_HOP], [batch, frames, PR_HOP]);
    // Block j receives the second half of frame j−1 and the first half of frame j.
    const summed = tf.add(
      tf.pad(first, [
        [0, 0],
        [0, 1],
        [0, 0],
      ]),
      tf.pad(second, [
        [0, 0],
        [1, 0],
        [0, 0],
      ]),
    );
    const signal = tf.reshape(summed, [batch, (frames + 1) * PR_HOP]);
    return tf.slice(signal, [0, PR_HOP], [batch, n]) as tf.Tensor2D;
  });
}

/** Bin index of a frequency in Hz (16 kHz audio). */
export function prBinOf(hz: number, sampleRate = 16000): number {
  return Math.round((hz / sampleRate) * PR_NFFT);
}
