/**
 * The engine's features in Node (tfjs wasm), against a local HTTP server that serves the e2e fixtures the way the
 * app serves public/: model loading with progress and missing-weights reports, analyze, protect (Aclipse and a
 * baseline) under the budget, datasets, evaluation, training with cancel/resume/adopt/export/import, fine-tuning,
 * and no tensor leaks.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineFixtures, syntheticClip, type EngineFixtures } from '../e2e/engine-fixtures';
import { cueRetention } from '../src/core/cues';
import { initTf } from '../src/core/node/tf';
import type { JobProgress, TrainConfig } from '../src/engine/api';
import { DatasetStore } from './datasets';
import { evaluateDataset } from './evaluate';
import { serveFixtures, type FixtureServer } from './test-server';
import { JobRegistry, type JobContext } from './jobs';
import { ModelStore } from './models';
import { analyzeClip, protectClip } from './protect';
import { TrainingService } from './training';

let fx: EngineFixtures;
let server: FixtureServer;
let base: string;
const registry = new JobRegistry();
let jobCounter = 0;

/** Runs a body as a job, collecting its progress reports. */
async function job<R>(body: (ctx: JobContext) => Promise<R>, cancelAfter?: (p: JobProgress) => boolean) {
  const id = `t${++jobCounter}`;
  const progress: JobProgress[] = [];
  const result = await registry.run(
    id,
    (p) => {
      progress.push(p);
      if (cancelAfter?.(p)) registry.cancel(id);
    },
    body,
  );
  return { result, progress };
}

beforeAll(async () => {
  await initTf('wasm');
  fx = await engineFixtures();
  // Like an SPA host: a missing path answers with the app's page.
  server = await serveFixtures({ models: fx.modelsDir, data: fx.datasetDir }, 'spa');
  base = server.base;
}, 120_000);

afterAll(() => server?.close());

const tinyTrain: TrainConfig = {
  seed: 1,
  budgetDb: 10,
  subsetSize: 4,
  swapEvery: 5,
  batchSize: 2,
  stage1: { epochs: 2, learningRate: 1e-3, lambda1: -1 },
  stage2: { epochs: 1, learningRate: 1e-5, lambda2: 1, tune: 'er' },
};

