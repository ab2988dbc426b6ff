/**
 * Shared building blocks: progress bar with ETA, status badge, budget slider, transcript diff, batch list.
 */
import { useId, type ReactNode } from 'react';
import { formatDuration } from '../../core/audio';
import { BUDGET_RANGE_DB } from '../../core/budget';
import { describeDiff, diffWords, fromAlignment, summarizeOps } from '../view/diff';
import type { AlignedWord } from '../../engine/api';
import { formatEta, pct } from '../format';

// ---------------------------------------------------------------------------------------------------------------
// Progress
// ---------------------------------------------------------------------------------------------------------------

export function ProgressBar(props: {
  label: string;
  /** 0..1, or null for "working, amount unknown". */
  fraction: number | null;
  detail?: ReactNode;
  etaS?: number | null;
  showEta?: boolean;
  testId?: string;
}) {
  const { label, fraction, detail, etaS = null, showEta = false, testId } = props;
  const id = useId();
  const known = fraction !== null && Number.isFinite(fraction);
  return (
    <div className="progress" data-testid={testId}>
      <div className="progress-head">
        <span id={id} className="progress-label">
          {label}
        </span>
        <span className="progress-nums num">
          {known && pct(fraction, 0)}
          {showEta && <span className="progress-eta"> · {formatEta(etaS)}</span>}
        </span>
      </div>
      <div
        className={`progress-track${known ? '' : ' indeterminate'}`}
        role="progressbar"
        aria-labelledby={id}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={known ? Math.round(fraction * 100) : undefined}
      >
        <div
          className="progress-fill"
          style={known ? { width: `${Math.min(100, Math.max(0, fraction * 100))}%` } : undefined}
        />
      </div>
      {detail && <div className="progress-detail">{detail}</div>}
    </div>
  );
}

export type Status = 'idle' | 'queued' | 'loading' | 'running' | 'done' | 'error' | 'cancelled' | 'missing';

const STATUS_TEXT: Record<Status, string> = {
  idle: 'Not run',
  queued: 'Queued',
  loading: 'Loading',
  running: 'Running',
  done: 'Done',
  error: 'Error',
  cancelled: 'Cancelled',
  missing: 'Missing',
};

