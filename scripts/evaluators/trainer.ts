/**
 * The evaluator training loop for Node (wasm): resumable per epoch (runs/<name>/<kind>/), logs per epoch, selects
 * the checkpoint on `val` only, and exports the best weights with their config and val metrics.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Lexicon } from '../../src/core/text/decoders';
import { AsrModel, SerModel, createModel, growFrom, sameWeights } from '../../src/core/ml/models';
import { makeRng } from '../../src/core/ml/nn';
import type { LabelledClip } from '../../src/core/data/clip';
import { asrMetrics, lrAt, serMetrics } from '../../src/core/ml/train';
import { asrLogProbs, decodeAsr, predictAsr, predictSer } from '../../src/core/ml/predict';
import { batchesPerEpoch, fit } from '../../src/core/ml/fit';
import { exportModel, modelFromArtifacts } from '../../src/core/ml/weights';
import { readModelDir, writeAtomic, writeModelDir } from '../../src/core/node/io';
import { asrModelConfig, serModelConfig, type ModelTrainConfig, type TrainRunConfig } from './config';
import { buildWordList, loadSplit, readManifest } from './data';

type Kind = 'asr' | 'ser';

interface EpochRecord {
  epoch: number;
  steps: number;
  trainLoss: number;
  lr: number;
  seconds: number;
  val: Record<string, unknown>;
  score: number;
}

interface RunState {
  epoch: number; // epochs completed
  step: number;
  bestScore: number;
  bestEpoch: number;
  history: EpochRecord[];
  seconds: number;
}

const log = (kind: string, s: string) => console.log(`[${new Date().toISOString().slice(11, 19)} ${kind}] ${s}`);

async function saveOptimizer(opt: tf.Optimizer, file: string): Promise<void> {
  const weights = await opt.getWeights();
  const { data, specs } = await tf.io.encodeWeights(weights);
  // getWeights() makes a fresh scalar for the iteration count; the slot variables belong to the optimizer
  for (const w of weights) if (!(w.tensor instanceof tf.Variable)) w.tensor.dispose();
  await writeAtomic(file, new Uint8Array(data));
  await writeAtomic(file + '.json', JSON.stringify(specs));
}

async function loadOptimizer(opt: tf.Optimizer, file: string): Promise<void> {
  const specs = JSON.parse(readFileSync(file + '.json', 'utf8')) as tf.io.WeightsManifestEntry[];
  const buf = readFileSync(file);
  const map = tf.io.decodeWeights(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength), specs);
  await opt.setWeights(specs.map((s) => ({ name: s.name, tensor: map[s.name] })));
  // setWeights copies into new variables
  tf.dispose(Object.values(map));
}

/**
 * The word list shipped with the ASR: a general English list plus train/val transcripts (never test); words seen
 * in those transcripts carry their count (`word<TAB>count`) for the unigram weight of the beam search.
 */
export function lexiconWords(cfg: TrainRunConfig): string[] {
  const texts = readManifest(cfg.manifest)
    .filter((r) => r.split === 'train' || r.split === 'val')
    .map((r) => r.text);
  return buildWordList(cfg.wordList, texts);
}

/** Exports the best checkpoint so far without training further (e.g. when time runs out); says so in trainedWith. */
export async function finishEarly(cfg: TrainRunConfig, kind: Kind, configFile: string): Promise<void> {
  const stateFile = path.join(cfg.runDir, kind, 'state.json');
  if (!existsSync(stateFile)) throw new Error(`no run state at ${stateFile}`);
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as RunState;
  log(kind, `exporting after ${state.epoch} epochs (best epoch ${state.bestEpoch})`);
  await finish(cfg, kind, state, configFile);
}

