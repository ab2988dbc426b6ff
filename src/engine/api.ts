/**
 * The engine API: the one contract between the UI and the worker that owns TensorFlow.js.
 *
 * Rules that keep it growable and safe across the Comlink boundary:
 * - Only plain data crosses: numbers, strings, typed arrays, plain objects. No tfjs types, no classes, no `any`.
 * - Long-running work is a *job method*: `(args, jobId, onProgress) => Promise<Result>`. The bridge turns it into a
 *   cancellable call (AbortSignal) with progress; the worker checks for cancellation between steps. Callbacks must be
 *   top-level arguments because Comlink proxies them only there.
 * - Adding a feature = add a job method here, implement it in workers/engine.worker.ts, call it with
 *   `engine.run('name', args, { signal, onProgress })`.
 */

export type BackendName = 'webgpu' | 'wasm' | 'cpu';
export const BACKEND_NAMES: readonly BackendName[] = ['webgpu', 'wasm', 'cpu'];

export function isBackendName(value: unknown): value is BackendName {
  return typeof value === 'string' && (BACKEND_NAMES as readonly string[]).includes(value);
}

/** What the WebGPU adapter says about itself (GPUAdapterInfo, flattened to plain data). */
export interface GpuAdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** True for software adapters such as SwiftShader. */
  isFallbackAdapter: boolean;
}

export interface BackendReport {
  backend: BackendName;
  /** True when the user forced this backend (`?backend=`); a forced backend never falls back silently. */
  forced: boolean;
  /** One sentence for the user: why this backend. */
  reason: string;
  /** The WebGPU adapter when one exists, even if WebGPU was not chosen. */
  adapter: GpuAdapterSummary | null;
  /** Backends considered before this one and why they were not used. */
  skipped: { backend: BackendName; why: string }[];
  tfjsVersion: string;
  initMs: number;
}

export interface EngineInitOptions {
  /** Force one backend; initialisation fails (with the reason) if it cannot start. Null = choose automatically. */
  forced: BackendName | null;
  /** False after a lost GPU device: the automatic choice then skips WebGPU. */
  allowWebGpu: boolean;
  /** Absolute URL of the folder that holds the tfjs-backend-wasm binaries (served from our own origin). */
  wasmBaseUrl: string;
}

/** Unsolicited news from the worker. */
export type EngineEvent = { type: 'device-lost'; message: string };
export type EngineEventSink = (event: EngineEvent) => void;

export interface JobProgress {
  /** Short label for the current step. */
  stage: string;
  /** 0..1 when known. */
  fraction: number | null;
}
export type ProgressSink = (progress: JobProgress) => void;

export interface SelfTestArgs {
  /** Side of the square matrices; the other tensors scale with it. Keep small on software WebGPU. */
  size?: number;
}

export interface SelfTestResult {
  /** The backend that actually executed the program (read from tfjs after running, not from the request). */
  backend: BackendName;
  /** Named scalar results of a fixed, deterministic program (matMul, conv1d, reductions, softmax, a gradient). */
  values: Record<string, number>;
  ms: number;
}

export interface EngineMemory {
  numTensors: number;
  numBytes: number;
}

export type SimulatedFailure = 'device-lost' | 'crash';

export interface EngineApi {
  /** Picks and initialises the backend. Rejects with a BackendUnavailable error when a forced backend cannot start. */
  init(options: EngineInitOptions, onEvent: EngineEventSink): Promise<BackendReport>;
  /** Marks a running job as cancelled; the job stops at its next step with an AbortError. */
  cancel(jobId: string): void;
  memory(): EngineMemory;
  /** Test hook: lose the GPU device (WebGPU only) or crash the worker, to exercise recovery. */
  simulateFailure(kind: SimulatedFailure): void;

  // ---- job methods: (args, jobId, onProgress) => Promise<result> ----
  selfTest(args: SelfTestArgs, jobId: string, onProgress: ProgressSink | null): Promise<SelfTestResult>;
}

/** Names of the job methods of EngineApi (those shaped `(args, jobId, onProgress) => Promise<R>`). */
export type JobName = {
  [K in keyof EngineApi]: EngineApi[K] extends (
    args: never,
    jobId: string,
    onProgress: ProgressSink | null,
  ) => Promise<unknown>
    ? K
    : never;
}[keyof EngineApi];

export type JobArgs<K extends JobName> = Parameters<EngineApi[K]>[0];
export type JobResult<K extends JobName> = Awaited<ReturnType<EngineApi[K]>>;

/** Error names that survive Comlink's error serialisation (it keeps `name` and `message`). */
export const ENGINE_ERRORS = {
  aborted: 'AbortError',
  backendUnavailable: 'BackendUnavailableError',
  crashed: 'EngineCrashedError',
} as const;