describe('engine features (Node, wasm)', () => {
  const models = new ModelStore();
  const datasets = new DatasetStore();
  const training = new TrainingService(models, datasets);

  it('says clearly when weights are missing, and loads them with byte progress when present', async () => {
    const missing = await job((ctx) => new ModelStore().load({ baseUrl: `${base}/nothing/` }, ctx));
    expect(missing.result.evaluators).toBeNull();
    expect(missing.result.evaluatorsProblem).toMatch(/not installed/);
    expect(missing.result.generatorProblem).toMatch(/protection weights are not installed/);
    expect(missing.result.activeGenerator).toBeNull();

    const { result, progress } = await job((ctx) => models.load({ baseUrl: `${base}/models/` }, ctx));
    expect(result.evaluatorsProblem).toBeNull();
    expect(result.generatorProblem).toBeNull();
    expect(result.evaluators!.ser.parameters).toBeGreaterThan(1000);
    expect(result.evaluators!.ser.metrics).toEqual({ val: { wa: 0.25, ua: 0.25 } });
    expect(result.evaluators!.lexiconWords).toBe(10);
    expect(result.evaluators!.languageModel).toMatch(/^2-gram LM, 1\d words/);
    expect(result.activeGenerator).toBe('shipped');
    expect(result.generators[0]!.config.so.hidden).toBe(8);
    // the fixture's claims.json was made for these very weights, so the shipped generator carries it
    expect(result.generators[0]!.claims.map((c) => [c.attacker, c.live === true])).toEqual([
      ['Fixture attacker', false],
      ['Fixture live attacker', true],
    ]);
    const loads = progress.flatMap((p) => (p.detail?.kind === 'model-load' ? [p.detail] : []));
    for (const m of ['ser', 'asr', 'lm', 'aclipse', 'aclipse-bands'] as const) {
      const last = loads.filter((d) => d.model === m).at(-1)!;
      expect(last.done).toBe(true);
      expect(last.loadedBytes).toBeGreaterThan(0);
      expect(last.loadedBytes).toBe(last.totalBytes);
    }
  }, 60_000);

  it('analyzes and protects a clip within the budget, with transcripts, alignment and band energies', async () => {
    const wave = syntheticClip(1, 1.5);
    const a = await job((ctx) => analyzeClip(models, { wave }, ctx));
    expect(a.result.probabilities).toHaveLength(4);
    expect(a.result.probabilities.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 5);
    expect(a.result.transcriptBeam).not.toBeNull();

    for (const method of ['aclipse', 'pitch'] as const) {
      const { result: r } = await job((ctx) =>
        protectClip(models, { wave, method, budgetDb: 12, spectra: { maxFrames: 20 } }, ctx),
      );
      expect(r.wave).toHaveLength(wave.length);
      expect(r.snrDb).toBeGreaterThanOrEqual(12);
      // The budget binds: random heads and a 3-semitone shift both want more change than 12 dB allows.
      expect(r.snrDb).toBeLessThan(12.1);
      expect(r.original!.transcript).toBe(a.result.transcript);
      const alignedRef = r
        .intelligibility!.alignment.filter((w) => w.op !== 'ins')
        .map((w) => w.ref)
        .join(' ');
      expect(alignedRef).toBe(r.intelligibility!.reference);
      expect(r.perturbation.snrDb).toBeCloseTo(r.snrDb, 6);
      expect(r.spectra!.frames).toBeLessThanOrEqual(20);
      expect(r.spectra!.original).toHaveLength(r.spectra!.frames * 257);
      if (method === 'aclipse') {
        expect(r.generatorId).toBe('shipped');
        expect(r.attention!.so).toHaveLength(257);
      } else {
        expect(r.attention).toBeNull();
        expect(r.perturbation.perturbationHighShare).toBeGreaterThan(0);
        expect(r.perturbation.perturbationHighShare).toBeLessThan(1);
      }
    }
  }, 60_000);

  it('measures emotion-cue retention on every protection, with no model involved', async () => {
    // F0 of syntheticClip(3) is 110 + 35·3 = 215 Hz; at −20 dB the budget never binds, so the pitch baseline's full
    // +3 semitones reaches the output.
    const wave = syntheticClip(3, 1.5);
    const run = (method: 'pitch' | 'noise', budgetDb: number) =>
      job((ctx) =>
        protectClip(models, { wave, method, budgetDb, analyze: false, seed: 5, spectra: { maxFrames: 40 } }, ctx),
      ).then((j) => j.result);
    const shifted = await run('pitch', -20);
    expect(shifted.cues).toEqual(cueRetention(wave, shifted.wave));
    expect(shifted.cues.f0RmseSemitones).toBeGreaterThan(2.6);
    expect(shifted.cues.f0RmseSemitones).toBeLessThan(3.4);
    expect(shifted.cues.f0Frames).toBeGreaterThan(100);
    const f0 = shifted.spectra!.f0;
    expect(f0.hopS).toBeCloseTo(0.01, 12);
    expect(f0.original).toHaveLength(150);
    const median = (a: Float32Array) => {
      const v = Array.from(a)
        .filter((x) => x > 0)
        .sort((p, q) => p - q);
      return v[v.length >> 1]!;
    };
    expect(median(f0.original)).toBeGreaterThan(215 * 0.98);
    expect(median(f0.original)).toBeLessThan(215 * 1.02);
    expect(median(f0.protected) / median(f0.original)).toBeCloseTo(2 ** (3 / 12), 1);

    // Noise at 0 dB SNR leaves the pitch where it was but breaks voicing far more than a 30 dB budget does.
    const loud = await run('noise', 0);
    const faint = await run('noise', 30);
    expect(loud.cues.voicingAgreement).toBeLessThan(faint.cues.voicingAgreement);
    expect(faint.cues.voicingAgreement).toBeGreaterThan(0.9);
    expect(faint.cues.f0RmseSemitones).toBeLessThan(0.2);
  }, 60_000);

  it('keeps numTensors unchanged over repeated protect and analyze calls', async () => {
    const wave = syntheticClip(2, 1);
    await job((ctx) => protectClip(models, { wave, method: 'aclipse', budgetDb: 10 }, ctx));
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) {
      await job((ctx) => protectClip(models, { wave, method: 'aclipse', budgetDb: 10 }, ctx));
      await job((ctx) => analyzeClip(models, { wave }, ctx));
    }
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);

  it('opens a dataset from a manifest URL and evaluates methods with per-clip rows', async () => {
    const { result: info } = await job((ctx) =>
      datasets.open({ source: { kind: 'url', manifestUrl: `${base}/data/manifest.jsonl`, name: 'fx' } }, ctx),
    );
    expect(info.clips).toBe(7);
    expect(info.bySplit).toEqual({ train: 4, val: 2, test: 1 });
    expect(info.withText).toBe(7);
    const { result, progress } = await job((ctx) =>
      evaluateDataset(
        models,
        datasets,
        { datasetId: info.id, split: 'train', methods: ['original', 'aclipse', 'noise'], budgetDb: 10 },
        ctx,
      ),
    );
    expect(result.rows).toHaveLength(12);
    expect(progress.filter((p) => p.detail?.kind === 'evaluate-row')).toHaveLength(12);
    const byMethod = Object.fromEntries(result.summaries.map((s) => [s.method, s]));
    expect(byMethod.original!.meanSnrDb).toBeNull();
    expect(byMethod.aclipse!.meanSnrDb!).toBeGreaterThanOrEqual(10);
    expect(byMethod.noise!.confusion.flat().reduce((a, b) => a + b, 0)).toBe(4);
    expect(byMethod.aclipse!.wer.refLength).toBe(11);
  }, 120_000);

  it('trains, cancels, resumes, adopts, exports and imports a generator; refuses held-out splits', async () => {
    const ds = (
      await job((ctx) => datasets.open({ source: { kind: 'url', manifestUrl: `${base}/data/manifest.jsonl` } }, ctx))
    ).result;
    await expect(
      job((ctx) => training.train({ datasetId: ds.id, trainSplit: 'test', config: tinyTrain, stages: [1] }, ctx)),
    ).rejects.toThrow(/held out/);

    // Cancel once the first epoch is reported: the session is kept with stage 1 epoch 1 next.
    const cancelled = job(
      (ctx) =>
        training.train({ datasetId: ds.id, config: tinyTrain, stages: [1, 2], init: 'active', valLimit: 2 }, ctx),
      (p) => p.detail?.kind === 'train-epoch',
    );
    await expect(cancelled).rejects.toMatchObject({ name: 'AbortError' });
    const kept = training.state()!;
    expect(kept.epochs).toHaveLength(1);
    expect(kept.next).toEqual({ stage: 1, epoch: 1 });
    expect(kept.epochs[0]!.val!.wa).toBeGreaterThanOrEqual(0);
    expect(kept.readback).toBe('sync');

    const { result, progress } = await job((ctx) =>
      training.train({ datasetId: ds.id, config: tinyTrain, stages: [1, 2], resume: true }, ctx),
    );
    expect(result.state.next).toBeNull();
    expect(result.state.epochs.map((e) => `${e.stage}:${e.epoch}`)).toEqual(['1:0', '1:1', '2:0']);
    expect(progress.some((p) => p.detail?.kind === 'train-step')).toBe(true);

    const adopted = await training.adopt('mine');
    expect(adopted.activeGenerator).toBe('trained-1');
    const exported = await models.exportGenerator(training.generator(), training.provenance());
    const [json, bin] = exported.files;
    const imported = models.importGenerator(new TextDecoder().decode(json!.data), bin!.data, 'back');
    expect(imported.activeGenerator).toBe('imported-1');
    const wave = syntheticClip(3, 1);
    const a = (await job((ctx) => protectClip(models, { wave, method: 'aclipse', budgetDb: 10, analyze: false }, ctx)))
      .result;
    models.use('trained-1');
    const b = (await job((ctx) => protectClip(models, { wave, method: 'aclipse', budgetDb: 10, analyze: false }, ctx)))
      .result;
    expect(Array.from(a.wave)).toEqual(Array.from(b.wave));
    expect(() => models.importGenerator('{"format":"x"}', new ArrayBuffer(8))).toThrow();
    training.discard();
    expect(training.state()).toBeNull();
  }, 240_000);

  it('fine-tunes the evaluators and marks them fine-tuned', async () => {
    const ds = (
      await job((ctx) => datasets.open({ source: { kind: 'url', manifestUrl: `${base}/data/manifest.jsonl` } }, ctx))
    ).result;
    const { result, progress } = await job((ctx) =>
      training.fineTune({ datasetId: ds.id, split: 'train', epochs: 1, maxBatch: 2, valFraction: 0 }, ctx),
    );
    expect(result.ser!.steps).toBeGreaterThan(0);
    expect(result.models.evaluators!.ser.origin).toBe('fine-tuned');
    expect(progress.some((p) => p.detail?.kind === 'finetune-step')).toBe(true);
    await expect(job((ctx) => training.fineTune({ datasetId: ds.id, split: 'test' }, ctx))).rejects.toThrow(/held out/);
  }, 120_000);
});
