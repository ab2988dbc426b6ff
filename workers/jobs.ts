/**
 * Worker-side job bookkeeping (no tfjs, so it is unit-testable in Node): cancellation flags checked between steps,
 * progress forwarding through the Comlink-proxied callback, and release of that proxy when the job ends.
 */
import * as Comlink from 'comlink';
import { throwIfAborted } from '../src/core/abort';
import type { JobProgress, ProgressDetail, ProgressSink } from '../src/engine/api';

/** The message of a cancelled job's AbortError. */
export const jobCancelledMessage = (jobId: string): string => `Job ${jobId} was cancelled`;

export interface JobContext {
  readonly id: string;
  /** Reports progress to the UI (fire-and-forget). */
  progress(stage: string, fraction?: number | null, detail?: ProgressDetail): void;
  /**
   * Yields to the worker's event loop, so a pending cancel() message can run, then throws an AbortError if the
   * job was cancelled. Call it between steps of any long computation.
   */
  checkpoint(): Promise<void>;
  readonly cancelled: boolean;
  /** Aborted when the job is cancelled, for core code that takes an AbortSignal (it reacts at its own next step). */
  readonly signal: AbortSignal;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export class JobRegistry {
  private readonly cancelled = new Set<string>();
  private readonly running = new Map<string, AbortController>();

  cancel(jobId: string): void {
    // Remember it even if the job has not started yet: the cancel can overtake the start message.
    this.cancelled.add(jobId);
    this.running.get(jobId)?.abort();
  }

  async run<R>(jobId: string, onProgress: ProgressSink | null, body: (ctx: JobContext) => Promise<R>): Promise<R> {
    const controller = new AbortController();
    if (this.cancelled.has(jobId)) controller.abort();
    this.running.set(jobId, controller);
    const ctx: JobContext = {
      id: jobId,
      signal: controller.signal,
      progress(stage, fraction = null, detail) {
        if (!onProgress) return;
        const p: JobProgress = detail ? { stage, fraction, detail } : { stage, fraction };
        // A proxied callback returns a promise; a closed UI side must not fail the job.
        Promise.resolve(onProgress(p)).catch(() => undefined);
      },
      async checkpoint() {
        await yieldToEventLoop();
        throwIfAborted(controller.signal, jobCancelledMessage(jobId));
      },
      get cancelled() {
        return controller.signal.aborted;
      },
    };
    try {
      throwIfAborted(controller.signal, jobCancelledMessage(jobId));
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
