/**
 * Backend selection for the engine worker. Policy (see docs/architecture.md and ../shared/browser.md):
 * WebGPU on a hardware adapter; wasm when the adapter is a software fallback (SwiftShader is ~50× slower than wasm
 * here) or WebGPU is missing; cpu last. A forced backend (`?backend=`) that cannot start is an error, never a
 * silent fallback.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import {
  ENGINE_ERRORS,
  type BackendName,
  type BackendReport,
  type EngineInitOptions,
  type GpuAdapterSummary,
} from '../src/engine/api';

export class BackendUnavailableError extends Error {
  override name = ENGINE_ERRORS.backendUnavailable;
}

const INIT_TIMEOUT_MS = 60_000;

export interface ActiveBackend {
  report: BackendReport;
  /** The WebGPU device when the backend is webgpu, so the worker can watch `device.lost`. */
  device: GPUDevice | null;
}

function summarise(info: GPUAdapterInfo): GpuAdapterSummary {
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    // Older Chromium put the flag on the adapter instead of its info; SwiftShader is the one fallback we know.
    isFallbackAdapter: info.isFallbackAdapter === true || info.architecture === 'swiftshader',
  };
}

function adapterLabel(a: GpuAdapterSummary): string {
  return [a.vendor, a.architecture, a.device, a.description].filter(Boolean).join(' ') || 'unnamed adapter';
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e: unknown) => (clearTimeout(t), reject(e)),
    );
  });
}

async function requestAdapter(): Promise<{ adapter: GPUAdapter | null; why: string }> {
  if (typeof navigator === 'undefined' || !('gpu' in navigator) || !navigator.gpu) {
    return { adapter: null, why: 'this browser has no WebGPU (navigator.gpu is missing)' };
  }
  try {
    const adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
    return adapter ? { adapter, why: '' } : { adapter: null, why: 'no WebGPU adapter is available' };
  } catch (err) {
    return { adapter: null, why: `requesting a WebGPU adapter failed: ${message(err)}` };
  }
}

/**
 * Registers a WebGPU backend factory bound to *our* adapter, so the adapter reported to the user is the one that runs,
 * and we hold the device to watch for loss. Limits mirror tfjs's own factory (large buffers for long clips).
 */
function registerWebGpu(adapter: GPUAdapter, onDevice: (d: GPUDevice) => void, errors: Map<BackendName, string>) {
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', async () => {
    try {
      const l = adapter.limits;
      const device = await adapter.requestDevice({
        requiredLimits: {
          maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
          maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
          maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
          maxBufferSize: l.maxBufferSize,
          maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
          maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
        },
      });
      onDevice(device);
      return new WebGPUBackend(device, adapter.info);
    } catch (err) {
      errors.set('webgpu', message(err));
      throw err;
    }
  });
}

/** Wraps a registered factory so a failure's message reaches the user (tfjs only logs it and returns false). */
function captureErrors(name: BackendName, errors: Map<BackendName, string>) {
  const factory = tf.findBackendFactory(name);
  if (!factory) return;
  tf.removeBackend(name);
  tf.registerBackend(name, async () => {
    try {
      return await factory();
    } catch (err) {
      errors.set(name, message(err));
      throw err;
    }
  });
}

async function trySetBackend(name: BackendName, errors: Map<BackendName, string>): Promise<string | null> {
  try {
    const ok = await withTimeout(tf.setBackend(name), INIT_TIMEOUT_MS, `Starting ${name}`);
    if (ok && tf.getBackend() === name) {
      await tf.ready();
      return null;
    }
    return errors.get(name) ?? `tfjs could not initialise the ${name} backend`;
  } catch (err) {
    return message(err);
  }
}

export async function initBackend(options: EngineInitOptions): Promise<ActiveBackend> {
  const started = performance.now();
  const errors = new Map<BackendName, string>();
  setWasmPaths(options.wasmBaseUrl);
  captureErrors('wasm', errors);
  captureErrors('cpu', errors);

  let device: GPUDevice | null = null;
  const { adapter, why: noAdapterWhy } = await requestAdapter();
  const adapterInfo = adapter ? summarise(adapter.info) : null;
  if (adapter) registerWebGpu(adapter, (d) => (device = d), errors);
  else if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');

  const finish = (backend: BackendName, reason: string, skipped: BackendReport['skipped']): ActiveBackend => ({
    report: {
      backend,
      forced: options.forced !== null,
      reason,
      adapter: adapterInfo,
      skipped,
      tfjsVersion: tf.version.tfjs,
      initMs: Math.round(performance.now() - started),
    },
    device: backend === 'webgpu' ? device : null,
  });

  if (options.forced) {
    const name = options.forced;
    if (name === 'webgpu' && !adapter) {
      throw new BackendUnavailableError(`WebGPU was requested (?backend=webgpu) but ${noAdapterWhy}.`);
    }
    const failure = await trySetBackend(name, errors);
    if (failure)
      throw new BackendUnavailableError(
        `The ${name} backend was requested (?backend=${name}) but failed to start: ${failure}`,
      );
    const on = name === 'webgpu' && adapterInfo ? ` on ${adapterLabel(adapterInfo)}` : '';
    return finish(name, `Forced by ?backend=${name}${on}.`, []);
  }

  const skipped: BackendReport['skipped'] = [];
  if (!options.allowWebGpu) {
    skipped.push({ backend: 'webgpu', why: 'the GPU device was lost earlier in this session' });
  } else if (!adapter || !adapterInfo) {
    skipped.push({ backend: 'webgpu', why: noAdapterWhy });
  } else if (adapterInfo.isFallbackAdapter) {
    skipped.push({
      backend: 'webgpu',
      why: `the WebGPU adapter (${adapterLabel(adapterInfo)}) is a software fallback; wasm is faster on this CPU`,
    });
  } else {
    const failure = await trySetBackend('webgpu', errors);
    if (!failure) return finish('webgpu', `WebGPU on a hardware adapter (${adapterLabel(adapterInfo)}).`, skipped);
    skipped.push({ backend: 'webgpu', why: failure });
  }

  const wasmFailure = await trySetBackend('wasm', errors);
  if (!wasmFailure) {
    return finish('wasm', `WebAssembly (SIMD) on the CPU, because ${skipped.map((s) => s.why).join('; ')}.`, skipped);
  }
  skipped.push({ backend: 'wasm', why: wasmFailure });

  const cpuFailure = await trySetBackend('cpu', errors);
  if (!cpuFailure) {
    return finish(
      'cpu',
      `Plain JavaScript on the CPU (slow), because ${skipped.map((s) => s.why).join('; ')}.`,
      skipped,
    );
  }
  throw new BackendUnavailableError(
    `No TensorFlow.js backend could start: ${[...skipped, { backend: 'cpu', why: cpuFailure }]
      .map((s) => `${s.backend}: ${s.why}`)
      .join('; ')}`,
  );
}
