/** Node-side plumbing shared by the Aclipse CLIs: flags, the frozen evaluators from disk, and corpus clips. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  generatorFromArtifacts,
  type AclipseGenerator,
  type GeneratorArtifacts,
  type GeneratorModelJson,
} from '../../src/core/aclipse/model';
import { BandedGenerator, type LoadedBand, type Protector } from '../../src/core/aclipse/banded';
import { parseBands } from '../../src/core/bands';
import { frozenAsr, type EnsembleAsr, type FrozenEvaluators } from '../../src/core/aclipse/trainer';
import type { EnsembleConfig } from './config';
import type { TrainingClip } from '../../src/core/data/clip';
import { decodeEntry, emotionIndex, loadDataset, type DatasetEntry, type DatasetIndex } from '../../src/core/data';
import { nodeDirectorySource } from '../../src/core/data/node-source';
import { readDecoder } from '../evaluators/data';
import type { AsrModel, SerModel } from '../../src/core/ml/models';
import { modelFromArtifacts } from '../../src/core/ml/weights';
import { readModelDir, sha256Of } from '../../src/core/node/io';
import { modelReader, type ScoreModels } from '../../src/core/ml/read';
import {
  evaluateClips,
  protectWith,
  summarizeRun,
  type Condition,
  type ClipRef,
  type EvaluationOptions,
  type EvaluationReaders,
  type EvaluationRun,
  type MethodSummary,
} from '../../src/core/evaluation';
import type { BaselineParams } from '../../src/core/baselines';

export interface DiskEvaluators {
  ser: SerModel;
  asr: AsrModel;
  frozen: FrozenEvaluators;
  /** Greedy + beam (word list + LM) scoring, with the decoder settings chosen on val when the ASR was trained. */
  scoring: ScoreModels;
  /** that beam decoder in words, or 'greedy only' */
  decoder: string;
  dispose(): void;
}

/** Loads SER and ASR (model.json + weights.bin) from `<modelsDir>/ser` and `<modelsDir>/asr`. */
export async function loadEvaluatorsFromDisk(modelsDir = 'public/models', asrDir?: string): Promise<DiskEvaluators> {
  const ser = modelFromArtifacts(await readModelDir(path.join(modelsDir, 'ser')), 'ser');
  const asrPath = asrDir ?? path.join(modelsDir, 'asr');
  const asrArt = await readModelDir(asrPath);
  const asr = modelFromArtifacts(asrArt, 'asr');
  const decoder = readDecoder(asrPath, asrArt.modelJson);
  return {
    ser,
    asr,
    frozen: {
      ser: (w, l) => ser.forward(w, l, { training: false }),
      asr: frozenAsr(asr),
    },
    scoring: { ser, asr, beam: decoder },
    decoder: decoder?.describe ?? 'greedy only',
    dispose() {
      ser.dispose();
      asr.dispose();
    },
  };
}

/** The ensemble's further recognizers from their model folders (null without an ensemble). */
export async function loadEnsemble(
  cfg: EnsembleConfig | undefined,
): Promise<{ members: EnsembleAsr[]; describe: string; dispose(): void } | null> {
  if (!cfg || cfg.members.length === 0) return null;
  const models: AsrModel[] = [];
  for (const m of cfg.members) models.push(modelFromArtifacts(await readModelDir(m.dir), 'asr'));
  return {
    members: cfg.members.map((m, k) => ({
      name: m.name,
      weight: m.weight,
      asr: frozenAsr(models[k]),
    })),
    describe: cfg.members
      .map((m, k) => `${m.name} (${m.weight}, ${models[k].parameterCount()} parameters, ${m.dir})`)
      .join(' + '),
    dispose: () => models.forEach((m) => m.dispose()),
  };
}

/** The SHA-256 of the bytes each generator read from disk was built from (Node only; see loadedWeightsSha256). */
const builtFrom = new WeakMap<object, string>();

/**
 * The SHA-256 of the weights a generator was built from, hashed from the very bytes the loader read, so a report
 * names the weights it measured even if the folder's files change after loading. Undefined for a generator that
 * readGeneratorDir did not make.
 */
