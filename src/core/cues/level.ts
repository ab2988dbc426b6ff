/**
 * Speech level and spectral tilt of a clip, gated to its speech-active frames. The corpus sets each clip's level and
 * documents its prosody with these (scripts/corpus), and the cue-based emotion reading uses them (./emotion.ts).
 */
import { fftInPlace } from '../analysis';

/** Frame powers (mean square) of 20 ms frames with a 10 ms hop. */
function framePowers(x: Float32Array, sr: number): Float64Array {
  const frame = Math.round(sr * 0.02);
  const hop = Math.round(sr * 0.01);
  const n = x.length < frame ? 0 : Math.floor((x.length - frame) / hop) + 1;
  const out = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    let e = 0;
    for (let i = t * hop, end = t * hop + frame; i < end; i++) e += x[i]! * x[i]!;
    out[t] = e / frame;
  }
  return out;
}

export interface Level {
  /** RMS over speech-active frames, dBFS (a sine at full scale is −3 dBFS). */
  activeDb: number;
  /** Seconds of speech-active frames. */
  activeSeconds: number;
  peak: number;
}

/**
 * Speech level the way loudness meters gate it: frames within 40 dB of the loudest frame count as active, so leading
 * silence and pauses do not dilute the level. Used by the generator (to set each clip's level) and by the measurements.
 */
export function speechLevel(x: Float32Array, sr = 16000): Level {
  const p = framePowers(x, sr);
  let max = 0;
  for (const v of p) max = Math.max(max, v);
  let peak = 0;
  for (let i = 0; i < x.length; i++) peak = Math.max(peak, Math.abs(x[i]!));
  if (max <= 0) return { activeDb: -Infinity, activeSeconds: 0, peak };
  const gate = max * 1e-4;
  let sum = 0;
  let n = 0;
  for (const v of p) {
    if (v >= gate) {
      sum += v;
      n++;
    }
  }
  return { activeDb: 10 * Math.log10(sum / n), activeSeconds: n * 0.01, peak };
}

/**
 * Spectral tilt as the alpha ratio: energy 1–5 kHz over energy 50 Hz–1 kHz in dB, summed over speech-active frames
 * (Hann-windowed 32 ms frames). Higher means brighter, as in tense, loud speech.
 */
export function alphaRatioDb(x: Float32Array, sr = 16000): number {
  const n = 512;
  const hop = 256;
  const win = new Float64Array(n);
  for (let i = 0; i < n; i++) win[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
  const frames = x.length < n ? 0 : Math.floor((x.length - n) / hop) + 1;
  const energies = new Float64Array(frames);
  for (let t = 0; t < frames; t++) {
    let e = 0;
    for (let i = 0; i < n; i++) e += x[t * hop + i]! ** 2;
    energies[t] = e;
  }
  let max = 0;
  for (const v of energies) max = Math.max(max, v);
  const gate = max * 1e-4;
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  const binHz = sr / n;
  let lo = 0;
  let hi = 0;
  for (let t = 0; t < frames; t++) {
    if (energies[t]! < gate || energies[t]! === 0) continue;
    for (let i = 0; i < n; i++) {
      re[i] = x[t * hop + i]! * win[i]!;
      im[i] = 0;
    }
    fftInPlace(re, im);
    for (let k = 1; k < n / 2; k++) {
      const f = k * binHz;
      const p = re[k]! ** 2 + im[k]! ** 2;
      if (f >= 50 && f < 1000) lo += p;
      else if (f >= 1000 && f < 5000) hi += p;
    }
  }
  return lo > 0 && hi > 0 ? 10 * Math.log10(hi / lo) : 0;
}
