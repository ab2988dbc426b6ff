/**
 * The one cancellation idiom of the project: long work takes an `AbortSignal`, calls `signal.throwIfAborted()` (or
 * `throwIfAborted(signal, message)` where the message is shown to someone) between steps, and whoever catches asks
 * `isAbortError(e)`. Plain TS, no tfjs: the UI, the worker, the core and Node scripts share it.
 */

/** The name every abort carries: DOMException's, and the engine's cancelled-job errors (ENGINE_ERRORS.aborted). */
export const ABORT_ERROR_NAME = 'AbortError';

/** An Error named AbortError with the given message (what `controller.abort()` makes, with a message of ours). */
export function abortError(message = 'This operation was aborted'): Error {
  const e = new Error(message);
  e.name = ABORT_ERROR_NAME;
  return e;
}

/**
 * Throws when the signal is aborted: its reason (an AbortError unless the caller aborted with another), or, with a
 * message, an AbortError carrying that message.
 */
export function throwIfAborted(signal: AbortSignal | undefined, message?: string): void {
  if (!signal?.aborted) return;
  if (message === undefined) signal.throwIfAborted();
  throw abortError(message);
}

/** Whether `e` is a cancellation (an AbortError of any origin), not a failure. */
export function isAbortError(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { name?: unknown }).name === ABORT_ERROR_NAME;
}

/**
 * Between steps of long work that must stay cancellable where the cancel arrives as a message (the worker): yields
 * to the event loop, so the message can abort the signal, then throws if it did. Without a signal it does nothing.
 */
export async function checkpoint(signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return;
  await new Promise<void>((resolve) => setTimeout(resolve, 0));
  signal.throwIfAborted();
}
