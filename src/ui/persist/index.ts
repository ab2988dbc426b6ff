/**
 * The page's one persister, the unload guard and "delete all my data". main.tsx starts it; jobs.ts asks it to put
 * the stored generators into each new engine worker.
 */
import { getEngine } from '../../engine/useEngine';
import { useLive } from '../live';
import { useAppStore } from '../store';
import { Persister, unsavedWork } from './persist';
import { idbStore, type KeyValueStore } from './storage';

let persister: Persister | null = null;
let started: Promise<unknown> | null = null;
/** Set while the page reloads itself after a delete: nothing is lost then, so no prompt. */
let leaving = false;

function openStore(): KeyValueStore | null {
  try {
    return typeof indexedDB === 'undefined' ? null : idbStore();
  } catch {
    return null;
  }
}

export function getPersister(): Persister {
  persister ??= new Persister(openStore(), useAppStore, {
    exportGenerator: (id) => getEngine().run('exportGenerator', { id }),
    importGenerator: (args) => getEngine().run('importGenerator', args),
    useGenerator: (id) => getEngine().run('useGenerator', { id }),
    onReport: (report) => useAppStore.setState((s) => ({ models: { ...s.models, report } })),
  });
  return persister;
}

export function startPersistence(): Promise<unknown> {
  started ??= getPersister()
    .start()
    .catch((err: unknown) => {
      useAppStore
        .getState()
        .notify(
          'warning',
          `Your saved data could not be read: ${err instanceof Error ? err.message : String(err)}`,
          'storage:restore',
        );
    });
  return started;
}

/** Stored generators go into each new worker once the saved data has been read. */
export async function restoreGenerators(): Promise<void> {
  await startPersistence();
  await getPersister().restoreGenerators();
}

/** Leaving during live protection would drop the recording, which becomes clips only on Stop. */
const needsGuard = () => unsavedWork(useAppStore.getState()).length > 0 || useLive.getState().status !== 'idle';

function onBeforeUnload(e: BeforeUnloadEvent) {
  if (leaving || !needsGuard()) return;
  e.preventDefault();
  // Older browsers show the prompt only when returnValue is set.
  e.returnValue = '';
}

/**
 * Listens for beforeunload only while leaving would lose something: a page with a beforeunload listener is kept
 * out of the back/forward cache, so it is not attached when there is nothing to protect.
 */
export function installUnloadGuard(): () => void {
  let attached = false;
  const update = () => {
    const need = needsGuard();
    if (need && !attached) window.addEventListener('beforeunload', onBeforeUnload);
    else if (!need && attached) window.removeEventListener('beforeunload', onBeforeUnload);
    attached = need;
  };
  update();
  const unsubscribe = useAppStore.subscribe(update);
  const unsubscribeLive = useLive.subscribe(update);
  return () => {
    unsubscribe();
    unsubscribeLive();
    if (attached) window.removeEventListener('beforeunload', onBeforeUnload);
  };
}

/**
 * Deletes every clip, result and generator this app stored here, then reloads, so nothing of it stays in memory
 * either (the worker holds generator weights and the training session).
 */
export async function deleteAllData(): Promise<void> {
  await startPersistence();
  await getPersister().clearAll();
  // Also what a memory-only session could not reach (data left from before storage filled up).
  if (getPersister().mode === 'memory')
    await openStore()
      ?.clear()
      .catch(() => undefined);
  leaving = true;
  location.reload();
}