export async function trainKind(cfg: TrainRunConfig, kind: Kind, fresh: boolean, configFile: string): Promise<void> {
  const tc = (kind === 'asr' ? cfg.asr : cfg.ser) as ModelTrainConfig<unknown> | null;
  if (!tc) throw new Error(`config has no ${kind} section`);
  const runDir = path.join(cfg.runDir, kind);
  const stateFile = path.join(runDir, 'state.json');
  if (fresh) await rm(runDir, { recursive: true, force: true });
  const t0 = Date.now();
  const voiceOf = new Map(readManifest(cfg.manifest).map((r) => [r.id, r.voice]));
  const { train, val, isHeldOut } = holdOutVoices(
    loadSplit(cfg.manifest, 'train', tc.trainLimit),
    loadSplit(cfg.manifest, 'val', null),
    (c) => voiceOf.get(c.id) ?? '',
    tc.holdOutVoices ?? [],
    tc.valLimit,
  );
  if (tc.holdOutVoices?.length)
    log(
      kind,
      `held out of training: ${tc.holdOutVoices.join(', ')} (${isHeldOut.filter(Boolean).length} of ${val.length} val clips)`,
    );
  const audioS = train.reduce((a, c) => a + c.samples.length, 0) / 16000;
  log(
    kind,
    `loaded ${train.length} train clips (${(audioS / 60).toFixed(1)} min audio), ${val.length} val clips in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );

  const modelCfg = kind === 'asr' ? asrModelConfig(cfg.asr!) : serModelConfig(cfg.ser!);
  let model = createModel(modelCfg, cfg.seed);
  const optimizer = tf.train.adam(tc.lr);
  let state: RunState = { epoch: 0, step: 0, bestScore: -Infinity, bestEpoch: -1, history: [], seconds: 0 };
  if (!fresh && existsSync(stateFile)) {
    state = JSON.parse(readFileSync(stateFile, 'utf8')) as RunState;
    const resumed = modelFromArtifacts(await readModelDir(path.join(runDir, 'last')), kind);
    model.dispose();
    model = resumed;
    await loadOptimizer(optimizer, path.join(runDir, 'last', 'optimizer.bin'));
    log(
      kind,
      `resumed after epoch ${state.epoch} (step ${state.step}, best val score ${state.bestScore.toFixed(4)} at epoch ${state.bestEpoch})`,
    );
  } else if (tc.init) {
    const init = modelFromArtifacts(await readModelDir(tc.init), kind);
    // A fine-tune keeps its own config's dropout and SpecAugment, and may add head inputs (growFrom).
    // same weights: the same architecture, or a SER that only re-reads its level inputs (levelMode)
    const same = sameWeights(init.config, model.config);
    try {
      if (same) model.params.assign(Object.fromEntries(init.params.vars));
      else if (model instanceof SerModel && init instanceof SerModel) growFrom(model, init);
      else throw new Error('not the same architecture');
    } catch (e) {
      throw new Error(
        `${tc.init} holds a ${kind} the config's architecture cannot start from (${(e as Error).message}): ${JSON.stringify(init.config)}`,
        { cause: e },
      );
    } finally {
      init.dispose();
    }
    log(kind, `fine-tuning from ${tc.init}${same ? '' : ' (grown: new head inputs start at zero)'}`);
  }
  model.depthwiseImpl = 'native';
  log(kind, `${model.parameterCount()} parameters; config ${JSON.stringify(modelCfg)}`);

  const aug = { ...cfg.augment, ...(tc.augment ?? {}) };
  log(kind, `augmentation (p=${tc.augmentProb}): ${JSON.stringify(aug)}`);
  const maxSamples = Math.round(tc.maxSeconds * 16000);
  const stepsPerEpoch = batchesPerEpoch(train, tc.maxBatch, maxSamples);
  let te = Date.now();
  await fit(model, optimizer, train, {
    epochs: tc.epochs,
    maxBatch: tc.maxBatch,
    maxSamples,
    rng: (epoch) => makeRng(cfg.seed * 7919 + epoch * 104729 + (kind === 'asr' ? 1 : 2)),
    lr: (step) => scheduledLr(step, stepsPerEpoch, tc),
    augment: aug,
    augmentProb: tc.augmentProb,
    clipNorm: tc.clipNorm,
    labelSmoothing: tc.labelSmoothing ?? 0,
    start: { epoch: state.epoch, step: state.step },
    onStep: ({ epoch, batch, batches, step, loss, lr }) => {
      if (!Number.isFinite(loss)) throw new Error(`non-finite loss at step ${step - 1}`);
      if (batch % 50 === 0)
        log(
          kind,
          `epoch ${epoch + 1} step ${batch}/${batches} loss ${loss.toFixed(3)} lr ${(lr ?? tc.lr).toExponential(2)} tensors ${tf.memory().numTensors}`,
        );
    },
    onEpochEnd: async ({ epoch, step, steps, meanLoss, lr }) => {
      state.step = step;
      const { metrics, score } = await evaluateSplit(model, val, isHeldOut);
      const seconds = (Date.now() - te) / 1000;
      state.seconds += seconds;
      const rec: EpochRecord = {
        epoch,
        steps,
        trainLoss: steps ? meanLoss : 0,
        lr: lr ?? tc.lr,
        seconds,
        val: metrics,
        score,
      };
      state.history.push(rec);
      state.epoch = epoch;
      log(
        kind,
        `epoch ${epoch}/${tc.epochs} train loss ${rec.trainLoss.toFixed(4)} val ${JSON.stringify(metrics)} (${seconds.toFixed(0)} s)`,
      );
      const art = await exportModel(model, { val: metrics }, { epoch });
      if (score > state.bestScore) {
        state.bestScore = score;
        state.bestEpoch = epoch;
        await writeModelDir(path.join(runDir, 'best'), art);
        log(kind, `new best val score ${score.toFixed(4)}`);
      }
      await writeModelDir(path.join(runDir, 'last'), art);
      await saveOptimizer(optimizer, path.join(runDir, 'last', 'optimizer.bin'));
      await writeAtomic(stateFile, JSON.stringify(state, null, 1));
      te = Date.now();
    },
  });
  model.dispose();
  optimizer.dispose();
  await finish(cfg, kind, state, configFile);
}

