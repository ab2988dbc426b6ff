import type { EngineTransport } from './bridge';

/** The production transport: the module worker that owns tfjs (bundled by Vite as a separate chunk). */
export function createWorkerTransport(): EngineTransport {
  const worker = new Worker(new URL('../../workers/engine.worker.ts', import.meta.url), {
    type: 'module',
    name: 'aclipse-engine',
  });
  return {
    endpoint: worker,
    terminate: () => worker.terminate(),
    onCrash(listener) {
      worker.addEventListener('error', (e) => {
        e.preventDefault();
        listener(e.message || 'the worker failed to load or threw an uncaught error');
      });
      worker.addEventListener('messageerror', () => listener('a message could not be deserialised'));
    },
  };
}
