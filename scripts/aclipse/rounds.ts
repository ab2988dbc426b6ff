/**
 * The pieces of one adversarial round (`npm run train:adversarial`, scripts/aclipse/adversarial.ts): the folders a
 * round writes, the attacker part (an ASR copy fine-tuned on train clips protected by the current generator, scored
 * on val, saved as an ASR model folder) and the generator part's run config (the base ensemble plus that attacker).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { bySplit, stratifiedSubset, type DatasetIndex } from '../../src/core/data';
import type { AsrModel } from '../../src/core/ml/models';
import { readModelDir } from '../../src/core/node/io';
import { readDecoder } from '../evaluators/data';
import { fineTuneAttacker, saveAttacker, type AttackerConfig, type AttackerResult } from './attacker';
import { readGeneratorDir, spread, toClips } from './common';
import type { EnsembleConfig } from './config';

/** Where round `round` (1-based) of a run rooted at `out` keeps its parts. */
export interface RoundPaths {
  root: string;
  /** the fine-tuned attacker: an ASR model folder (model.json + weights.bin [+ words.txt, lm.bin]) */
  attacker: string;
  /** the generator part's run config (the base config plus the attacker as an ensemble member) */
  config: string;
  /** train-aclipse's run tag and its seed folder (checkpoints, state.json, final/) */
  tag: string;
  seedDir: string;
  /** the generator this round ends with */
  generator: string;
  /** wall times and attacker WERs of the round */
  summary: string;
}

/** The attacker of each round before `round`, as ensemble members are named (attacker-r1, …). */
export function earlierAttackers(out: string, round: number, seed: number): { name: string; dir: string }[] {
  return Array.from({ length: round - 1 }, (_, i) => ({
    name: `attacker-r${i + 1}`,
    dir: roundPaths(out, i + 1, seed).attacker,
  }));
}

export function roundPaths(out: string, round: number, seed: number): RoundPaths {
  const root = path.join(out, `round-${round}`);
  const tag = `adversarial-r${round}`;
  const seedDir = path.join(root, tag, `seed-${seed}`);
  return {
    root,
    attacker: path.join(root, 'attacker'),
    config: path.join(root, 'config.json'),
    tag,
    seedDir,
    generator: path.join(seedDir, 'final'),
    summary: path.join(root, 'summary.json'),
  };
}

/** A config file as written (no defaults filled in), the shape of configs/aclipse*.json. */
export type RawRunConfig = Record<string, unknown> & {
  name: string;
  train: Record<string, unknown> & { stage1?: Record<string, unknown>; stage2?: Record<string, unknown> };
  ensemble?: EnsembleConfig;
};

export interface RoundConfigOptions {
  round: number;
  paths: RoundPaths;
  /** the attacker's share in the ensemble (the shipped ASR's is `ensemble.asrWeight`, default 1) */
  attackerWeight: number;
  seed: number;
  epochs1?: number;
  epochs2?: number;
  subset?: number;
  /** clips per step */
  batch?: number;
  /**
   * padded seconds of audio per step (trainer default 24): every attacker member adds its activations to the one
   * wasm heap, and the fourth member no longer fits at 24 s
   */
  batchSeconds?: number;
  /**
   * Earlier rounds' attackers kept as members beside this round's, each at `attackerWeight`: without them round k
   * trains only against round k's attacker and may hand back what round k−1 hid (the generator forgets).
   */
  earlier?: { name: string; dir: string }[];
}

/**
 * The generator part's run config: the base config with this round's attacker appended to its ensemble members,
 * the round's tag and run folder, one seed, and the epoch/subset overrides. The base config is not modified.
 */
