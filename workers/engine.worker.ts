/**
 * The engine worker: the only place TensorFlow.js is loaded. The UI talks to it through the typed Comlink bridge in
 * src/engine/bridge.ts; this file implements src/engine/api.ts.
 */
import * as Comlink from 'comlink';
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { BackendReport, EngineApi, EngineEventSink, EngineInitOptions, SimulatedFailure } from '../src/engine/api';
import { TRAINING_GENERATOR_ID } from '../src/engine/api';
import { installFastMatMulGradient } from '../src/core/ml/fast-gradients';
import { initBackend } from './backend';
import { DatasetStore, clipMeta, decodeEntry } from './datasets';
import { evaluateDataset } from './evaluate';
import { computeSpectra } from '../src/core/metrics/measure';
import { LiveService } from './live';
import { ModelStore } from './models';
import { analyzeClip, checkWave, protectClip } from './protect';
import { TrainingService } from './training';
import { JobRegistry } from './jobs';
import { runSelfTest } from './selftest';

const jobs = new JobRegistry();
let report: BackendReport | null = null;
let initializing: Promise<BackendReport> | null = null;

function requireReady(): BackendReport {
  if (!report) throw new Error('The engine is not initialised yet');
  return report;
}

const models = new ModelStore();
const datasets = new DatasetStore();
const training = new TrainingService(models, datasets);
const live = new LiveService(models);

/**
 * Moves the result's typed-array buffers to the UI instead of copying them (a 10-min clip is 38 MB per wave).
 * Only freshly made results pass through here; nothing the worker keeps shares their buffers.
 */
function transferOut<T>(value: T): T {
  const buffers = new Set<ArrayBuffer>();
  const walk = (v: unknown, depth: number) => {
    if (v === null || typeof v !== 'object' || depth > 6) return;
    if (v instanceof ArrayBuffer) buffers.add(v);
    else if (ArrayBuffer.isView(v)) {
      if (v.buffer instanceof ArrayBuffer) buffers.add(v.buffer);
    } else if (Array.isArray(v)) {
      if (v.length && typeof v[0] === 'object') for (const x of v) walk(x, depth + 1);
    } else for (const x of Object.values(v)) walk(x, depth + 1);
  };
  walk(value, 0);
  return buffers.size ? Comlink.transfer(value, [...buffers]) : value;
}

