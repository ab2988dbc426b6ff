/**
 * The one typed bridge between the UI and the engine worker.
 *
 * - Every job method of EngineApi becomes `engine.run(name, args, { signal, onProgress })`: an AbortSignal cancels it
 *   (the promise rejects at once with an AbortError; the worker stops at its next step), progress arrives through a
 *   Comlink-proxied callback.
 * - Recovery: if the worker crashes or its GPU device is lost, pending jobs are rejected, the worker is replaced and
 *   re-initialised without WebGPU (so wasm, then cpu), and `state.notice` says what happened. Clips live in the UI and
 *   are untouched.
 * - The transport is injected, so the protocol is unit-tested over a MessageChannel in Node.
 */
import * as Comlink from 'comlink';
import { abortError, throwIfAborted } from '../core/abort';
import {
  ENGINE_ERRORS,
  type BackendName,
  type BackendReport,
  type EngineApi,
  type EngineEvent,
  type EngineMemory,
  type JobArgs,
  type JobName,
  type JobResult,
  type ProgressSink,
  type SimulatedFailure,
} from './api';

export interface EngineTransport {
  endpoint: Comlink.Endpoint;
  terminate(): void;
  /** Calls back when the worker dies or throws outside a call (the Worker's `error` / `messageerror` events). */
  onCrash(listener: (message: string) => void): void;
}

export type EnginePhase = 'starting' | 'ready' | 'failed';

export interface EngineState {
  phase: EnginePhase;
  report: BackendReport | null;
  /** The backend forced by the user (`?backend=`), if any. */
  forced: BackendName | null;
  /** Why the engine cannot run (e.g. a forced backend that failed to start). */
  error: string | null;
  /** What recovery did (e.g. "GPU device lost … now on wasm"). */
  notice: string | null;
  /** Incremented on each worker (re)start. */
  generation: number;
}

export interface EngineClientOptions {
  forced: BackendName | null;
  wasmBaseUrl: string;
  createTransport: () => EngineTransport;
  /** Restarts allowed before giving up (a worker that crashes on start would otherwise loop). Default 3. */
  maxRestarts?: number;
  /** A configuration problem found before starting (e.g. `?backend=foo`): the engine stays failed with this message. */
  configError?: string | null;
}

export interface RunOptions {
  signal?: AbortSignal;
  onProgress?: ProgressSink;
}

export class EngineCrashedError extends Error {
  override name = ENGINE_ERRORS.crashed;
}

/** The message of the AbortError a cancelled call rejects with on the UI side. */
const CANCELLED = 'Cancelled';

/** Comlink rebuilds thrown errors as plain Errors carrying name and message; keep them, drop the rest. */
function toError(err: unknown): Error {
  if (err instanceof Error) return err;
  if (err && typeof err === 'object' && 'message' in err) {
    const e = new Error(String((err as { message: unknown }).message));
    if ('name' in err) e.name = String((err as { name: unknown }).name);
    return e;
  }
  return new Error(String(err));
}

type JobFn<K extends JobName> = (
  args: JobArgs<K>,
  jobId: string,
  onProgress: ProgressSink | null,
) => Promise<JobResult<K>>;

export class EngineClient {
  private state: EngineState;
  private readonly listeners = new Set<() => void>();
  private transport: EngineTransport | null = null;
  private remote: Comlink.Remote<EngineApi> | null = null;
  private ready: Promise<BackendReport> | null = null;
  private readonly pending = new Map<string, (err: Error) => void>();
  private jobCounter = 0;
  private restarts = 0;
  private allowWebGpu = true;
  private forced: BackendName | null;
  private disposed = false;

  constructor(private readonly options: EngineClientOptions) {
    this.forced = options.forced;
    this.state = { phase: 'starting', report: null, forced: options.forced, error: null, notice: null, generation: 0 };
  }

  // ---- observable state (useSyncExternalStore-compatible) ----
  getState = (): EngineState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private setState(patch: Partial<EngineState>) {
    this.state = { ...this.state, ...patch };
    for (const l of this.listeners) l();
  }

  // ---- lifecycle ----
  /** Starts the worker once; later calls return the same promise. */
  start(): Promise<BackendReport> {
    if (this.disposed) return Promise.reject(new Error('The engine was disposed'));
    const configError = this.options.configError;
    if (configError) {
      if (this.state.phase !== 'failed') this.setState({ phase: 'failed', error: configError });
      return Promise.reject(new Error(configError));
    }
    this.ready ??= this.boot();
    return this.ready;
  }

