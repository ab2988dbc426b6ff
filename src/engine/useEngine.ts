/**
 * React access to the engine: one lazily created EngineClient per page (`getEngine()`), and `useEngineJob(name)` for
 * running one job method with progress and cancellation (whisper-web-style small hook).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { isBackendName, type BackendName, type JobArgs, type JobName, type JobProgress, type JobResult } from './api';
import { isAbortError } from '../core/abort';
import { EngineClient } from './bridge';
import { createWorkerTransport } from './worker-transport';

export interface EngineConfig {
  forced: BackendName | null;
  error: string | null;
}

/** Reads `?backend=webgpu|wasm|cpu`. An unknown value is an error, not a silent default. */
export function engineConfigFromUrl(search: string): EngineConfig {
  const raw = new URLSearchParams(search).get('backend');
  if (raw === null || raw === '' || raw === 'auto') return { forced: null, error: null };
  if (isBackendName(raw)) return { forced: raw, error: null };
  return { forced: null, error: `Unknown backend “${raw}” in ?backend= (use webgpu, wasm or cpu).` };
}

let client: EngineClient | null = null;

export function getEngine(): EngineClient {
  if (!client) {
    const config = engineConfigFromUrl(location.search);
    client = new EngineClient({
      forced: config.forced,
      configError: config.error,
      // Our own origin only: the CSP forbids anything else, and the privacy promise depends on it.
      wasmBaseUrl: new URL(`${import.meta.env.BASE_URL}tfjs-wasm/`, location.href).href,
      createTransport: createWorkerTransport,
    });
  }
  return client;
}

export interface JobState<K extends JobName> {
  running: boolean;
  progress: JobProgress | null;
  result: JobResult<K> | null;
  error: string | null;
}

export function useEngineJob<K extends JobName>(name: K) {
  const engine = getEngine();
  const [state, setState] = useState<JobState<K>>({ running: false, progress: null, result: null, error: null });
  const controller = useRef<AbortController | null>(null);

  useEffect(() => () => controller.current?.abort(), []);

  const run = useCallback(
    async (args: JobArgs<K>): Promise<JobResult<K> | null> => {
      controller.current?.abort();
      const c = new AbortController();
      controller.current = c;
      setState({ running: true, progress: null, result: null, error: null });
      try {
        const result = await engine.run(name, args, {
          signal: c.signal,
          onProgress: (progress) => {
            if (!c.signal.aborted) setState((s) => ({ ...s, progress }));
          },
        });
        if (controller.current === c) setState({ running: false, progress: null, result, error: null });
        return result;
      } catch (err) {
        if (controller.current === c) {
          const message = isAbortError(err) ? 'Cancelled.' : err instanceof Error ? err.message : String(err);
          setState({ running: false, progress: null, result: null, error: message });
        }
        return null;
      }
    },
    [engine, name],
  );

  const cancel = useCallback(() => controller.current?.abort(), []);
  return { ...state, run, cancel };
}
