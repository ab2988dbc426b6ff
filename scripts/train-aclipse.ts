/**
 * npm run train:aclipse -- [--config configs/aclipse.json] [--seeds 0,1,2,3,4] [--tag name]
 *     [--lambda1 -1] [--lambda2 1] [--tune er|so] [--epochs1 N] [--epochs2 N] [--lr1 x] [--lr2 x]
 *     [--budget dB] [--budget-range lo,hi] [--subset N] [--stages 1,2] [--init <model dir>] [--fresh] [--ship]
 *     [--readback sync|async]
 *
 * Trains the Aclipse generator (stage 1: SO+ER with L_CE + λ1·L_CTC; stage 2: one module with
 * L_CE + 1/(λ2·L_CTC)) against the frozen evaluators in public/models, on stratified subsets of the corpus's train
 * split that are swapped every few epochs, one run per seed. Per epoch it logs losses, train WA/WER and the WA/WER
 * of a fixed val subset, and checkpoints weights + optimizer state in runs/aclipse/<tag>/seed-<s>/, so a killed run
 * resumes where it stopped. --ship copies the shipSeed's final weights to public/models/aclipse/.
 * Flag values override the config; the effective config is saved next to the weights. --init starts from trained
 * weights (e.g. `--stages 2 --init runs/aclipse/main/seed-0/stage1` for the stage-2 ablations, which share stage 1).
 * --readback async takes the CTC gradient in JavaScript and backpropagates only a surrogate (trainer.ts): the same
 * gradient, without autodiff through every recognizer's CTC recursion, so a large ensemble fits the wasm heap.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import path from 'node:path';
import { execSync } from 'node:child_process';
import { AclipseGenerator } from '../src/core/aclipse/model';
import {
  AclipseTrainer,
  type AclipseTrainConfig,
  type EpochReport,
  type FrozenEvaluators,
  type Stage,
} from '../src/core/aclipse/trainer';
import { bySplit, stratifiedSubset } from '../src/core/data';
import { initTf } from '../src/core/node/tf';
import { writeAtomic } from '../src/core/node/io';
import { loadCorpus, loadEnsemble, loadEvaluatorsFromDisk, log, readGeneratorDir, toClips } from './aclipse/common';
import { parseFlags, stringFlag } from './flags';
import { applyOverrides, loadAclipseConfig } from './aclipse/config';

interface RunState {
  stage: Stage;
  nextEpoch: number;
  history: EpochReport[];
  done: boolean;
}

async function saveCheckpoint(
  dir: string,
  gen: AclipseGenerator,
  trainer: AclipseTrainer,
  state: RunState,
  meta: object,
): Promise<void> {
  const art = await gen.toArtifacts({ trainedWith: meta });
  await writeAtomic(path.join(dir, 'checkpoint', 'weights.bin'), new Uint8Array(art.weights));
  await writeAtomic(path.join(dir, 'checkpoint', 'model.json'), JSON.stringify(art.modelJson));
  const opt = await trainer.exportOptimizerState();
  if (opt) {
    const { data, specs } = await tf.io.encodeWeights(opt.weights);
    await writeAtomic(path.join(dir, 'checkpoint', 'optimizer.bin'), new Uint8Array(data));
    await writeAtomic(path.join(dir, 'checkpoint', 'optimizer.json'), JSON.stringify({ stage: opt.stage, specs }));
  }
  await writeAtomic(path.join(dir, 'state.json'), JSON.stringify(state, null, 1));
}

async function restoreOptimizer(dir: string, trainer: AclipseTrainer): Promise<void> {
  const json = path.join(dir, 'checkpoint', 'optimizer.json');
  if (!existsSync(json)) return;
  const { stage, specs } = JSON.parse(readFileSync(json, 'utf8')) as {
    stage: Stage;
    specs: tf.io.WeightsManifestEntry[];
  };
  const buf = readFileSync(path.join(dir, 'checkpoint', 'optimizer.bin'));
  const map = tf.io.decodeWeights(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength), specs);
  // Adam matches its moments to variables by position, so the saved order is all that matters.
  await trainer.importOptimizerState(
    stage,
    specs.map((s) => ({ name: s.name, tensor: map[s.name] })),
  );
}

async function writeModel(dir: string, gen: AclipseGenerator, meta: object, metrics: object): Promise<void> {
  const art = await gen.toArtifacts({ trainedWith: meta, metrics });
  await writeAtomic(path.join(dir, 'weights.bin'), new Uint8Array(art.weights));
  await writeAtomic(path.join(dir, 'model.json'), JSON.stringify(art.modelJson, null, 1) + '\n');
}

function cue(value: number | undefined): string {
  return value === undefined ? '' : ` cue ${value.toFixed(3)}`;
}

function fmt(r: EpochReport): string {
  const members = (r.val?.recognizers ?? [])
    .map((m) => ` ${m.name}: WER ${(m.wer * 100).toFixed(1)} CTC ${m.ctc.toFixed(3)}`)
    .join(';');
  const v = r.val
    ? ` | val WA ${(r.val.wa * 100).toFixed(1)} WER ${(r.val.wer * 100).toFixed(1)} CE ${r.val.ce.toFixed(3)} CTC ${r.val.ctc.toFixed(3)}${cue(r.val.cue)}${members ? ` |${members}` : ''}`
    : '';
  return (
    `stage ${r.stage} epoch ${r.epoch + 1}/${r.epochs} loss ${r.train.total.toFixed(3)} CE ${r.train.ce.toFixed(3)} ` +
    `CTC ${r.train.ctc.toFixed(3)}${cue(r.train.cue)} WA ${(r.train.wa * 100).toFixed(1)} WER ${(r.train.wer * 100).toFixed(1)}${v} (${r.seconds.toFixed(0)} s)`
  );
}

function gitCommit(): string | null {
  try {
    return execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const { flags } = parseFlags(process.argv.slice(2));
  const configFile = stringFlag(flags, 'config') ?? 'configs/aclipse.json';
  const cfg = applyOverrides(loadAclipseConfig(configFile), flags);
  const stages = (stringFlag(flags, 'stages') ?? '1,2').split(',').map((s) => Number(s) as Stage);
  const readback = stringFlag(flags, 'readback') ?? 'sync';
  if (readback !== 'sync' && readback !== 'async') throw new Error(`--readback: sync or async, not ${readback}`);
  await initTf('wasm');

  const evaluators = await loadEvaluatorsFromDisk(cfg.models);
  const ensemble = await loadEnsemble(cfg.ensemble);
  const frozen: FrozenEvaluators = ensemble
    ? { ...evaluators.frozen, asrWeight: cfg.ensemble?.asrWeight ?? 1, ensemble: ensemble.members }
    : evaluators.frozen;
  if (ensemble) log(cfg.name, `ensemble: asr (${cfg.ensemble?.asrWeight ?? 1}) + ${ensemble.describe}`);
  const corpus = await loadCorpus(cfg.corpus);
  const train = bySplit(corpus.entries, 'train');
  const valEntries = stratifiedSubset(bySplit(corpus.entries, 'val'), cfg.valSize, 'aclipse-val', { balanced: true });
  const val = await toClips(valEntries);
  log(
    cfg.name,
    `corpus ${corpus.entries.length} clips (${train.length} train); val subset ${val.length}; config ${configFile}`,
  );

  for (const seed of cfg.seeds) {
    const dir = path.join(cfg.runDir, cfg.name, `seed-${seed}`);
    if (flags.fresh === true && existsSync(dir)) rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const trainConfig: AclipseTrainConfig = { ...cfg.train, seed };
    const meta = {
      command: `npm run train:aclipse -- ${process.argv.slice(2).join(' ')}`.trim(),
      config: configFile,
      run: cfg.name,
      train: trainConfig,
      commit: gitCommit(),
    };
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ ...cfg, seed, stages }, null, 1));

    let state: RunState = { stage: stages[0], nextEpoch: 0, history: [], done: false };
    let gen: AclipseGenerator;
    const statePath = path.join(dir, 'state.json');
    if (existsSync(statePath)) {
      state = JSON.parse(readFileSync(statePath, 'utf8')) as RunState;
      if (state.done) {
        log(cfg.name, `seed ${seed}: already complete (${dir}); --fresh retrains`);
        continue;
      }
      gen = await readGeneratorDir(path.join(dir, 'checkpoint'));
      log(cfg.name, `seed ${seed}: resuming stage ${state.stage} at epoch ${state.nextEpoch + 1}`);
    } else if (stringFlag(flags, 'init')) {
      const init = (stringFlag(flags, 'init') as string).replace('{seed}', String(seed));
      gen = await readGeneratorDir(init);
      log(cfg.name, `seed ${seed}: starting from ${init}`);
    } else {
      gen = new AclipseGenerator({ ...cfg.generator, budgetDb: trainConfig.budgetDb }, seed);
      log(cfg.name, `seed ${seed}: fresh generator, ${gen.parameterCount()} parameters`);
    }
    const trainer = new AclipseTrainer(gen, frozen, trainConfig, { readback });
    if (state.nextEpoch > 0) await restoreOptimizer(dir, trainer);

    const baseline = state.history.length === 0 ? await trainer.evaluate(val) : null;
    if (baseline) {
      log(
        cfg.name,
        `seed ${seed}: before training (${stringFlag(flags, 'init') ? 'the --init weights' : 'identity'}) val WA ${(baseline.wa * 100).toFixed(1)} WER ${(baseline.wer * 100).toFixed(1)}`,
      );
    }

    for (const stage of stages) {
      if (stage < state.stage) continue;
      const start = stage === state.stage ? state.nextEpoch : 0;
      await trainer.runStage(
        stage,
        {
          subset: async (swap) =>
            toClips(stratifiedSubset(train, trainConfig.subsetSize, `aclipse-${seed}-${stage}-${swap}`)),
          val,
          onEpoch: async (r) => {
            state = { stage, nextEpoch: r.epoch + 1, history: [...state.history, r], done: false };
            log(`${cfg.name} s${seed}`, fmt(r));
            await saveCheckpoint(dir, gen, trainer, state, meta);
          },
        },
        start,
      );
      const last = state.history.filter((h) => h.stage === stage).at(-1);
      await writeModel(path.join(dir, `stage${stage}`), gen, { ...meta, stage }, { val: last?.val ?? null });
      state = { ...state, stage: (stage + 1) as Stage, nextEpoch: 0 };
      await writeAtomic(statePath, JSON.stringify(state, null, 1));
    }
    const lastVal = state.history.at(-1)?.val ?? null;
    await writeModel(path.join(dir, 'final'), gen, meta, { val: lastVal });
    state.done = true;
    await writeAtomic(statePath, JSON.stringify(state, null, 1));
    writeFileSync(path.join(dir, 'history.json'), JSON.stringify({ baseline, history: state.history }, null, 1));
    trainer.dispose();
    gen.dispose();
  }

  if (flags.ship === true) {
    const src = path.join(cfg.runDir, cfg.name, `seed-${cfg.shipSeed}`, 'final');
    if (!existsSync(path.join(src, 'model.json'))) throw new Error(`--ship: ${src} has no trained model`);
    mkdirSync(cfg.shipDir, { recursive: true });
    cpSync(src, cfg.shipDir, { recursive: true });
    log(cfg.name, `shipped ${src} → ${cfg.shipDir}`);
  }
  evaluators.dispose();
  ensemble?.dispose();
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
