/**
 * Worker-side job bookkeeping (no tfjs, so it is unit-testable in Node): cancellation flags checked between steps,
 * progress forwarding through the Comlink-proxied callback, and release of that proxy when the job ends.
 */
import * as Comlink from 'comlink';
import { ENGINE_ERRORS, type JobProgress, type ProgressSink } from '../src/engine/api';

export class JobCancelledError extends Error {
  override name = ENGINE_ERRORS.aborted;
  constructor(jobId: string) {
    super(`Job ${jobId} was cancelled`);
  }
}

export interface JobContext {
  readonly id: string;
  /** Reports progress to the UI (fire-and-forget). */
  progress(stage: string, fraction?: number | null): void;
  /**
   * Yields to the worker's event loop, so a pending cancel() message can run, then throws JobCancelledError if the
   * job was cancelled. Call it between steps of any long computation.
   */
  checkpoint(): Promise<void>;
  readonly cancelled: boolean;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export class JobRegistry {
  private readonly cancelled = new Set<string>();
  private readonly running = new Set<string>();

  cancel(jobId: string): void {
    // Remember it even if the job has not started yet: the cancel can overtake the start message.
    this.cancelled.add(jobId);
  }

  async run<R>(jobId: string, onProgress: ProgressSink | null, body: (ctx: JobContext) => Promise<R>): Promise<R> {
    const registry = this;
    this.running.add(jobId);
    const ctx: JobContext = {
      id: jobId,
      progress(stage, fraction = null) {
        if (!onProgress) return;
        const p: JobProgress = { stage, fraction };
        // A proxied callback returns a promise; a closed UI side must not fail the job.
        Promise.resolve(onProgress(p)).catch(() => undefined);
      },
      async checkpoint() {
        await yieldToEventLoop();
        if (registry.cancelled.has(jobId)) throw new JobCancelledError(jobId);
      },
      get cancelled() {
        return registry.cancelled.has(jobId);
      },
    };
    try {
      if (this.cancelled.has(jobId)) throw new JobCancelledError(jobId);
      return await body(ctx);
    } finally {
      this.running.delete(jobId);
      this.cancelled.delete(jobId);
      const release = (onProgress as unknown as Partial<Record<typeof Comlink.releaseProxy, () => void>> | null)?.[
        Comlink.releaseProxy
      ];
      if (typeof release === 'function') release();
    }
  }

  get runningCount(): number {
    return this.running.size;
  }
}
