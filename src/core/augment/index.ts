/**
 * Training-time augmentation of a clip for the evaluators, shared by the Node trainer and the browser fine-tune:
 * a random voice (voice.ts), speed, level and noise. Plain DSP: no tfjs here.
 */
import { gaussianUFirst as gaussian, uniform } from '../data/random';
import { DEFAULT_VOICE_AUGMENT, drawVoice, readAtRate, transformVoice, type VoiceAugmentConfig } from './voice';

export { DEFAULT_VOICE_AUGMENT, drawVoice, IDENTITY_VOICE, transformVoice } from './voice';
export type { VoiceAugmentConfig, VoiceParams } from './voice';

export interface AugmentConfig {
  /** probability of adding noise, and its SNR range in dB */
  noiseProb: number;
  snrDb: [number, number];
  /** gain range in dB (capped so the clip never clips) */
  gainDb: [number, number];
  /** probability and range of speed perturbation (resampling: tempo and pitch move together) */
  speedProb: number;
  speed: [number, number];
  /** probability of a random voice transformation and its ranges (absent: none, as configs before it) */
  voiceProb?: number;
  voice?: VoiceAugmentConfig;
}

export const DEFAULT_AUGMENT: AugmentConfig = {
  noiseProb: 0.6,
  snrDb: [10, 40],
  gainDb: [-6, 6],
  speedProb: 0.6,
  speed: [0.9, 1.1],
};

/**
 * What a fine-tune in the browser draws from: the run defaults plus a random voice on half the augmented clips, so a
 * few minutes of fine-tuning on a user's small set does not teach the model that set's voices.
 */
export const FINE_TUNE_AUGMENT: AugmentConfig = { ...DEFAULT_AUGMENT, voiceProb: 0.5, voice: DEFAULT_VOICE_AUGMENT };

/** A random voice (when configured), then speed (linear-interpolation resampling), gain, white or pink-ish noise. */
export function augment(x: Float32Array, rng: () => number, cfg: AugmentConfig = DEFAULT_AUGMENT): Float32Array {
  let src = x;
  // the voice draw is consumed only when configured, so older configs keep their random streams
  if (cfg.voice && (cfg.voiceProb ?? 0) > 0) {
    const on = rng() < (cfg.voiceProb ?? 0);
    const v = drawVoice(rng, cfg.voice);
    if (on) src = transformVoice(x, v);
  }
  let y: Float32Array;
  if (rng() < cfg.speedProb) {
    y = readAtRate(src, uniform(rng, cfg.speed));
  } else y = src.slice();
  let peak = 0;
  for (let i = 0; i < y.length; i++) peak = Math.max(peak, Math.abs(y[i]!));
  // A louder copy must not clip: clipping adds distortion the level change alone would not, and teaches that instead.
  const gain = Math.min(10 ** (uniform(rng, cfg.gainDb) / 20), peak > 0 ? 0.99 / peak : Infinity);
  let power = 0;
  for (let i = 0; i < y.length; i++) {
    y[i] = y[i]! * gain;
    power += y[i]! * y[i]!;
  }
  power /= Math.max(1, y.length);
  if (rng() < cfg.noiseProb && power > 0) {
    const snr = uniform(rng, cfg.snrDb);
    const std = Math.sqrt(power / 10 ** (snr / 10));
    const pink = rng() < 0.5;
    let prev = 0;
    for (let i = 0; i < y.length; i++) {
      let n = gaussian(rng);
      // one-pole low-pass tilts white noise towards the low end; rescaled to unit variance
      if (pink) {
        prev = 0.95 * prev + n * Math.sqrt(1 - 0.95 * 0.95);
        n = prev;
      }
      y[i] = y[i]! + std * n;
    }
  }
  for (let i = 0; i < y.length; i++) y[i] = Math.max(-1, Math.min(1, y[i]!));
  return y;
}