  private boot(): Promise<BackendReport> {
    const generation = this.state.generation + 1;
    const transport = this.options.createTransport();
    const remote = Comlink.wrap<EngineApi>(transport.endpoint);
    this.transport = transport;
    this.remote = remote;
    transport.onCrash((message) => {
      if (this.transport === transport) this.recover(`The engine worker crashed (${message})`);
    });
    this.setState({ phase: 'starting', generation, error: null });
    const onEvent = Comlink.proxy((event: EngineEvent) => {
      if (this.transport !== transport) return;
      if (event.type === 'device-lost') this.recover(`The GPU device was lost (${event.message})`);
    });
    const p = remote
      .init({ forced: this.forced, allowWebGpu: this.allowWebGpu, wasmBaseUrl: this.options.wasmBaseUrl }, onEvent)
      .then(
        (report) => {
          if (this.transport === transport) this.setState({ phase: 'ready', report });
          return report;
        },
        (err: unknown) => {
          const e = toError(err);
          if (this.transport === transport) this.setState({ phase: 'failed', report: null, error: e.message });
          throw e;
        },
      );
    p.catch(() => undefined); // the state carries the error; callers of start() still see the rejection
    return p;
  }

  private teardown() {
    const transport = this.transport;
    const remote = this.remote;
    this.transport = null;
    this.remote = null;
    this.ready = null;
    if (remote) remote[Comlink.releaseProxy]();
    transport?.terminate();
  }

  private recover(reason: string) {
    if (this.disposed) return;
    for (const reject of this.pending.values())
      reject(new EngineCrashedError(`${reason}; the running task was stopped.`));
    this.pending.clear();
    this.teardown();
    this.restarts++;
    const maxRestarts = this.options.maxRestarts ?? 3;
    if (this.restarts > maxRestarts) {
      this.setState({
        phase: 'failed',
        report: null,
        error: `${reason}. Gave up after ${maxRestarts} restarts; reload the page.`,
      });
      return;
    }
    // A lost device or a crash may recur on WebGPU; the CPU backends are the safe harbour, even if WebGPU was forced.
    this.allowWebGpu = false;
    this.forced = null;
    this.setState({ notice: `${reason}. Restarting the engine on the CPU (wasm)…`, report: null });
    this.start().then(
      (report) => this.setState({ notice: `${reason}. The engine now runs on ${report.backend}.` }),
      () => undefined,
    );
  }

  dispose() {
    this.disposed = true;
    for (const reject of this.pending.values()) reject(new Error('The engine was disposed'));
    this.pending.clear();
    this.teardown();
  }

  private async connected(): Promise<Comlink.Remote<EngineApi>> {
    await this.start();
    if (!this.remote) throw new Error('The engine is restarting; try again');
    return this.remote;
  }

  // ---- calls ----
  /** Runs a job method of EngineApi, cancellable with `signal`, reporting progress to `onProgress`. */
  async run<K extends JobName>(name: K, args: JobArgs<K>, options: RunOptions = {}): Promise<JobResult<K>> {
    const { signal, onProgress } = options;
    throwIfAborted(signal, CANCELLED);
    const remote = await this.connected();
    throwIfAborted(signal, CANCELLED);
    const jobId = `${this.state.generation}:${++this.jobCounter}`;
    const progress = onProgress ? Comlink.proxy(onProgress) : null;
    const call = remote[name] as unknown as JobFn<K>;

    return new Promise<JobResult<K>>((resolve, reject) => {
      let settled = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        this.pending.delete(jobId);
        fn();
      };
      const onAbort = () => {
        remote.cancel(jobId).catch(() => undefined);
        settle(() => reject(abortError(CANCELLED)));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(jobId, (err) => settle(() => reject(err)));
      call(args, jobId, progress).then(
        (result) => settle(() => resolve(result)),
        (err: unknown) => settle(() => reject(toError(err))),
      );
    });
  }

  async memory(): Promise<EngineMemory> {
    return (await this.connected()).memory();
  }

  /** Test hook, see EngineApi.simulateFailure. */
  async simulateFailure(kind: SimulatedFailure): Promise<void> {
    await (await this.connected()).simulateFailure(kind);
  }
}
