/** configs/aclipse*.json and the CLI overrides used for ablations. */
import { readFileSync } from 'node:fs';
import { DEFAULT_EOT_CONFIG } from '../../src/core/aclipse/eot';
import { DEFAULT_VOICE_AUGMENT } from '../../src/core/augment/voice';
import type { ModuleConfig } from '../../src/core/aclipse/generator';
import { PAPER_CONFIG, type AclipseTrainConfig } from '../../src/core/aclipse/trainer';
import { validCueKeep } from '../../src/core/training-config';
import { numberFlag, stringFlag, type Flags } from '../flags';

/** Further recognizers trained against, beside `<models>/asr` (see trainer.ts on the geometric-mean weighting). */
export interface EnsembleConfig {
  /** The primary ASR's weight (default 1). */
  asrWeight?: number;
  members: { name: string; dir: string; weight: number }[];
}

export interface AclipseRunConfig {
  name: string;
  corpus: string;
  models: string;
  runDir: string;
  shipDir: string;
  seeds: number[];
  shipSeed: number;
  valSize: number;
  generator: { so: ModuleConfig; er: ModuleConfig };
  train: Omit<AclipseTrainConfig, 'seed'>;
  ensemble?: EnsembleConfig;
}

export function loadAclipseConfig(file: string): AclipseRunConfig {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Partial<AclipseRunConfig>;
  if (!raw.name || !raw.generator || !raw.train) throw new Error(`${file}: name, generator and train are required`);
  const iv = raw.train.inputVoice;
  if (iv && !(typeof iv.prob === 'number' && iv.prob >= 0 && iv.prob <= 1))
    throw new Error(`${file}: train.inputVoice.prob must be a probability (0–1)`);
  const ck = raw.train.cueKeep;
  if (ck && !validCueKeep(ck)) throw new Error(`${file}: train.cueKeep needs pitch, tilt and level weights ≥ 0`);
  const { seed: _seed, ...paper } = PAPER_CONFIG;
  void _seed;
  return {
    corpus: 'data/corpus',
    models: 'public/models',
    runDir: 'runs/aclipse',
    shipDir: 'public/models/aclipse',
    seeds: [0],
    shipSeed: 0,
    valSize: 96,
    ...raw,
    name: raw.name,
    generator: raw.generator,
    train: {
      ...paper,
      ...raw.train,
      stage1: { ...paper.stage1, ...raw.train.stage1 },
      stage2: { ...paper.stage2, ...raw.train.stage2 },
      // "eot": {} turns the transforms on with their defaults; given fields override them.
      ...(raw.train.eot ? { eot: { ...DEFAULT_EOT_CONFIG, ...raw.train.eot } } : {}),
      // "inputVoice": { "prob": p, "voice": {...} }: given voice fields override the voices issue's ranges.
      ...(iv ? { inputVoice: { prob: iv.prob, voice: { ...DEFAULT_VOICE_AUGMENT, ...iv.voice } } } : {}),
    },
  };
}

/** Applies CLI overrides (ablations) to a loaded config. */
export function applyOverrides(cfg: AclipseRunConfig, flags: Flags): AclipseRunConfig {
  const t = structuredClone(cfg.train);
  const l1 = numberFlag(flags, 'lambda1');
  if (l1 !== undefined) t.stage1.lambda1 = l1;
  const l2 = numberFlag(flags, 'lambda2');
  if (l2 !== undefined) t.stage2.lambda2 = l2;
  const tune = stringFlag(flags, 'tune');
  if (tune !== undefined) {
    if (tune !== 'er' && tune !== 'so') throw new Error('--tune takes er or so');
    t.stage2.tune = tune;
  }
  const e1 = numberFlag(flags, 'epochs1');
  if (e1 !== undefined) t.stage1.epochs = e1;
  const e2 = numberFlag(flags, 'epochs2');
  if (e2 !== undefined) t.stage2.epochs = e2;
  const lr1 = numberFlag(flags, 'lr1');
  if (lr1 !== undefined) t.stage1.learningRate = lr1;
  const lr2 = numberFlag(flags, 'lr2');
  if (lr2 !== undefined) t.stage2.learningRate = lr2;
  const budget = numberFlag(flags, 'budget');
  if (budget !== undefined) t.budgetDb = budget;
  const range = stringFlag(flags, 'budget-range');
  if (range !== undefined) {
    const [lo, hi] = range.split(',').map(Number);
    if (!Number.isFinite(lo) || !Number.isFinite(hi) || lo > hi) throw new Error('--budget-range takes lo,hi in dB');
    t.budgetRangeDb = [lo, hi];
  }
  const subset = numberFlag(flags, 'subset');
  if (subset !== undefined) t.subsetSize = subset;
  const seeds = stringFlag(flags, 'seeds');
  return {
    ...cfg,
    name: stringFlag(flags, 'tag') ?? cfg.name,
    seeds: seeds ? seeds.split(',').map((s) => Number(s)) : cfg.seeds,
    train: t,
  };
}
