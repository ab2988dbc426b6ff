/** Where the user's data is kept, how much, and "Delete all my data" (with a confirmation step). */
import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useAppStore } from '../store';
import { deleteAllData } from '.';

function formatBytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  return `${Math.round(n / 1e3)} kB`;
}

function useUsage(deps: unknown): { usage: number; quota: number } | null {
  const [est, setEst] = useState<{ usage: number; quota: number } | null>(null);
  useEffect(() => {
    let live = true;
    void navigator.storage
      ?.estimate?.()
      .then((e) => live && setEst({ usage: e.usage ?? 0, quota: e.quota ?? 0 }))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [deps]);
  return est;
}

export function DataPanel() {
  const { storage, clips, results, generators } = useAppStore(
    useShallow((s) => ({
      storage: s.storage,
      clips: s.clips.length,
      results: Object.values(s.protections).filter((p) => p.result).length,
      generators: s.models.report?.generators.filter((g) => g.origin !== 'shipped').length ?? 0,
    })),
  );
  const [confirming, setConfirming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const usage = useUsage(`${clips}:${results}:${generators}:${storage.pending}`);

  const onDelete = async () => {
    setDeleting(true);
    setError(null);
    try {
      await deleteAllData();
    } catch (err) {
      setDeleting(false);
      setError(err instanceof Error ? err.message : String(err));
    }
  };

  return (
    <div className="card" data-testid="data-panel" data-mode={storage.mode}>
      <h2 className="card-title">Your data</h2>
      {storage.mode === 'memory' ? (
        <p className="inline-error" role="status" data-testid="storage-memory">
          {storage.problem}. Clips and results are kept in this tab’s memory only; the page asks before you leave it.
        </p>
      ) : (
        <p>
          Clips, their protected versions, results and the generators you train or import are saved in this browser
          (IndexedDB, on this device only) and come back after a reload.
        </p>
      )}
      <p className="muted" data-testid="storage-counts">
        {clips} clip{clips === 1 ? '' : 's'}, {results} protected version{results === 1 ? '' : 's'}, {generators}{' '}
        generator
        {generators === 1 ? '' : 's'} of yours
        {usage && usage.quota > 0 ? ` · ${formatBytes(usage.usage)} used of ${formatBytes(usage.quota)} allowed` : ''}
        {storage.pending > 0 ? ' · saving…' : ''}
      </p>
      {!confirming ? (
        <button
          type="button"
          className="button button-danger"
          onClick={() => setConfirming(true)}
          data-testid="delete-all"
        >
          Delete all my data…
        </button>
      ) : (
        <div className="confirm" role="group" aria-labelledby="delete-all-q">
          <p id="delete-all-q">
            <strong>Delete everything this app keeps in this browser?</strong> {clips} clip{clips === 1 ? '' : 's'},
            their protected versions, the last evaluation and {generators} generator{generators === 1 ? '' : 's'} are
            removed and the page reloads. This cannot be undone; download what you want to keep first.
          </p>
          <div className="row">
            <button
              type="button"
              className="button button-danger"
              disabled={deleting}
              onClick={() => void onDelete()}
              data-testid="delete-all-confirm"
            >
              {deleting ? 'Deleting…' : 'Delete everything'}
            </button>
            <button
              type="button"
              className="button button-ghost"
              disabled={deleting}
              onClick={() => setConfirming(false)}
              data-testid="delete-all-cancel"
            >
              Keep my data
            </button>
          </div>
        </div>
      )}
      {error && (
        <p className="inline-error" role="alert">
          Could not delete: {error}
        </p>
      )}
    </div>
  );
}
