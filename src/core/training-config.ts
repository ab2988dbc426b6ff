/**
 * The Aclipse training configuration and the paper's settings, as plain data: the trainer
 * (src/core/aclipse/trainer.ts), the scripts and the Train tab's presets all read them from here (no tfjs).
 */

// type only: erased at build, so this module stays tfjs-free for the UI
import type { CueKeepConfig } from './aclipse/cuekeep';
import type { EotConfig } from './aclipse/eot';
import type { VoiceAugmentConfig } from './augment/voice';

export type TunedModule = 'er' | 'so';

export interface StageConfig {
  epochs: number;
  learningRate: number;
}

export interface AclipseTrainConfig {
  seed: number;
  /** Minimum SNR (dB) the generator may use, enforced by construction. Validation protects at this budget. */
  budgetDb: number;
  /**
   * Train across budgets: each step protects at a budget drawn uniformly (in dB) from this range instead of
   * `budgetDb`, so one set of weights learns a perturbation that still works when the user's budget scales it down.
   */
  budgetRangeDb?: [number, number] | null;
  /** Stratified subset size and how often (epochs) it is replaced (paper: 400, 5). */
  subsetSize: number;
  swapEvery: number;
  batchSize: number;
  /** Cap on padded audio per batch (batch × longest clip), in seconds: bounds memory (the wasm heap) on long clips. */
  maxBatchSeconds?: number;
  stage1: StageConfig & { lambda1: number };
  stage2: StageConfig & { lambda2: number; tune: TunedModule };
  /**
   * Expectation over transformations: the evaluators read the protected batch through random channel transforms
   * (resampling, low-pass, noise, gain, shift, reverb, coding noise) in stages 1 and 2. Off when absent or null.
   */
  eot?: EotConfig | null;
  /**
   * Many voices in, not seven: with probability `prob` each training clip enters the generator as another voice of
   * itself (augment/voice.ts: vocal-tract length, colour, band limit, room), so the perturbation it learns does not
   * lean on the spectra of the corpus's synthetic voices. Training steps only; validation reads clips as recorded.
   * Off when absent or null. The frozen SER still reads the emotion label, so the ranges must not move the cues it
   * reads the emotion from (pitch, tempo): keep `pitchProb` and `tempoProb` at 0 with the shipped SER.
   */
  inputVoice?: { prob: number; voice: VoiceAugmentConfig } | null;
  /**
   * Keep the emotion cues a listener hears, not only the frozen SER's decision: adds Σ w·part of the cue-keeping
   * term (aclipse/cuekeep.ts: pitch evidence, spectral tilt, level of the protected clip against its input) to both
   * stages' objectives. Off when absent or null.
   */
  cueKeep?: CueKeepConfig | null;
}

export const PAPER_CONFIG: AclipseTrainConfig = {
  seed: 0,
  budgetDb: 10,
  subsetSize: 400,
  swapEvery: 5,
  batchSize: 16,
  stage1: { epochs: 100, learningRate: 1e-3, lambda1: -1 },
  stage2: { epochs: 100, learningRate: 1e-5, lambda2: 1, tune: 'er' },
};

/**
 * The cue-keeping weights of configs/aclipse.cuekeep.json (the term's size at the shipped weights is about the SER's
 * cross-entropy). The Train tab's “Keep emotion cues” field is a multiple of them.
 */
export const CUE_KEEP_UNIT: CueKeepConfig = { pitch: 30, tilt: 5, level: 5 };

/** The cue-keeping weights at `scale` × CUE_KEEP_UNIT; null (off, the paper's objective) at 0. */
export function cueKeepAt(scale: number): CueKeepConfig | null {
  if (!(Number.isFinite(scale) && scale > 0)) return null;
  return { pitch: CUE_KEEP_UNIT.pitch * scale, tilt: CUE_KEEP_UNIT.tilt * scale, level: CUE_KEEP_UNIT.level * scale };
}

/** Whether every cue-keeping weight is a number ≥ 0 (run configs and the worker check the same way). */
export function validCueKeep(c: CueKeepConfig): boolean {
  return [c.pitch, c.tilt, c.level].every((w) => Number.isFinite(w) && w >= 0);
}

/** The multiple of CUE_KEEP_UNIT a config's cue-keeping weights are, read from the pitch weight (0 when off). */
export function cueKeepScale(c: CueKeepConfig | null | undefined): number {
  return c ? c.pitch / CUE_KEEP_UNIT.pitch : 0;
}
