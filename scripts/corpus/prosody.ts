/**
 * Emotions acted through prosody. Each utterance draws its own settings from a per-emotion Gaussian (clamped to keep
 * speech intelligible), so classes overlap the way acted speech does: no single cue separates them.
 */
import { EMOTIONS, type Emotion } from '../../src/core/data/emotions';
import { gaussian, type Rng } from '../../src/core/data/random';

export interface Prosody {
  /** Mean F0 shift in semitones relative to the voice's neutral. */
  pitch: number;
  /** F0 standard deviation scale (1 = the voice's own range). */
  range: number;
  /** Speaking-rate factor (>1 is faster). */
  tempo: number;
  /** Level relative to the reference speech level, in dB. */
  gainDb: number;
  /** Spectral tilt in dB: half as a treble shelf boost, half as a bass shelf cut (positive = brighter). */
  tiltDb: number;
}

type Dist = { mean: number; sd: number; min: number; max: number };
export type ProsodyDistribution = Record<keyof Prosody, Dist>;

const d = (mean: number, sd: number, min: number, max: number): Dist => ({ mean, sd, min, max });

/**
 * The distributions (mean, sd, clamp range). Rationale, following the acoustic-correlates literature on acted emotion
 * (e.g. Banse & Scherer 1996): angry is loud, fast, bright, with a wide range; sad is slow, low, narrow, quiet and dark;
 * happy is high with the widest range and slightly fast; neutral sits in the middle. The standard deviations are set so
 * neighbouring classes overlap on every single cue.
 */
export const EMOTION_PROSODY: Record<Emotion, ProsodyDistribution> = {
  neutral: {
    pitch: d(0, 0.8, -4, 4),
    range: d(1.0, 0.15, 0.4, 2),
    tempo: d(1.0, 0.05, 0.8, 1.25),
    gainDb: d(0, 2, -8, 8),
    tiltDb: d(0, 1.5, -8, 8),
  },
  sad: {
    pitch: d(-1.5, 0.8, -4, 4),
    range: d(0.7, 0.12, 0.4, 2),
    tempo: d(0.88, 0.05, 0.8, 1.25),
    gainDb: d(-3, 2, -8, 8),
    tiltDb: d(-3, 1.5, -8, 8),
  },
  happy: {
    pitch: d(2, 0.8, -4, 4),
    range: d(1.45, 0.18, 0.4, 2),
    tempo: d(1.07, 0.05, 0.8, 1.25),
    gainDb: d(1.5, 2, -8, 8),
    tiltDb: d(1.5, 1.5, -8, 8),
  },
  angry: {
    pitch: d(1, 0.8, -4, 4),
    range: d(1.25, 0.18, 0.4, 2),
    tempo: d(1.12, 0.05, 0.8, 1.25),
    gainDb: d(3, 2, -8, 8),
    tiltDb: d(4, 1.5, -8, 8),
  },
};

export const PROSODY_KEYS: readonly (keyof Prosody)[] = ['pitch', 'range', 'tempo', 'gainDb', 'tiltDb'];

const round = (x: number, digits: number) => Number(x.toFixed(digits));

/** One utterance's prosody. Values are rounded so the manifest shows exactly what the engines received. */
export function drawProsody(emotion: Emotion, rng: Rng): Prosody {
  const dist = EMOTION_PROSODY[emotion];
  const out = {} as Prosody;
  for (const k of PROSODY_KEYS) {
    const { mean, sd, min, max } = dist[k];
    out[k] = round(Math.min(max, Math.max(min, mean + sd * gaussian(rng))), 3);
  }
  return out;
}

/**
 * The Bayes-optimal emotion given the prosody a clip was rendered with (equal priors, the Gaussians above; the clamps
 * are ignored, they sit beyond 2.5 sd for every cue a class leans on). No model that hears the audio can beat this
 * on average: it knows the drawn settings exactly, relative to the voice's own neutral, which the audio gives only
 * approximately. `cues` limits which settings it may use.
 */
export function oracleEmotion(p: Prosody, cues: readonly (keyof Prosody)[] = PROSODY_KEYS): Emotion {
  let best: Emotion = EMOTIONS[0]!;
  let bestLl = -Infinity;
  for (const e of EMOTIONS) {
    let ll = 0;
    for (const k of cues) {
      const { mean, sd } = EMOTION_PROSODY[e][k];
      ll += -0.5 * ((p[k] - mean) / sd) ** 2 - Math.log(sd);
    }
    if (ll > bestLl) [best, bestLl] = [e, ll];
  }
  return best;
}
