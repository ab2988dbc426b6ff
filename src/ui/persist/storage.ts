/**
 * The key-value store the user's data is kept in: IndexedDB through idb-keyval (structured clone, so Float32Array
 * samples and ArrayBuffer weights are stored as they are, without encoding). An interface so tests and the memory
 * fallback can stand in for it.
 */
import { clear, createStore, del, entries, set, type UseStore } from 'idb-keyval';

export interface KeyValueStore {
  set(key: string, value: unknown): Promise<void>;
  del(key: string): Promise<void>;
  entries(): Promise<[string, unknown][]>;
  clear(): Promise<void>;
}

export const DB_NAME = 'aclipse';
export const STORE_NAME = 'user-data';

export function idbStore(dbName = DB_NAME, storeName = STORE_NAME): KeyValueStore {
  let handle: UseStore | null = null;
  // Opened on first use: creating it touches IndexedDB, which throws in some private modes.
  const db = () => (handle ??= createStore(dbName, storeName));
  return {
    set: (key, value) => set(key, value, db()),
    del: (key) => del(key, db()),
    entries: () => entries<string, unknown>(db()),
    clear: () => clear(db()),
  };
}

/** True when the error says the browser refused to store more (quota, or disk full). */
export function isQuotaError(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const name = (err as { name?: unknown }).name;
  const inner = (err as { inner?: { name?: unknown } }).inner?.name;
  return (
    name === 'QuotaExceededError' ||
    inner === 'QuotaExceededError' ||
    /quota/i.test(String((err as Error).message ?? ''))
  );
}
