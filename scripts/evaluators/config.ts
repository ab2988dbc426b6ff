/** Training-run configuration of the evaluators (configs/evaluators.*.json). */
import { readFileSync } from 'node:fs';
import type { FrontendConfig } from '../../src/core/dsp/frontend';
import { DEFAULT_ASR_CONFIG, DEFAULT_SER_CONFIG, type AsrConfig, type SerConfig } from '../../src/core/ml/models';
import { DEFAULT_AUGMENT, type AugmentConfig } from '../../src/core/augment';

export interface ModelTrainConfig<C> {
  /** overrides of the default architecture (`frontend` overrides single fields of the default front end) */
  model: Omit<Partial<C>, 'frontend'> & { frontend?: Partial<FrontendConfig> };
  /** folder under the run's outDir for the exported model (default: the kind, e.g. public/models/asr) */
  outName?: string;
  /**
   * Fine-tune: start from the weights in this model folder (model.json + weights.bin, same architecture as `model`)
   * instead of a random init; the optimizer and schedule start fresh. Ignored when a run in runDir resumes.
   */
  init?: string;
  epochs: number;
  lr: number;
  warmupSteps: number;
  /**
   * Warm restarts of the cosine schedule: at each of these epochs the learning rate jumps back to
   * lr × restartScale (after a short warm-up) and decays again to the end of the next cycle.
   */
  restartAt?: number[];
  restartScale?: number;
  maxBatch: number;
  /** padded audio per batch (batch × longest clip), seconds */
  maxSeconds: number;
  clipNorm: number;
  /** probability that a training clip is augmented */
  augmentProb: number;
  /** use an evenly spread subset of train / val (null = all) */
  trainLimit: number | null;
  valLimit: number | null;
  labelSmoothing?: number;
  /** overrides of the run's augmentation for this model */
  augment?: Partial<AugmentConfig>;
  /**
   * Training voices left out of training altogether (one fold of leave-one-voice-out): checkpoints are selected on
   * the mean of the val score over the remaining voices and over these, so the choice rewards generalising to a voice
   * the model never heard. Never test or test_speaker.
   */
  holdOutVoices?: string[];
  /** beam width, word bonuses and unigram LM weights tried on val at the end (ASR) */
  beamWidth?: number;
  wordBonuses?: number[];
  lmWeights?: number[];
}

export interface TrainRunConfig {
  name: string;
  manifest: string;
  runDir: string;
  /** where the shipped models go (public/models) or null for no export */
  outDir: string | null;
  seed: number;
  augment: AugmentConfig;
  /** general English word list for the lexicon beam search (train/val words are added) */
  wordList: string | null;
  asr: ModelTrainConfig<AsrConfig> | null;
  ser: ModelTrainConfig<SerConfig> | null;
}

export function loadRunConfig(file: string): TrainRunConfig {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Partial<TrainRunConfig>;
  if (!raw.name || !raw.manifest || !raw.runDir) throw new Error(`${file}: name, manifest and runDir are required`);
  return {
    name: raw.name,
    manifest: raw.manifest,
    runDir: raw.runDir,
    outDir: raw.outDir ?? null,
    seed: raw.seed ?? 1,
    augment: { ...DEFAULT_AUGMENT, ...(raw.augment ?? {}) },
    wordList: raw.wordList ?? null,
    asr: raw.asr ?? null,
    ser: raw.ser ?? null,
  };
}

export function asrModelConfig(c: ModelTrainConfig<AsrConfig>): AsrConfig {
  return {
    ...DEFAULT_ASR_CONFIG,
    ...c.model,
    frontend: { ...DEFAULT_ASR_CONFIG.frontend, ...c.model.frontend },
    kind: 'asr',
  };
}

export function serModelConfig(c: ModelTrainConfig<SerConfig>): SerConfig {
  return {
    ...DEFAULT_SER_CONFIG,
    ...c.model,
    frontend: { ...DEFAULT_SER_CONFIG.frontend, ...c.model.frontend },
    kind: 'ser',
  };
}