/**
 * One fold of leave-one-voice-out: training clips of the held-out voices are dropped; val keeps an evenly spread
 * `valLimit` of the seen voices' clips plus every clip of the held-out voices (a limit would leave too few of them),
 * flagged in `isHeldOut`.
 */
export function holdOutVoices<C>(
  train: C[],
  val: C[],
  voiceOf: (c: C) => string,
  heldOut: readonly string[],
  valLimit: number | null,
): { train: C[]; val: C[]; isHeldOut: boolean[] } {
  const out = new Set(heldOut);
  const seen = val.filter((c) => !out.has(voiceOf(c)));
  const spread =
    valLimit && valLimit < seen.length
      ? Array.from({ length: valLimit }, (_, i) => seen[Math.floor((i * seen.length) / valLimit)]!)
      : seen;
  const held = val.filter((c) => out.has(voiceOf(c)));
  const unknown = heldOut.filter((v) => !val.some((c) => voiceOf(c) === v));
  if (unknown.length) throw new Error(`held-out voice(s) ${unknown.join(', ')} have no val clips`);
  return {
    train: train.filter((c) => !out.has(voiceOf(c))),
    val: [...spread, ...held],
    isHeldOut: [...spread.map(() => false), ...held.map(() => true)],
  };
}

/** Warm-up + cosine, with optional warm restarts (config restartAt / restartScale). */
export function scheduledLr(step: number, stepsPerEpoch: number, tc: ModelTrainConfig<unknown>): number {
  const bounds = [0, ...(tc.restartAt ?? []).filter((e) => e > 0 && e < tc.epochs), tc.epochs].map(
    (e) => e * stepsPerEpoch,
  );
  let k = 0;
  while (k < bounds.length - 2 && step >= bounds[k + 1]) k++;
  const peak = k === 0 ? tc.lr : tc.lr * (tc.restartScale ?? 0.5);
  const warmup = k === 0 ? tc.warmupSteps : Math.min(tc.warmupSteps, 50);
  return lrAt(step - bounds[k], peak, warmup, bounds[k + 1] - bounds[k]);
}

/**
 * With held-out voices: metrics on the seen voices, on the held-out ones, and a score that is the mean of the two
 * (so neither a model that only fits the training voices nor one that gave them up wins). Otherwise as evaluate().
 */
async function evaluateSplit(
  model: AsrModel | SerModel,
  val: LabelledClip[],
  isHeldOut: boolean[],
): Promise<{ metrics: Record<string, unknown>; score: number }> {
  if (!isHeldOut.some(Boolean)) return evaluate(model, val);
  const seen = await evaluate(
    model,
    val.filter((_, i) => !isHeldOut[i]),
  );
  const held = await evaluate(
    model,
    val.filter((_, i) => isHeldOut[i]),
  );
  return { metrics: { ...seen.metrics, heldOutVoices: held.metrics }, score: (seen.score + held.score) / 2 };
}

