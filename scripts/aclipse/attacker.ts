/**
 * The adaptive attacker: a trainable copy of an ASR fine-tuned on clips protected by the generator (the attacker has
 * the protector). Shared by the privacy–utility report (`npm run eval`, part `attacker`) and the adversarial rounds
 * (`npm run train:adversarial`), which also keep the fine-tuned model as an ensemble member for the generator.
 */
import * as tf from '@tensorflow/tfjs';
import { copyFile, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Protector } from '../../src/core/aclipse/banded';
import type { TrainingClip } from '../../src/core/data/clip';
import { mulberry32 } from '../../src/core/data/random';
import { protectWith } from '../../src/core/evaluation';
import { fit } from '../../src/core/ml/fit';
import type { AsrModel } from '../../src/core/ml/models';
import { predictAsr, type DecodeOptions } from '../../src/core/ml/predict';
import { asrMetrics } from '../../src/core/ml/train';
import { decoderSettings, exportModel, modelFromArtifacts } from '../../src/core/ml/weights';
import { readModelDir, writeModelDir } from '../../src/core/node/io';

export interface AttackerConfig {
  /** how many train-split clips the attacker fine-tunes on */
  trainClips: number;
  epochs: number;
  learningRate: number;
  /** the budget the generator protects the attacker's clips at */
  budgetDb: number;
  maxBatch: number;
}

/** WER with greedy decoding and, where the ASR has a word list, with its beam search (word list + LM). */
export interface WerPair {
  greedy: number;
  beam: number | null;
}

export interface AttackerResult {
  budgetDb: number;
  trainClips: number;
  steps: number;
  werProtectedBefore: WerPair;
  werProtectedAfter: WerPair;
  werOriginalBefore: WerPair;
  werOriginalAfter: WerPair;
}

export interface FineTuneOptions {
  /** the ASR folder (model.json + weights.bin) the attacker starts from */
  asrDir: string;
  attacker: AttackerConfig;
  seed: number;
}

type Log = (msg: string) => void;

const pct = (x: number) => (Number.isFinite(x) ? (x * 100).toFixed(1) : '–');

/**
 * Fine-tunes a copy of the ASR in `opts.asrDir` on `trainClips` protected by `gen` at the attacker's budget and
 * measures WER on `testClips` (protected and original) before and after. Returns the fine-tuned model too: the caller
 * owns it (saves it with {@link saveAttacker}, disposes it).
 */
export async function fineTuneAttacker(
  opts: FineTuneOptions,
  gen: Protector,
  /** the frozen ASR's beam decoder (word list + LM), already loaded; null scores greedy only */
  decoder: DecodeOptions | null,
  trainClips: readonly TrainingClip[],
  testClips: readonly TrainingClip[],
  log: Log,
): Promise<{ result: AttackerResult; asr: AsrModel }> {
  const cfg = opts.attacker;
  // The attacker knows the protector: it protects its own training clips with the same generator and budget.
  const budget = cfg.budgetDb;
  // a trainable copy of the frozen ASR: fine-tuning must not touch the one that scores the methods
  const asr = modelFromArtifacts(await readModelDir(opts.asrDir), 'asr');
  try {
    const protectedTrain: Float32Array[] = [];
    for (const c of trainClips)
      protectedTrain.push((await protectWith('aclipse', c.samples, { budgetDb: budget, generator: gen })).wave);
    const protectedTest: Float32Array[] = [];
    for (const c of testClips)
      protectedTest.push((await protectWith('aclipse', c.samples, { budgetDb: budget, generator: gen })).wave);
    log(`attacker: protected ${protectedTrain.length} training and ${protectedTest.length} test clips at ${budget} dB`);
    const refs = testClips.map((c) => c.text);
    const werOf = async (waves: Float32Array[], withBeam = true): Promise<WerPair> => {
      const m = asrMetrics(refs, await predictAsr(asr, waves, withBeam ? (decoder ?? {}) : {}));
      return { greedy: m.werGreedy, beam: m.werBeam ?? null };
    };
    const werProtectedBefore = await werOf(protectedTest);
    const werOriginalBefore = await werOf(testClips.map((c) => c.samples));
    log(
      `attacker before fine-tuning: greedy WER ${pct(werProtectedBefore.greedy)}% protected, ${pct(werOriginalBefore.greedy)}% original`,
    );
    const optimizer = tf.train.adam(cfg.learningRate);
    const rng = mulberry32(opts.seed);
    const { step: steps } = await fit(
      asr,
      optimizer,
      protectedTrain.map((w, i) => ({ samples: w, text: trainClips[i].text })),
      {
        epochs: cfg.epochs,
        maxBatch: cfg.maxBatch,
        maxSamples: 16000 * 48,
        rng: () => rng,
        seed: (step) => step + 1,
        clipNorm: 5,
        ctcMode: 'sync',
        onEpochEnd: async ({ epoch }) => {
          log(
            `attacker epoch ${epoch}/${cfg.epochs}: greedy WER on protected test ${pct((await werOf(protectedTest, false)).greedy)}%`,
          );
        },
      },
    );
    optimizer.dispose();
    const result: AttackerResult = {
      budgetDb: budget,
      trainClips: trainClips.length,
      steps,
      werProtectedBefore,
      werProtectedAfter: await werOf(protectedTest),
      werOriginalBefore,
      werOriginalAfter: await werOf(testClips.map((c) => c.samples)),
    };
    return { result, asr };
  } catch (e) {
    asr.dispose();
    throw e;
  }
}

/**
 * Writes a fine-tuned attacker as an ASR model folder (model.json + weights.bin, the format of public/models/asr-b),
 * so it loads with `readModelDir` and serves as an ensemble member (`loadEnsemble`). The decoder settings and files
 * (word list, LM) of the ASR it started from are carried over when that folder has them, so the attacker's folder
 * also scores with the beam search. model.json is written last: its presence marks a complete folder.
 */
export async function saveAttacker(
  dir: string,
  asr: AsrModel,
  info: { from: string; result: AttackerResult; trainedWith?: Record<string, unknown> },
): Promise<void> {
  const source = await readModelDir(info.from);
  const decoder = source.modelJson.trainedWith?.decoder as Record<string, unknown> | undefined;
  const d = decoderSettings(source.modelJson);
  const files = [d.lexicon, d.lm].filter((f): f is string => !!f && existsSync(path.join(info.from, f)));
  const art = await exportModel(
    asr,
    { attacker: info.result },
    {
      ...info.trainedWith,
      ...(decoder && d.lexicon && files.includes(d.lexicon) ? { decoder } : {}),
      init: { from: info.from, ...source.modelJson.trainedWith },
    },
  );
  await mkdir(dir, { recursive: true });
  for (const f of files) await copyFile(path.join(info.from, f), path.join(dir, f));
  await writeModelDir(dir, art);
}
