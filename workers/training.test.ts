/**
 * Training in the worker, on the e2e fixtures (tfjs wasm in Node): a cancel sent as a message (as the UI's is)
 * takes effect within one step, and a maximum clip length too short for the transcripts is refused up front.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineFixtures, type EngineFixtures } from '../e2e/engine-fixtures';
import { cropProblem, ctcMinFrames } from '../src/core/aclipse/trainer';
import { initTf } from '../src/core/node/tf';
import type { JobProgress, TrainConfig } from '../src/engine/api';
import { DatasetStore } from './datasets';
import { serveFixtures, type FixtureServer } from './test-server';
import { JobRegistry, type JobContext } from './jobs';
import { ModelStore } from './models';
import { TrainingService, checkTrainConfig } from './training';
import { PAPER_CONFIG, cueKeepAt, cueKeepScale } from '../src/core/training-config';

let fx: EngineFixtures;
let server: FixtureServer;
let base: string;
const registry = new JobRegistry();
const models = new ModelStore();
const datasets = new DatasetStore();
const training = new TrainingService(models, datasets);
let counter = 0;

function job<R>(
  body: (ctx: JobContext) => Promise<R>,
  onProgress: (p: JobProgress, id: string) => void = () => undefined,
) {
  const id = `tt${++counter}`;
  return registry.run(id, (p) => onProgress(p, id), body);
}

beforeAll(async () => {
  await initTf('wasm');
  fx = await engineFixtures();
  server = await serveFixtures({ models: fx.modelsDir, data: fx.datasetDir });
  base = server.base;
  await job((ctx) => models.load({ baseUrl: `${base}/models/` }, ctx));
}, 120_000);

afterAll(() => server?.close());

const config: TrainConfig = {
  seed: 3,
  budgetDb: 10,
  subsetSize: 4,
  swapEvery: 5,
  batchSize: 1, // four steps per epoch, so "within one step" and "at the end of the epoch" differ
  stage1: { epochs: 2, learningRate: 1e-3, lambda1: -1 },
  stage2: { epochs: 1, learningRate: 1e-5, lambda2: 1, tune: 'er' },
};

describe('TrainingService', () => {
  it('stops within one step of a cancel that arrives as a message, keeping no partial epoch', async () => {
    const ds = await job((ctx) =>
      datasets.open({ source: { kind: 'url', manifestUrl: `${base}/data/manifest.jsonl` } }, ctx),
    );
    const steps: number[] = [];
    let cancelSent = false;
    let stepsAfterCancel = 0;
    const run = job(
      (ctx) => training.train({ datasetId: ds.id, config, stages: [1], valSplit: null, maxClipSeconds: 2 }, ctx),
      (p, id) => {
        if (p.detail?.kind !== 'train-step') return;
        steps.push(p.detail.step);
        if (cancelSent) stepsAfterCancel++;
        if (!cancelSent) {
          cancelSent = true;
          // Like a Comlink message: delivered on a later turn of the event loop, never inside the step.
          setTimeout(() => registry.cancel(id), 0);
        }
      },
    );
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(steps[0]).toBe(0);
    expect(stepsAfterCancel).toBeLessThanOrEqual(1);
    const kept = training.state()!;
    expect(kept.epochs).toHaveLength(0);
    expect(kept.next).toEqual({ stage: 1, epoch: 0 });
  }, 120_000);

  it('refuses a maximum clip length too short for the transcripts, naming one that works', async () => {
    const ds = await job((ctx) =>
      datasets.open({ source: { kind: 'url', manifestUrl: `${base}/data/manifest.jsonl` } }, ctx),
    );
    const asr = models.requireEvaluators().asr;
    const longest = Math.max(...datasets.get(ds.id).entries.map((e) => ctcMinFrames(e.text!)));
    // 0.1 s is far too short for any fixture sentence; the run must not start.
    expect(asr.outputLength(1600)).toBeLessThan(longest);
    const run = job((ctx) =>
      training.train({ datasetId: ds.id, config, stages: [1], valSplit: null, maxClipSeconds: 0.1 }, ctx),
    );
    await expect(run).rejects.toThrow(/Set “Cut clips at” to at least \d+\.\d s/);
    const msg = await run.catch((e: Error) => e.message);
    const suggested = Number(/at least (\d+\.\d) s/.exec(String(msg))![1]);
    // The suggestion really fits the longest transcript, and 0.1 s less would not.
    expect(asr.outputLength(Math.round(suggested * 16000))).toBeGreaterThanOrEqual(longest);
    expect(asr.outputLength(Math.round((suggested - 0.1) * 16000))).toBeLessThan(longest);
  }, 60_000);
});

describe('checkTrainConfig: cue keeping', () => {
  it('passes the weights to the trainer, leaves them out when off, and refuses a negative one', () => {
    expect('cueKeep' in checkTrainConfig(PAPER_CONFIG)).toBe(false);
    expect('cueKeep' in checkTrainConfig({ ...PAPER_CONFIG, cueKeep: cueKeepAt(0) })).toBe(false);
    const half = cueKeepAt(0.5)!;
    expect(half).toEqual({ pitch: 15, tilt: 2.5, level: 2.5 });
    expect(cueKeepScale(checkTrainConfig({ ...PAPER_CONFIG, cueKeep: half }).cueKeep)).toBe(0.5);
    expect(() => checkTrainConfig({ ...PAPER_CONFIG, cueKeep: { ...half, tilt: -1 } })).toThrow(/cue-keeping/);
  });
});

describe('cropProblem', () => {
  // 10 output frames per 0.1 s, like a 100 Hz front end without subsampling.
  const frames = (n: number) => Math.floor(n / 160);

  it('counts a blank between doubled letters', () => {
    expect(ctcMinFrames('ab')).toBe(2);
    expect(ctcMinFrames('hello')).toBe(6);
    expect(ctcMinFrames('a  b!')).toBe(3); // normalised: "a b"
  });

  it('refuses a cut too short for a transcript and names the length that fits it', () => {
    const text = 'the smaller component is hard to reach'; // 38 characters, one doubled letter
    const need = ctcMinFrames(text);
    expect(need).toBe(39);
    const msg = cropProblem([{ text, samples: 3 * 16000 }], 0.3 * 16000, frames);
    expect(msg).toMatch(/has 30 frames/);
    expect(msg).toMatch(/needs 39/);
    expect(msg).toMatch(/Cut clips at” to at least 0\.4 s/);
    expect(frames(0.4 * 16000)).toBeGreaterThanOrEqual(need);
    expect(cropProblem([{ text, samples: 3 * 16000 }], 0.4 * 16000, frames)).toBeNull();
  });

  it('leaves clips alone that are not cut at all', () => {
    expect(cropProblem([{ text: 'a long sentence that is here', samples: 1000 }], 0.1 * 16000, frames)).toBeNull();
  });
});

describe('ModelStore: the word LM on first need', () => {
  it('loads the evaluators without the LM for training, then adds it when a beam decode needs it', async () => {
    const store = new ModelStore();
    const bareProgress: JobProgress[] = [];
    const bare = await registry.run(
      `lm${++counter}`,
      (p) => bareProgress.push(p),
      (ctx) => store.load({ baseUrl: `${base}/models/`, languageModel: false }, ctx),
    );
    expect(bare.evaluators).not.toBeNull();
    expect(bare.evaluators!.languageModel).toBeNull();
    expect(bareProgress.some((p) => p.detail?.kind === 'model-load' && p.detail.model === 'lm')).toBe(false);
    expect(bareProgress.some((p) => p.detail?.kind === 'model-load' && p.detail.model === 'asr')).toBe(true);
    const before = store.requireEvaluators();

    const progress: JobProgress[] = [];
    const full = await registry.run(
      `lm${++counter}`,
      (p) => progress.push(p),
      (ctx) => store.load({ baseUrl: `${base}/models/` }, ctx),
    );
    expect(full.evaluators!.languageModel).toMatch(/gram LM/);
    expect(full.files!.some((f) => f.endsWith('/lm.bin'))).toBe(true);
    // Added to the evaluators already held (so fine-tuned weights would survive), with byte progress.
    expect(store.requireEvaluators()).toBe(before);
    expect(progress.some((p) => p.detail?.kind === 'model-load' && p.detail.model === 'lm' && p.detail.done)).toBe(
      true,
    );
  }, 60_000);
});