/** Val metrics and the selection score (higher is better): ASR −CER (greedy), SER UA. */
async function evaluate(
  model: AsrModel | SerModel,
  val: LabelledClip[],
): Promise<{ metrics: Record<string, unknown>; score: number }> {
  const clips = val.map((c) => c.samples);
  if (model instanceof AsrModel) {
    const m = asrMetrics(
      val.map((c) => c.text ?? ''),
      await predictAsr(model, clips),
    );
    return { metrics: { ...m }, score: -m.cerGreedy };
  }
  const m = serMetrics(
    val.map((c) => c.emotion ?? 0),
    await predictSer(model, clips),
    model.config.classes,
  );
  return { metrics: { ...m }, score: m.ua };
}

/** Full-val evaluation of the best checkpoint (plus beam settings chosen on val for the ASR) and export. */
async function finish(cfg: TrainRunConfig, kind: Kind, state: RunState, configFile: string): Promise<void> {
  const tc = (kind === 'asr' ? cfg.asr : cfg.ser)!;
  const model = modelFromArtifacts(await readModelDir(path.join(cfg.runDir, kind, 'best')), kind);
  const val = loadSplit(cfg.manifest, 'val', null);
  const clips = val.map((c) => c.samples);
  let metrics: Record<string, unknown>;
  let decoder: Record<string, unknown> | undefined;
  let words: string[] | undefined;
  if (model instanceof AsrModel) {
    words = lexiconWords(cfg);
    const lexicon = new Lexicon(words);
    const refs = val.map((c) => c.text ?? '');
    const lps = await asrLogProbs(model, clips);
    const beamWidth = tc.beamWidth ?? 16;
    let best: { bonus: number; lmWeight: number; m: ReturnType<typeof asrMetrics> } | null = null;
    for (const lmWeight of tc.lmWeights ?? [0]) {
      for (const bonus of tc.wordBonuses ?? [0]) {
        const m = asrMetrics(
          refs,
          decodeAsr(lps, model.config.vocab, { lexicon, beamWidth, wordBonus: bonus, lmWeight }),
        );
        log(kind, `val beam (width ${beamWidth}, lm weight ${lmWeight}, word bonus ${bonus}): ${JSON.stringify(m)}`);
        if (!best || (m.werBeam ?? 1) < (best.m.werBeam ?? 1)) best = { bonus, lmWeight, m };
      }
    }
    metrics = { val: best!.m };
    decoder = {
      beamWidth,
      wordBonus: best!.bonus,
      lmWeight: best!.lmWeight,
      lexicon: 'words.txt',
      lexiconWords: words.length,
    };
  } else {
    metrics = {
      val: serMetrics(
        val.map((c) => c.emotion ?? 0),
        await predictSer(model as SerModel, clips),
        (model as SerModel).config.classes,
      ),
    };
  }
  log(kind, `best epoch ${state.bestEpoch}: full val ${JSON.stringify(metrics)}`);
  const trainedWith = {
    command: `npm run train:evaluators -- --config ${configFile} --only ${kind}`,
    config: cfg,
    bestEpoch: state.bestEpoch,
    epochs: state.epoch,
    plannedEpochs: tc.epochs,
    steps: state.step,
    trainSeconds: Math.round(state.seconds),
    backend: tf.getBackend(),
    ...(decoder ? { decoder } : {}),
    // a fine-tuned model keeps the record of the one it started from
    ...(tc.init ? { init: { from: tc.init, ...(await readModelDir(tc.init)).modelJson.trainedWith } } : {}),
  };
  const art = await exportModel(model, metrics, trainedWith);
  const summary = { metrics, trainedWith, history: state.history };
  await writeFile(path.join(cfg.runDir, kind, 'summary.json'), JSON.stringify(summary, null, 1));
  if (cfg.outDir) {
    const out = path.join(cfg.outDir, tc.outName ?? kind);
    await writeModelDir(out, art);
    await writeFile(path.join(out, 'history.json'), JSON.stringify(state.history, null, 1) + '\n');
    if (words) await writeFile(path.join(out, 'words.txt'), words.join('\n') + '\n');
    log(kind, `wrote ${out} (${(art.weightData.byteLength / 1e6).toFixed(2)} MB weights)`);
  }
  model.dispose();
}
