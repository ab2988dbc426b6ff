import type { KeyboardEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { BackendReport } from '../../engine/api';
import { currentActivity } from './jobs';
import { useAppStore } from '../store';
import type { TabDef } from '../tabs';
import { nextTheme, useSystemDark, useThemeStore, type ThemeChoice } from '../theme';

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

const THEME_ICON: Record<ThemeChoice, string> = {
  system: 'M12 3a9 9 0 1 0 0 18zm0 2a7 7 0 0 1 0 14z',
  light:
    'M12 7a5 5 0 1 0 0 10 5 5 0 0 0 0-10zm0-5 1 3h-2zm0 20-1-3h2zM2 12l3-1v2zm20 0-3 1v-2zM4.9 4.9l2.8 1.4-1.4 1.4zm14.2 14.2-2.8-1.4 1.4-1.4zM4.9 19.1l1.4-2.8 1.4 1.4zM19.1 4.9l-1.4 2.8-1.4-1.4z',
  dark: 'M20 14.5A8 8 0 0 1 9.5 4 8 8 0 1 0 20 14.5z',
};

function ThemeToggle() {
  const choice = useThemeStore((s) => s.choice);
  const setChoice = useThemeStore((s) => s.setChoice);
  const systemDark = useSystemDark();
  const next = nextTheme(choice, systemDark);
  const shown = choice === 'system' ? (systemDark ? 'dark' : 'light') : choice;
  return (
    <button
      type="button"
      className="icon-button theme-toggle"
      onClick={() => setChoice(next)}
      aria-label={`Colour theme: ${shown}${choice === 'system' ? ' (follows the system)' : ''}. Switch to ${shown === 'dark' ? 'light' : 'dark'}`}
      title={`Theme: ${shown}${choice === 'system' ? ' (system)' : ''}`}
      data-testid="theme-toggle"
      data-theme-choice={choice}
      data-theme-shown={shown}
    >
      <svg viewBox="0 0 24 24" aria-hidden="true">
        <path d={THEME_ICON[shown]} fill="currentColor" />
      </svg>
    </button>
  );
}

/** What the engine is busy with, from any tab; click to go there. */
function ActivityChip({ onOpen }: { onOpen: (tab: string) => void }) {
  const a = useAppStore(useShallow((s) => currentActivity(s) ?? { label: '', fraction: null, tab: '' }));
  if (!a.label)
    return <span className="activity" role="status" aria-live="polite" data-testid="activity" data-state="idle" />;
  const known = a.fraction !== null && Number.isFinite(a.fraction);
  return (
    <span className="activity" role="status" aria-live="polite" data-testid="activity" data-state="busy">
      <button type="button" className="activity-button" onClick={() => onOpen(a.tab)} title="Show">
        <span className="spinner spinner-sm" aria-hidden="true" />
        <span className="activity-label">{a.label}</span>
        {known && <span className="activity-pct num">{Math.round(a.fraction! * 100)} %</span>}
      </button>
    </span>
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
          <path
            d="M4 16h3l3-8 4 16 4-12 3 6 2-2h5"
            fill="none"
            stroke="currentColor"
            strokeWidth="2.4"
            strokeLinecap="round"
            strokeLinejoin="round"
          />
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
            title={t.hint}
            className="tab"
            onClick={() => onSelectTab(t.id)}
            onKeyDown={(e) => onKey(e, i)}
          >
            {t.label}
          </button>
        ))}
      </nav>
      <div className="topbar-right">
        <ActivityChip onOpen={onSelectTab} />
        <BackendChip onOpen={() => onSelectTab('engine')} />
        <ThemeToggle />
      </div>
    </header>
  );
}
