import { useAppStore, type AppMessage } from '../store';

/** Message codes shown inside a card of a tab (next to what caused them) rather than in the list at the top. */
export const IN_PLACE: Record<string, readonly string[]> = {
  protect: ['input:', 'models:'],
  evaluate: ['dataset:'],
  train: ['dataset:', 'models:', 'train:'],
};

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

const startsWithAny = (code: string, prefixes: readonly string[]) => prefixes.some((p) => code.startsWith(p));

/** User-facing messages not shown in place: the engine's error and recovery notice, and anything else. */
export function Messages() {
  const messages = useAppStore((s) => s.messages);
  const dismiss = useAppStore((s) => s.dismiss);
  const engine = useAppStore((s) => s.engine);
  const tab = useAppStore((s) => s.activeTab);
  const inPlace = IN_PLACE[tab] ?? [];
  return (
    <div className="messages" aria-live="polite">
      {engine?.phase === 'failed' && engine.error && (
        <Message m={{ level: 'error', text: engine.error, code: 'engine-error' }} />
      )}
      {engine?.notice && <Message m={{ level: 'warning', text: engine.notice, code: 'engine-notice' }} />}
      {messages
        .filter((m) => !startsWithAny(m.code, inPlace))
        .map((m) => (
          <Message key={m.id} m={m} onDismiss={() => dismiss(m.id)} />
        ))}
    </div>
  );
}

/** The messages a card owns (by code prefix), shown inside it. */
export function InlineMessages({ prefixes }: { prefixes: readonly string[] }) {
  const messages = useAppStore((s) => s.messages);
  const dismiss = useAppStore((s) => s.dismiss);
  const mine = messages.filter((m) => startsWithAny(m.code, prefixes));
  if (!mine.length) return null;
  return (
    <div className="messages messages-inline" aria-live="polite">
      {mine.map((m) => (
        <Message key={m.id} m={m} onDismiss={() => dismiss(m.id)} />
      ))}
    </div>
  );
}