export function loadedWeightsSha256(generator: object): string | undefined {
  return builtFrom.get(generator);
}

export async function readGeneratorDir(dir: string): Promise<AclipseGenerator> {
  const modelJson = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8')) as GeneratorModelJson;
  const weights = readFileSync(path.join(dir, modelJson.weightsManifest[0].paths[0]));
  const art: GeneratorArtifacts = {
    modelJson,
    weights: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
  };
  const generator = await generatorFromArtifacts(art);
  builtFrom.set(generator, sha256Of(weights));
  return generator;
}

/**
 * A generator folder as the app reads it: the base weights plus, when the folder has a bands.json, the weights it
 * uses from each band's budget up (src/core/bands.ts). A folder without bands protects as one generator.
 */
export async function readProtectorDir(dir: string): Promise<BandedGenerator> {
  const base = await readGeneratorDir(dir);
  const bandsFile = path.join(dir, 'bands.json');
  const loaded: LoadedBand[] = [];
  try {
    const specs = existsSync(bandsFile) ? parseBands(JSON.parse(readFileSync(bandsFile, 'utf8'))) : [];
    for (const spec of specs) loaded.push({ ...spec, generator: await readGeneratorDir(path.join(dir, spec.path)) });
  } catch (e) {
    base.dispose();
    for (const b of loaded) b.generator.dispose();
    throw e;
  }
  return new BandedGenerator(base, loaded);
}

export async function loadCorpus(dir: string): Promise<DatasetIndex> {
  if (!existsSync(dir)) throw new Error(`No corpus at ${dir}: run \`npm run corpus\` first (or pass --corpus <dir>)`);
  return loadDataset(nodeDirectorySource(dir));
}

/** Decodes labelled entries (emotion and transcript both present) into training/evaluation clips. */
export async function toClips(entries: readonly DatasetEntry[]): Promise<TrainingClip[]> {
  const out: TrainingClip[] = [];
  for (const e of entries) {
    if (!e.emotion || !e.text) continue;
    out.push({ id: e.id, samples: await decodeEntry(e), emotion: emotionIndex(e.emotion), text: e.text });
  }
  return out;
}

/** Every `len/n`-th entry: a deterministic, evenly spread subset (the order of the manifest is kept). */
export function spread<T>(items: readonly T[], n: number | undefined): T[] {
  if (!n || n >= items.length) return items.slice();
  return Array.from({ length: n }, (_, i) => items[Math.floor((i * items.length) / n)]);
}

export function log(tag: string, msg: string): void {
  console.log(`[${new Date().toISOString().slice(11, 19)} ${tag}] ${msg}`);
}

/** Dataset entries as evaluation clips, decoded only when the pipeline reaches them (labels may be missing). */
export function evalClips(entries: readonly DatasetEntry[]): ClipRef[] {
  return entries.map((e) => ({
    id: e.id,
    emotion: e.emotion ?? null,
    text: e.text ?? null,
    load: () => decodeEntry(e),
  }));
}

/** The pipeline's readers in Node: protection by method, the frozen evaluators batched on wasm. */
export function nodeReaders(
  scoring: ScoreModels,
  generator: Protector | null,
  extra: Pick<EvaluationReaders, 'external' | 'cues'> & { baselineParams?: BaselineParams } = {},
): EvaluationReaders {
  return {
    protect: (method, wave, budgetDb, seed) =>
      protectWith(method, wave, { budgetDb, generator, seed, baselineParams: extra.baselineParams }),
    read: modelReader(scoring),
    external: extra.external,
    cues: extra.cues,
  };
}

/** Runs the shared evaluation pipeline in Node (batches of 16) and summarises each condition. */
export async function evaluateInNode(
  clips: readonly ClipRef[],
  conditions: readonly Condition[],
  readers: EvaluationReaders,
  opts: EvaluationOptions = {},
): Promise<{ run: EvaluationRun; summaries: MethodSummary[] }> {
  const run = await evaluateClips(clips, conditions, readers, { batchSize: 16, ...opts });
  return { run, summaries: summarizeRun(run, conditions) };
}
