import type { KeyboardEvent } from 'react';
import type { BackendReport } from '../../engine/api';
import { useAppStore } from '../store';
import type { TabDef } from '../tabs';

/** A few words on why this backend, for the chip; the Engine tab has the full sentence. */
export function shortReason(r: BackendReport): string {
  if (r.forced) return 'forced by URL';
  if (r.backend === 'webgpu') return 'GPU';
  if (r.skipped.some((s) => s.backend === 'webgpu' && /lost/.test(s.why))) return 'GPU lost earlier';
  if (r.adapter?.isFallbackAdapter) return 'GPU is software-only';
  if (!r.adapter) return 'no WebGPU';
  return 'WebGPU failed';
}

export function adapterName(r: BackendReport): string | null {
  const a = r.adapter;
  if (!a) return null;
  return [a.vendor, a.architecture || a.device].filter(Boolean).join(' ') || 'unnamed adapter';
}

function BackendChip({ onOpen }: { onOpen: () => void }) {
  const engine = useAppStore((s) => s.engine);
  const phase = engine?.phase ?? 'starting';
  const report = engine?.report ?? null;
  let label: string;
  let detail: string;
  let title: string;
  if (phase === 'failed') {
    label = 'Engine error';
    detail = engine?.forced ? `${engine.forced} unavailable` : 'see details';
    title = engine?.error ?? 'The engine could not start';
  } else if (!report) {
    label = 'Starting engine…';
    detail = engine?.forced ? `forcing ${engine.forced}` : '';
    title = 'Loading TensorFlow.js in the background';
  } else {
    label = report.backend;
    const adapter = adapterName(report);
    detail = [shortReason(report), adapter].filter(Boolean).join(' · ');
    title = report.reason;
  }
  return (
    <button
      type="button"
      className={`chip chip-${phase === 'ready' && report ? report.backend : phase}`}
      data-testid="backend-chip"
      data-backend={report?.backend ?? ''}
      data-phase={phase}
      title={title}
      onClick={onOpen}
    >
      <span className="chip-dot" aria-hidden="true" />
      <span className="chip-label">{label}</span>
      {detail && <span className="chip-detail">{detail}</span>}
    </button>
  );
}

export function TopBar(props: { tabs: TabDef[]; activeTab: string; onSelectTab: (id: string) => void }) {
  const { tabs, activeTab, onSelectTab } = props;
  const onKey = (e: KeyboardEvent, index: number) => {
    const delta = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (!delta) return;
    e.preventDefault();
    const next = tabs[(index + delta + tabs.length) % tabs.length]!;
    onSelectTab(next.id);
    document.getElementById(`tab-${next.id}`)?.focus();
  };
  return (
    <header className="topbar">
      <div className="brand">
        <svg className="brand-mark" viewBox="0 0 32 32" aria-hidden="true">
          <path d="M4 16h3l3-8 4 16 4-12 3 6 2-2h5" fill="none" stroke="currentColor" strokeWidth="2.4" strokeLinecap="round" strokeLinejoin="round" />
        </svg>
        <div>
          <div className="brand-name">Aclipse</div>
          <div className="brand-tag">Hide the words, keep the feeling</div>
        </div>
      </div>
      <nav className="tabs" role="tablist" aria-label="Sections">
        {tabs.map((t, i) => (
          <button
            key={t.id}
            id={`tab-${t.id}`}
            type="button"
            role="tab"
            aria-selected={t.id === activeTab}
            aria-controls={`panel-${t.id}`}
            tabIndex={t.id === activeTab ? 0 : -1}
            className="tab"
            onClick={() => onSelectTab(t.id)}
            onKeyDown={(e) => onKey(e, i)}
          >
            {t.label}
          </button>
        ))}
      </nav>
      <BackendChip onOpen={() => onSelectTab('engine')} />
    </header>
  );
}
