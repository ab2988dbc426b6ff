import { describe, expect, it } from 'vitest';
import { abortError, checkpoint, isAbortError, throwIfAborted } from './abort';

describe('the one cancellation idiom', () => {
  it('recognises every abort by its name, and nothing else', () => {
    const c = new AbortController();
    c.abort();
    expect(isAbortError(c.signal.reason)).toBe(true);
    expect(isAbortError(new DOMException('x', 'AbortError'))).toBe(true);
    expect(isAbortError(abortError('Cancelled'))).toBe(true);
    expect(isAbortError(new Error('AbortError'))).toBe(false);
    expect(isAbortError(null)).toBe(false);
    expect(isAbortError('AbortError')).toBe(false);
  });

  it('throws only once aborted: the signal reason, or an AbortError with the message given', async () => {
    const c = new AbortController();
    expect(() => throwIfAborted(c.signal, 'Evaluation cancelled')).not.toThrow();
    expect(() => throwIfAborted(undefined)).not.toThrow();
    await expect(checkpoint(c.signal)).resolves.toBeUndefined();
    c.abort();
    expect(() => throwIfAborted(c.signal)).toThrow(c.signal.reason as Error);
    expect(() => throwIfAborted(c.signal, 'Evaluation cancelled')).toThrow(
      expect.objectContaining({ name: 'AbortError', message: 'Evaluation cancelled' }),
    );
    await expect(checkpoint(c.signal)).rejects.toMatchObject({ name: 'AbortError' });
  });
});
