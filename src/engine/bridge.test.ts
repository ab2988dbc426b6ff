import { afterEach, describe, expect, it } from 'vitest';
import * as Comlink from 'comlink';
import { JobRegistry } from '../../workers/jobs';
import type { BackendReport, EngineApi, EngineEventSink, EngineInitOptions, JobProgress } from './api';
import { isAbortError } from '../core/abort';
import { EngineClient, EngineCrashedError, type EngineTransport } from './bridge';

/**
 * A fake worker speaking the real protocol over a MessageChannel: the real JobRegistry, a job that runs `steps`
 * checkpoints, and hooks to fail init, emit device loss or "crash".
 */
interface FakeWorker {
  inits: EngineInitOptions[];
  stepsDone: number;
  cancelledSeen: boolean;
  onEvent: EngineEventSink | null;
  crash: (msg: string) => void;
}

const ports: MessagePort[] = [];
afterEach(() => {
  for (const p of ports.splice(0)) p.close();
});

function setup(opts: { failInit?: string; forced?: 'webgpu' | 'wasm' | 'cpu' | null; steps?: number } = {}) {
  const workers: FakeWorker[] = [];
  const createTransport = (): EngineTransport => {
    const { port1, port2 } = new MessageChannel();
    ports.push(port1, port2);
    const registry = new JobRegistry();
    let crashListener: ((m: string) => void) | null = null;
    const w: FakeWorker = {
      inits: [],
      stepsDone: 0,
      cancelledSeen: false,
      onEvent: null,
      crash: (m) => crashListener?.(m),
    };
    workers.push(w);
    // Only the methods this protocol test needs; Comlink exposes whatever the object has.
    const api = {
      async init(options, onEvent) {
        w.inits.push(options);
        w.onEvent = onEvent;
        if (opts.failInit) {
          const e = new Error(opts.failInit);
          e.name = 'BackendUnavailableError';
          throw e;
        }
        const backend = options.forced ?? (options.allowWebGpu ? 'webgpu' : 'wasm');
        const report: BackendReport = {
          backend,
          forced: options.forced !== null,
          reason: 'test',
          adapter: null,
          skipped: [],
          tfjsVersion: 'test',
          initMs: 0,
        };
        return report;
      },
      cancel: (id) => registry.cancel(id),
      memory: () => ({ numTensors: 0, numBytes: 0 }),
      simulateFailure: () => undefined,
      selfTest(args, jobId, onProgress) {
        return registry.run(jobId, onProgress, async (ctx) => {
          const steps = opts.steps ?? 3;
          try {
            for (let i = 0; i < steps; i++) {
              await ctx.checkpoint();
              await new Promise((r) => setTimeout(r, 5));
              w.stepsDone++;
              ctx.progress(`step ${i + 1}`, (i + 1) / steps);
            }
          } catch (err) {
            w.cancelledSeen = ctx.cancelled;
            throw err;
          }
          return { backend: 'wasm' as const, values: { size: args.size ?? 0 }, checks: [], ms: 1 };
        });
      },
    } satisfies Partial<EngineApi>;
    Comlink.expose(api, port1);
    return {
      endpoint: port2,
      terminate: () => port1.close(),
      onCrash: (l) => (crashListener = l),
    };
  };
  const client = new EngineClient({ forced: opts.forced ?? null, wasmBaseUrl: '/tfjs-wasm/', createTransport });
  return { client, workers };
}

async function until(cond: () => boolean, ms = 2000) {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > ms) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('EngineClient', () => {
  it('starts, reports the backend and passes the init options', async () => {
    const { client, workers } = setup({ forced: 'cpu' });
    const report = await client.start();
    expect(report.backend).toBe('cpu');
    expect(client.getState()).toMatchObject({ phase: 'ready', forced: 'cpu', generation: 1 });
    expect(workers[0]!.inits[0]).toEqual({ forced: 'cpu', allowWebGpu: true, wasmBaseUrl: '/tfjs-wasm/' });
    client.dispose();
  });

  it('runs a job with typed args and result and delivers progress', async () => {
    const { client } = setup();
    const seen: JobProgress[] = [];
    const result = await client.run('selfTest', { size: 7 }, { onProgress: (p) => seen.push(p) });
    expect(result.values.size).toBe(7);
    await until(() => seen.length === 3);
    expect(seen.map((p) => p.fraction)).toEqual([1 / 3, 2 / 3, 1]);
    client.dispose();
  });

  it('cancels through the AbortSignal: rejects at once and the worker stops between steps', async () => {
    const { client, workers } = setup({ steps: 200 });
    await client.start();
    const controller = new AbortController();
    const job = client.run('selfTest', {}, { signal: controller.signal });
    await until(() => workers[0]!.stepsDone >= 2);
    controller.abort();
    const err = await job.catch((e: unknown) => e);
    expect(isAbortError(err)).toBe(true);
    await until(() => workers[0]!.cancelledSeen);
    const stoppedAt = workers[0]!.stepsDone;
    await new Promise((r) => setTimeout(r, 50));
    expect(workers[0]!.stepsDone).toBe(stoppedAt);
    expect(stoppedAt).toBeLessThan(200);
    client.dispose();
  });

  it('rejects an already-aborted signal without calling the worker', async () => {
    const { client, workers } = setup();
    const c = new AbortController();
    c.abort();
    await expect(client.run('selfTest', {}, { signal: c.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(workers).toHaveLength(0);
    client.dispose();
  });

  it('surfaces a forced backend that cannot start as a failed state with the reason', async () => {
    const { client } = setup({ forced: 'webgpu', failInit: 'WebGPU was requested but no adapter' });
    await expect(client.start()).rejects.toThrow('no adapter');
    expect(client.getState()).toMatchObject({ phase: 'failed', error: 'WebGPU was requested but no adapter' });
    client.dispose();
  });

  it('on device loss: restarts without WebGPU, even if forced, and says so', async () => {
    const { client, workers } = setup({ forced: 'webgpu' });
    expect((await client.start()).backend).toBe('webgpu');
    await workers[0]!.onEvent!({ type: 'device-lost', message: 'destroyed' });
    await until(() => client.getState().phase === 'ready' && client.getState().generation === 2);
    expect(workers[1]!.inits[0]).toMatchObject({ forced: null, allowWebGpu: false });
    expect(client.getState().report?.backend).toBe('wasm');
    await until(() => /now runs on wasm/.test(client.getState().notice ?? ''));
    expect(client.getState().notice).toMatch(/GPU device was lost \(destroyed\)/);
    client.dispose();
  });

  it('on a worker crash: rejects the running job, restarts, and later jobs work', async () => {
    const { client, workers } = setup({ steps: 20 });
    await client.start();
    const job = client.run('selfTest', {});
    await until(() => workers[0]!.stepsDone >= 1);
    workers[0]!.crash('boom');
    await expect(job).rejects.toBeInstanceOf(EngineCrashedError);
    await until(() => client.getState().phase === 'ready' && client.getState().generation === 2);
    expect(client.getState().notice).toMatch(/crashed \(boom\)/);
    expect((await client.run('selfTest', { size: 2 })).values.size).toBe(2);
    client.dispose();
  });

  it('gives up after repeated crashes instead of looping', async () => {
    const { client, workers } = setup();
    await client.start();
    for (let i = 0; i < 4; i++) {
      await until(() => workers.length === i + 1);
      workers[i]!.crash(`crash ${i}`);
    }
    expect(client.getState().phase).toBe('failed');
    expect(client.getState().error).toMatch(/Gave up after 3 restarts/);
    client.dispose();
  });
});