const api: EngineApi = {
  init(options: EngineInitOptions, onEvent: EngineEventSink): Promise<BackendReport> {
    // One backend per worker lifetime: recovery replaces the whole worker, which also drops any half-broken state.
    initializing ??= initBackend(options).then(({ report: r, device }) => {
      report = r;
      // Explicit transposes in matMul gradients: several times faster training on wasm, neutral elsewhere.
      installFastMatMulGradient();
      device?.lost.then((info) => {
        // 'destroyed' also arrives when *we* destroy the device, but this worker never does except to simulate loss.
        Promise.resolve(
          onEvent({ type: 'device-lost', message: info.message || `reason: ${info.reason ?? 'unknown'}` }),
        ).catch(() => undefined);
      });
      return r;
    });
    return initializing;
  },

  cancel(jobId: string): void {
    jobs.cancel(jobId);
  },

  memory() {
    const m = tf.memory();
    return { numTensors: m.numTensors, numBytes: m.numBytes };
  },

  simulateFailure(kind: SimulatedFailure): void {
    if (kind === 'crash') {
      // An uncaught error outside any Comlink call reaches the page as the Worker's `error` event.
      setTimeout(() => {
        throw new Error('Simulated engine crash');
      }, 0);
      return;
    }
    if (tf.getBackend() !== 'webgpu') throw new Error('Device loss can only be simulated on the webgpu backend');
    (tf.backend() as WebGPUBackend).device.destroy();
  },

  selfTest(args, jobId, onProgress) {
    requireReady();
    return jobs.run(jobId, onProgress, (ctx) => runSelfTest(args, ctx));
  },

  loadModels(args, jobId, onProgress) {
    requireReady();
    return jobs.run(jobId, onProgress, (ctx) => models.load(args, ctx));
  },

  models(_args, jobId, onProgress) {
    return jobs.run(jobId, onProgress, async () => models.report());
  },

  useGenerator(args, jobId, onProgress) {
    return jobs.run(jobId, onProgress, async () => models.use(args.id));
  },

  exportGenerator(args, jobId, onProgress) {
    return jobs.run(jobId, onProgress, async () => {
      if (args.id === TRAINING_GENERATOR_ID)
        return transferOut(await models.exportGenerator(training.generator(), training.provenance()));
      return transferOut(
        await models.exportGenerator(models.getGenerator(args.id), models.generatorProvenance(args.id)),
      );
    });
  },

  importGenerator(args, jobId, onProgress) {
    requireReady();
    return jobs.run(jobId, onProgress, async () =>
      models.importGenerator(args.modelJson, args.weights, args.label, {
        origin: args.origin,
        activate: args.activate,
      }),
    );
  },

  exportEvaluators(_args, jobId, onProgress) {
    return jobs.run(jobId, onProgress, async () => transferOut(await models.exportEvaluators()));
  },

  analyze(args, jobId, onProgress) {
    requireReady();
    return jobs.run(jobId, onProgress, (ctx) => analyzeClip(models, args, ctx));
  },

  protect(args, jobId, onProgress) {
    requireReady();
    return jobs.run(jobId, onProgress, async (ctx) => transferOut(await protectClip(models, args, ctx)));
  },

  liveStart(args, jobId, onProgress) {
    requireReady();
    return jobs.run(jobId, onProgress, async () => live.start(args));
  },

  livePush(args, jobId, onProgress) {
    return jobs.run(jobId, onProgress, async () => transferOut(await live.push(args)));
  },

  liveStop(args, jobId, onProgress) {
    return jobs.run(jobId, onProgress, async () => transferOut(await live.stop(args.sessionId)));
  },

  spectra(args, jobId, onProgress) {
    return jobs.run(jobId, onProgress, async (ctx) => {
      ctx.progress('Computing spectrograms', null);
      await ctx.checkpoint();
      const original = checkWave(args.original, 'The original clip');
      const prot = checkWave(args.protected, 'The protected clip');
      return transferOut(computeSpectra(original, prot, args));
    });
  },

  openDataset(args, jobId, onProgress) {
    return jobs.run(jobId, onProgress, (ctx) => datasets.open(args, ctx));
  },

  datasetClips(args, jobId, onProgress) {
    return jobs.run(jobId, onProgress, async () => datasets.page(args));
  },

  datasetClip(args, jobId, onProgress) {
    return jobs.run(jobId, onProgress, async () => {
      const entry = datasets.entry(args.datasetId, args.clipId);
      return transferOut({ clip: clipMeta(entry), wave: await decodeEntry(entry) });
    });
  },

  closeDataset(args, jobId, onProgress) {
    return jobs.run(jobId, onProgress, async () => datasets.close(args.datasetId));
  },

  evaluate(args, jobId, onProgress) {
    requireReady();
    return jobs.run(jobId, onProgress, (ctx) => evaluateDataset(models, datasets, args, ctx));
  },

  train(args, jobId, onProgress) {
    requireReady();
    return jobs.run(jobId, onProgress, (ctx) => training.train(args, ctx));
  },

  trainingState(_args, jobId, onProgress) {
    return jobs.run(jobId, onProgress, async () => training.state());
  },

  adoptTrainedGenerator(args, jobId, onProgress) {
    return jobs.run(jobId, onProgress, () => training.adopt(args.label));
  },

  discardTraining(_args, jobId, onProgress) {
    return jobs.run(jobId, onProgress, async () => training.discard());
  },

  fineTuneEvaluators(args, jobId, onProgress) {
    requireReady();
    return jobs.run(jobId, onProgress, (ctx) => training.fineTune(args, ctx));
  },
};

Comlink.expose(api);
