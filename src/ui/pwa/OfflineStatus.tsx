/** The update prompt and a one-line offline status, shown in the footer. */
import { useShallow } from 'zustand/react/shallow';
import { applyUpdate, useOfflineStore } from './offline';

export function UpdatePrompt() {
  const needRefresh = useOfflineStore((s) => s.needRefresh);
  if (!needRefresh) return null;
  return (
    <div className="message message-info update-prompt" role="status" data-testid="update-prompt">
      <span className="message-icon" aria-hidden="true">
        ↻
      </span>
      <p className="message-text">A new version of Aclipse is ready. Your data is kept; reload to use it.</p>
      <button
        type="button"
        className="button button-small button-primary"
        onClick={applyUpdate}
        data-testid="update-reload"
      >
        Reload
      </button>
      <button
        type="button"
        className="button button-small button-ghost"
        onClick={() => useOfflineStore.setState({ needRefresh: false })}
      >
        Later
      </button>
    </div>
  );
}

export function OfflineStatus() {
  const { shell, used, cached, modelFiles } = useOfflineStore(
    useShallow((s) => ({ shell: s.shell, used: s.used, cached: s.cached, modelFiles: s.modelFiles })),
  );
  const text = !shell
    ? ''
    : cached < used
      ? `Keeping files for offline use (${cached}/${used})…`
      : modelFiles === 0
        ? 'The app works offline; the models are kept for offline use once you first protect.'
        : 'Works offline, models included.';
  return (
    <span
      className="offline-status"
      data-testid="offline-status"
      data-shell={shell ? 'ready' : 'none'}
      data-cached={cached}
      data-used={used}
    >
      {text}
    </span>
  );
}