export function deriveRoundConfig(base: RawRunConfig, opts: RoundConfigOptions): RawRunConfig {
  const cfg = structuredClone(base);
  const members = cfg.ensemble?.members ?? [];
  const name = `attacker-r${opts.round}`;
  cfg.name = opts.paths.tag;
  cfg.runDir = opts.paths.root;
  cfg.seeds = [opts.seed];
  cfg.shipSeed = opts.seed;
  const attackers = [...(opts.earlier ?? []), { name, dir: opts.paths.attacker }];
  const names = new Set(attackers.map((a) => a.name));
  cfg.ensemble = {
    ...cfg.ensemble,
    members: [
      ...members.filter((m) => !names.has(m.name)),
      ...attackers.map((a) => ({ ...a, weight: opts.attackerWeight })),
    ],
  };
  if (opts.epochs1 !== undefined) cfg.train.stage1 = { ...cfg.train.stage1, epochs: opts.epochs1 };
  if (opts.epochs2 !== undefined) cfg.train.stage2 = { ...cfg.train.stage2, epochs: opts.epochs2 };
  if (opts.subset !== undefined) cfg.train.subsetSize = opts.subset;
  if (opts.batch !== undefined) cfg.train.batchSize = opts.batch;
  if (opts.batchSeconds !== undefined) cfg.train.maxBatchSeconds = opts.batchSeconds;
  cfg._comment =
    `Adversarial round ${opts.round} (issue 19), written by npm run train:adversarial: the base config ` +
    `${String(base.name)} with the round's attacker (an ASR copy fine-tuned on train clips protected by the ` +
    `previous generator) as a further ensemble member` +
    (opts.earlier?.length
      ? `, beside the earlier rounds' attackers (${opts.earlier.map((a) => a.name).join(', ')}).`
      : '.');
  return cfg;
}

/** True when an ASR folder is complete (model.json is written after the weights). */
export const attackerDone = (p: RoundPaths): boolean => existsSync(path.join(p.attacker, 'model.json'));

/** True when train-aclipse finished the round's run (final weights written, state marked done). */
export function generatorDone(p: RoundPaths): boolean {
  const state = path.join(p.seedDir, 'state.json');
  if (!existsSync(path.join(p.generator, 'model.json')) || !existsSync(state)) return false;
  return (JSON.parse(readFileSync(state, 'utf8')) as { done?: boolean }).done === true;
}

export interface AttackerPartOptions {
  corpus: DatasetIndex;
  /** the ASR folder the attacker starts from (the shipped ASR) */
  asrDir: string;
  /** the generator that protects the attacker's clips (the previous round's) */
  generatorDir: string;
  attacker: AttackerConfig;
  /** val clips the attacker's WER is measured on (evenly spread over the val split) */
  valClips: number;
  /** also score with the shipped ASR's beam search (word list + LM; slower) */
  beam: boolean;
  seed: number;
  round: number;
  /** where to save the attacker (an ASR model folder) */
  out: string;
  trainedWith?: Record<string, unknown>;
  log: (msg: string) => void;
}

export interface AttackerPart {
  result: AttackerResult;
  /** the fine-tuned model (the caller disposes it) */
  asr: AsrModel;
  trainIds: string[];
  valIds: string[];
  seconds: number;
}

/**
 * Fine-tunes an attacker on `attacker.trainClips` clips of the train split (a stratified subset drawn per round),
 * protected by the generator in `generatorDir`; measures its WER on val clips only; saves it to `out`.
 */
export async function runAttackerPart(o: AttackerPartOptions): Promise<AttackerPart> {
  const t0 = performance.now();
  const trainEntries = stratifiedSubset(
    bySplit(o.corpus.entries, 'train').filter((e) => e.text),
    o.attacker.trainClips,
    `adversarial-attacker-${o.seed}-r${o.round}`,
  );
  const valEntries = spread(
    bySplit(o.corpus.entries, 'val').filter((e) => e.emotion && e.text),
    o.valClips,
  );
  const train = await toClips(trainEntries);
  const val = await toClips(valEntries);
  o.log(`attacker: ${train.length} train clips, ${val.length} val clips; generator ${o.generatorDir}`);
  const gen = await readGeneratorDir(o.generatorDir);
  let tuned: Awaited<ReturnType<typeof fineTuneAttacker>>;
  try {
    const decoder = o.beam ? readDecoder(o.asrDir, (await readModelDir(o.asrDir)).modelJson) : null;
    tuned = await fineTuneAttacker(
      { asrDir: o.asrDir, attacker: o.attacker, seed: o.seed + o.round },
      gen,
      decoder,
      train,
      val,
      o.log,
    );
  } finally {
    gen.dispose();
  }
  const seconds = (performance.now() - t0) / 1000;
  try {
    await saveAttacker(o.out, tuned.asr, {
      from: o.asrDir,
      result: tuned.result,
      trainedWith: {
        ...o.trainedWith,
        adversarialRound: o.round,
        generator: o.generatorDir,
        attacker: o.attacker,
        trainSplit: 'train',
        evalSplit: 'val',
        valClips: val.length,
        seconds: Math.round(seconds),
      },
    });
  } catch (e) {
    tuned.asr.dispose();
    throw e;
  }
  return {
    result: tuned.result,
    asr: tuned.asr,
    trainIds: train.map((c) => c.id),
    valIds: val.map((c) => c.id),
    seconds,
  };
}
