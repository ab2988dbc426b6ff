/**
 * The engine worker: the only place TensorFlow.js is loaded. The UI talks to it through the typed Comlink bridge in
 * src/engine/bridge.ts; this file implements src/engine/api.ts.
 */
import * as Comlink from 'comlink';
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type {
  BackendReport,
  EngineApi,
  EngineEventSink,
  EngineInitOptions,
  SimulatedFailure,
} from '../src/engine/api';
import { initBackend } from './backend';
import { JobRegistry } from './jobs';
import { runSelfTest } from './selftest';

const jobs = new JobRegistry();
let report: BackendReport | null = null;
let initializing: Promise<BackendReport> | null = null;

function requireReady(): BackendReport {
  if (!report) throw new Error('The engine is not initialised yet');
  return report;
}

// Placeholder while the features land; every method is typed by EngineApi.
function notYet(name: string) {
  return (): Promise<never> => Promise.reject(new Error(`${name} is not implemented yet`));
}

const api: EngineApi = {
  init(options: EngineInitOptions, onEvent: EngineEventSink): Promise<BackendReport> {
    // One backend per worker lifetime: recovery replaces the whole worker, which also drops any half-broken state.
    initializing ??= initBackend(options).then(({ report: r, device }) => {
      report = r;
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

  loadModels: notYet('loadModels'),
  models: notYet('models'),
  useGenerator: notYet('useGenerator'),
  exportGenerator: notYet('exportGenerator'),
  importGenerator: notYet('importGenerator'),
  exportEvaluators: notYet('exportEvaluators'),
  analyze: notYet('analyze'),
  protect: notYet('protect'),
  spectra: notYet('spectra'),
  openDataset: notYet('openDataset'),
  datasetClips: notYet('datasetClips'),
  datasetClip: notYet('datasetClip'),
  closeDataset: notYet('closeDataset'),
  evaluate: notYet('evaluate'),
  train: notYet('train'),
  trainingState: notYet('trainingState'),
  adoptTrainedGenerator: notYet('adoptTrainedGenerator'),
  discardTraining: notYet('discardTraining'),
  fineTuneEvaluators: notYet('fineTuneEvaluators'),
};

Comlink.expose(api);