export function StatusBadge({ status, text }: { status: Status; text?: string }) {
  return (
    <span className={`badge badge-${status}`} data-status={status}>
      {(status === 'running' || status === 'loading') && <span className="spinner spinner-sm" aria-hidden="true" />}
      {text ?? STATUS_TEXT[status]}
    </span>
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Budget
// ---------------------------------------------------------------------------------------------------------------

const BUDGET_MIN_DB = BUDGET_RANGE_DB.min;
const BUDGET_MAX_DB = BUDGET_RANGE_DB.max;

/** In words, what a minimum SNR means for a listener. */
export function budgetMeaning(snrDb: number): string {
  if (snrDb >= 30) return 'very subtle change';
  if (snrDb >= 20) return 'subtle change';
  if (snrDb >= 10) return 'clearly audible change';
  return 'strong change';
}

export function BudgetSlider(props: { value: number; onChange: (v: number) => void; disabled?: boolean; id?: string }) {
  const { value, onChange, disabled } = props;
  const autoId = useId();
  const id = props.id ?? autoId;
  return (
    <div className="field budget">
      <label htmlFor={id} className="field-label">
        Perturbation budget{' '}
        <span className="field-value num" data-testid="budget-value">
          ≥ {value} dB SNR
        </span>
      </label>
      <input
        id={id}
        type="range"
        min={BUDGET_MIN_DB}
        max={BUDGET_MAX_DB}
        step={1}
        value={value}
        disabled={disabled}
        onChange={(e) => onChange(Number(e.currentTarget.value))}
        aria-valuetext={`at least ${value} dB signal-to-noise ratio: ${budgetMeaning(value)}`}
        data-testid="budget"
      />
      <div className="range-ends" aria-hidden="true">
        <span>{BUDGET_MIN_DB} dB · stronger</span>
        <span>{BUDGET_MAX_DB} dB · subtler</span>
      </div>
      <p className="hint">
        The protected clip never differs from the original by more than this: its signal-to-noise ratio stays at or
        above {value} dB ({budgetMeaning(value)}).
      </p>
    </div>
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Transcript diff
// ---------------------------------------------------------------------------------------------------------------

/**
 * The protected transcript against the original one: kept words plain, changed/missing/added words marked.
 * Uses the engine's alignment when it sends one (the same one behind its WER), else aligns here.
 */
export function WordDiffView(props: {
  original: string;
  protected: string;
  alignment?: readonly AlignedWord[] | null;
  testId?: string;
}) {
  const d = props.alignment ? summarizeOps(fromAlignment(props.alignment)) : diffWords(props.original, props.protected);
  return (
    <div className="diff" data-testid={props.testId} data-wer={d.wer.toFixed(4)}>
      <p className="diff-text" aria-describedby={undefined}>
        {d.ops.length === 0 && <span className="muted">(no words recognised)</span>}
        {d.ops.map((o, i) => {
          const sp = i > 0 ? ' ' : '';
          switch (o.op) {
            case 'same':
              return (
                <span key={i} className="w-same">
                  {sp}
                  {o.hyp}
                </span>
              );
            case 'sub':
              return (
                <span key={i} className="w-sub" title={`was “${o.ref}”`}>
                  {sp}
                  <del>
                    <span className="sr-only">was </span>
                    {o.ref}
                  </del>
                  <ins>
                    <span className="sr-only">, now </span>
                    {o.hyp}
                  </ins>
                </span>
              );
            case 'del':
              return (
                <span key={i} className="w-del" title="missing in the protected transcript">
                  {sp}
                  <del>
                    <span className="sr-only">missing </span>
                    {o.ref}
                  </del>
                </span>
              );
            case 'ins':
              return (
                <span key={i} className="w-ins" title="added in the protected transcript">
                  {sp}
                  <ins>
                    <span className="sr-only">added </span>
                    {o.hyp}
                  </ins>
                </span>
              );
          }
        })}
      </p>
      <p className="diff-summary">
        <span className="num" data-testid={props.testId ? `${props.testId}-wer` : undefined}>
          WER {pct(d.wer, 0)}
        </span>{' '}
        · {describeDiff(d)}
      </p>
    </div>
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Batch list
// ---------------------------------------------------------------------------------------------------------------

export interface BatchRow {
  id: string;
  name: string;
  duration: number;
  status: Status;
  /** Running: 0..1 */
  fraction?: number | null;
  /** Done: a short result, e.g. "SNR 12.1 dB · WER 83 %". */
  summary?: string;
  error?: string | null;
}

export function BatchList(props: {
  rows: readonly BatchRow[];
  selectedId: string | null;
  onSelect: (id: string) => void;
  onRemove?: (id: string) => void;
  onDownload?: (id: string) => void;
}) {
  const { rows, selectedId, onSelect, onRemove, onDownload } = props;
  return (
    <ul className="batch-list" data-testid="clip-list">
      {rows.map((r) => (
        <li
          key={r.id}
          data-status={r.status}
          data-testid="batch-row"
          className={r.id === selectedId ? 'selected' : undefined}
        >
          <button
            type="button"
            className="batch-main"
            aria-current={r.id === selectedId ? 'true' : undefined}
            onClick={() => onSelect(r.id)}
          >
            <span className="batch-name">{r.name}</span>
            <span className="batch-meta">
              {formatDuration(r.duration)}
              {r.summary && r.status === 'done' ? ` · ${r.summary}` : ''}
            </span>
            {r.status === 'error' && r.error && <span className="batch-error">{r.error}</span>}
            {r.status === 'running' && r.fraction != null && (
              <span className="batch-progress" aria-hidden="true">
                <span style={{ width: `${Math.round(r.fraction * 100)}%` }} />
              </span>
            )}
          </button>
          <StatusBadge status={r.status} />
          <span className="batch-actions">
            {onDownload && r.status === 'done' && (
              <button
                type="button"
                className="icon-button"
                aria-label={`Download protected ${r.name}`}
                onClick={() => onDownload(r.id)}
              >
                <svg viewBox="0 0 24 24" aria-hidden="true" className="button-icon">
                  <path d="M11 4h2v9l3-3 1.4 1.4L12 16.8 6.6 11.4 8 10l3 3zM5 18h14v2H5z" fill="currentColor" />
                </svg>
              </button>
            )}
            {onRemove && (
              <button
                type="button"
                className="icon-button"
                aria-label={`Remove ${r.name}`}
                onClick={() => onRemove(r.id)}
              >
                ×
              </button>
            )}
          </span>
        </li>
      ))}
    </ul>
  );
}
