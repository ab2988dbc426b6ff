/**
 * Small YIN pitch tracker and frame-level loudness/tilt measures used to document the corpus prosody.
 * Pure TS over 16 kHz mono Float32Array; accuracy is ample for per-emotion averages, not for research on F0.
 */
import { fftInPlace } from '../../src/core/analysis';

export interface PitchTrack {
  /** F0 in Hz per frame, 0 where unvoiced. */
  f0: Float32Array;
  /** Frame RMS (linear). */
  rms: Float32Array;
  hopSeconds: number;
}

export interface PitchOptions {
  sampleRate?: number;
  minF0?: number;
  maxF0?: number;
  frameSeconds?: number;
  hopSeconds?: number;
  /** YIN aperiodicity threshold: lower is stricter about calling a frame voiced. */
  threshold?: number;
}

export function trackPitch(x: Float32Array, opts: PitchOptions = {}): PitchTrack {
  const sr = opts.sampleRate ?? 16000;
  const minF0 = opts.minF0 ?? 60;
  const maxF0 = opts.maxF0 ?? 450;
  const frame = Math.round(sr * (opts.frameSeconds ?? 0.04));
  const hop = Math.round(sr * (opts.hopSeconds ?? 0.01));
  const threshold = opts.threshold ?? 0.15;
  const maxLag = Math.min(Math.floor(sr / minF0), frame - 1);
  const minLag = Math.max(2, Math.floor(sr / maxF0));
  const n = x.length < frame + maxLag ? 0 : Math.floor((x.length - frame - maxLag) / hop) + 1;
  const f0 = new Float32Array(n);
  const rms = new Float32Array(n);
  const d = new Float64Array(maxLag + 1);
  let peak = 0;
  for (let i = 0; i < x.length; i++) peak = Math.max(peak, Math.abs(x[i]));
  // Frames more than 35 dB under the clip peak are treated as silence before YIN even looks at them.
  const silence = peak * 10 ** (-35 / 20);
  for (let t = 0; t < n; t++) {
    const s = t * hop;
    let e = 0;
    for (let i = 0; i < frame; i++) e += x[s + i] * x[s + i];
    rms[t] = Math.sqrt(e / frame);
    if (rms[t] < silence) continue;
    d[0] = 0;
    for (let lag = 1; lag <= maxLag; lag++) {
      let acc = 0;
      for (let i = 0; i < frame; i++) {
        const diff = x[s + i] - x[s + i + lag];
        acc += diff * diff;
      }
      d[lag] = acc;
    }
    // Cumulative mean normalised difference, then the first dip under the threshold.
    let running = 0;
    let best = -1;
    for (let lag = 1; lag <= maxLag; lag++) {
      running += d[lag];
      const cmnd = running > 0 ? (d[lag] * lag) / running : 1;
      d[lag] = cmnd;
    }
    for (let lag = minLag; lag <= maxLag; lag++) {
      if (d[lag] < threshold) {
        while (lag + 1 <= maxLag && d[lag + 1] < d[lag]) lag++;
        best = lag;
        break;
      }
    }
    if (best < 0) continue;
    // Parabolic interpolation around the dip for sub-sample lag.
    let lag = best;
    if (best > 1 && best < maxLag) {
      const a = d[best - 1],
        b = d[best],
        c = d[best + 1];
      const den = a - 2 * b + c;
      if (den !== 0) lag = best + (0.5 * (a - c)) / den;
    }
    f0[t] = sr / lag;
  }
  return { f0, rms, hopSeconds: hop / sr };
}

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

/**
 * Syllables of an English transcript by vowel groups with the usual silent-e and -le corrections: within a few percent
 * of a dictionary count on average, which is all a per-emotion speaking-rate comparison needs.
 */
export function countSyllables(text: string): number {
  let total = 0;
  for (const raw of text.toLowerCase().split(/\s+/)) {
    const w = raw.replace(/[^a-z]/g, '');
    if (!w) continue;
    let groups = w.match(/[aeiouy]+/g)?.length ?? 0;
    if (/[^aeiouy]e$/.test(w) && !/[^aeiouy]le$/.test(w) && groups > 1) groups--;
    if (/[^aeiouy]ed$/.test(w) && !/[td]ed$/.test(w) && groups > 1) groups--;
    total += Math.max(1, groups);
  }
  return total;
}
