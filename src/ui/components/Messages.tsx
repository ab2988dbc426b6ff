import { useAppStore, type AppMessage } from '../store';

function Message({ m, onDismiss }: { m: Pick<AppMessage, 'level' | 'text' | 'code'>; onDismiss?: () => void }) {
  return (
    <div className={`message message-${m.level}`} role={m.level === 'error' ? 'alert' : 'status'} data-code={m.code}>
      <span className="message-icon" aria-hidden="true">
        {m.level === 'error' ? '!' : m.level === 'warning' ? '⚠' : 'i'}
      </span>
      <p className="message-text">{m.text}</p>
      {onDismiss && (
        <button type="button" className="icon-button" aria-label="Dismiss message" onClick={onDismiss}>
          ×
        </button>
      )}
    </div>
  );
}

/** User-facing messages: input problems from the store, plus the engine's error and recovery notice. */
export function Messages() {
  const messages = useAppStore((s) => s.messages);
  const dismiss = useAppStore((s) => s.dismiss);
  const engine = useAppStore((s) => s.engine);
  return (
    <div className="messages" aria-live="polite">
      {engine?.phase === 'failed' && engine.error && (
        <Message m={{ level: 'error', text: engine.error, code: 'engine-error' }} />
      )}
      {engine?.notice && <Message m={{ level: 'warning', text: engine.notice, code: 'engine-notice' }} />}
      {messages.map((m) => (
        <Message key={m.id} m={m} onDismiss={() => dismiss(m.id)} />
      ))}
    </div>
  );
}
