/**
 * Small YIN pitch tracker and frame-level loudness/tilt measures used to document the corpus prosody.
 * Pure TS over 16 kHz mono Float32Array; accuracy is ample for per-emotion averages, not for research on F0.
 */

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

// Level and tilt are shared with the app's cue-based emotion reading; the corpus measures them the same way.
export { alphaRatioDb, speechLevel, type Level } from '../../src/core/cues/level';

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
