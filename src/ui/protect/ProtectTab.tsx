/**
 * Protect (the main screen): load or record clips, choose method and budget, protect one or all, then see and
 * hear original and protected side by side with transcripts, emotions and SNR; download one or all.
 */
import { useMemo, useState } from 'react';
import { clipStats, formatDuration } from '../../core/audio';
import { BASELINES } from '../../core/baselines';
import { claimsShown } from '../../core/claims';
import { EMOTIONS } from '../../core/data';
import { ExternalClaims } from './ExternalClaims';
import { WeightsByBudget } from '../shared/WeightsByBudget';
import type {
  ClipAnalysis,
  GeneratorInfo,
  ModelLoadTarget,
  ModelsReport,
  ProtectMethod,
  ProtectResult,
  Span,
} from '../../engine/api';
import { downloadClip } from '../audio/download';
import { clause, db, dbfs, pct } from '../format';
import { exportGenerator, importGenerator, loadModels, selectGenerator } from '../shared/jobs';
import {
  activeSpans,
  cancelProtection,
  downloadAllProtected,
  downloadProtected,
  protectClips,
  protectedMix,
  removeClip,
  resultTag,
} from './jobs';
import {
  activeGeneratorOf,
  selectedClip,
  useAppStore,
  type Clip,
  type Protection,
  type ProtectSettings,
} from '../store';
import { sameSpans, spanLabel } from '../view/spans';
import { ProbabilityBars } from '../shared/Charts';
import { ClipInput } from './ClipInput';
import { ComparePlayer } from '../shared/ComparePlayer';
import { CueRetentionBlock } from './CueRetention';
import { DomainNotice, readingsReliable } from './DomainNotice';
import { VoiceEmotionBlock, type ReferenceCandidate } from './VoiceEmotion';
import { LiveCard } from './LiveCard';
import { InlineMessages } from '../shared/Messages';
import { METHOD_LABEL, methodDescription } from '../shared/methods';
import { SpanEditor } from './SpanEditor';
import { BatchList, BudgetSlider, ProgressBar, StatusBadge, WordDiffView, type BatchRow } from '../shared/Widgets';

function sameSettings(
  r: ProtectResult,
  s: ProtectSettings,
  activeGenerator: string | null,
  spans: Span[] | undefined,
): boolean {
  return (
    r.method === s.method &&
    r.budgetDb === s.budgetDb &&
    (r.method !== 'aclipse' || r.generatorId === activeGenerator) &&
    sameSpans(
      r.spans?.map(({ start, end }) => ({ start, end })),
      spans,
    )
  );
}

function protectBlocker(method: ProtectMethod, report: ModelsReport | null, status: string): string | null {
  if (method !== 'aclipse') return null;
  if (status === 'loading' || status === 'idle') return null; // protect waits for the models
  if (!report?.activeGenerator) {
    const why = report?.generatorProblem ? clause(report.generatorProblem) : null;
    return `No Aclipse generator is loaded${why ? ` (${why})` : ''}. Import weights, train them in the Train tab, or pick a baseline method.`;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------------------
// Left column: clips (batch) and models
// ---------------------------------------------------------------------------------------------------------------

function summaryOf(p: Protection | undefined): string | undefined {
  const r = p?.result;
  if (!r) return undefined;
  const parts = [resultTag(r), `SNR ${db(r.snrDb)}`];
  if (r.original?.domain?.verdict === 'no-speech') parts.push('no speech');
  else if (r.intelligibility && !readingsReliable(r.original?.domain)) parts.push('voice unknown to the models');
  else if (r.intelligibility) parts.push(`WER ${pct(r.intelligibility.wer.rate, 0)}`);
  return parts.join(' · ');
}

function ClipsCard() {
  const clips = useAppStore((s) => s.clips);
  const protections = useAppStore((s) => s.protections);
  const selectedId = useAppStore((s) => s.selectedClipId);
  const select = useAppStore((s) => s.selectClip);
  const settings = useAppStore((s) => s.settings);
  const activeGenerator = useAppStore((s) => s.models.report?.activeGenerator ?? null);
  const spanSelections = useAppStore((s) => s.spanSelections);
  if (clips.length === 0) return null;
  const rows: BatchRow[] = clips.map((c) => {
    const p = protections[c.id];
    return {
      id: c.id,
      name: c.name,
      duration: c.duration,
      status: p?.status ?? 'idle',
      fraction: p?.fraction,
      summary: summaryOf(p),
      error: p?.error,
    };
  });
  const mix = protectedMix({ clips, protections });
  const busy = rows.some((r) => r.status === 'running' || r.status === 'queued');
  const done = rows.filter((r) => r.status === 'done').length;
  const todo = clips.filter((c) => {
    const p = protections[c.id];
    return (
      !p ||
      p.status !== 'done' ||
      !p.result ||
      !sameSettings(p.result, settings, activeGenerator, activeSpans(spanSelections[c.id]))
    );
  });
  return (
    <section className="card" aria-labelledby="clips-title">
      <h2 className="card-title" id="clips-title">
        Clips <span className="count">{clips.length}</span>
      </h2>
      <BatchList
        rows={rows}
        selectedId={selectedId}
        onSelect={select}
        onRemove={removeClip}
        onDownload={(id) => downloadProtected(id)}
      />
      <div className="row batch-toolbar">
        {clips.length > 1 && (
          <button
            type="button"
            className="button"
            disabled={busy || todo.length === 0}
            onClick={() => protectClips(todo.map((c) => c.id))}
            data-testid="protect-all"
          >
            Protect all{todo.length && todo.length !== clips.length ? ` (${todo.length})` : ''}
          </button>
        )}
        {busy && (
          <button
            type="button"
            className="button button-ghost"
            onClick={cancelProtection}
            data-testid="protect-cancel-all"
          >
            Cancel
          </button>
        )}
        <button
          type="button"
          className="button"
          disabled={done === 0}
          onClick={downloadAllProtected}
          data-testid="download-all"
        >
          Download all{done ? ` (${done})` : ''}
        </button>
      </div>
      {done > 1 && (
        <p className="hint">“Download all” saves one ZIP of 16-bit WAV files, each named with its method and budget.</p>
      )}
      {mix.length > 1 && (
        <p className="inline-warning" role="status" data-testid="download-mixed">
          The finished clips were made with different settings ({mix.map((m) => `${m.count} × ${m.tag}`).join(', ')}).
        </p>
      )}
    </section>
  );
}

function bytes(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1e3))} kB`;
}

function generatorLine(g: GeneratorInfo): string {
  return `${g.label} · ${(g.parameters / 1000).toFixed(0)}k parameters · ${bytes(g.bytes)}`;
}

const LOAD_LABELS: Record<ModelLoadTarget, string> = {
  ser: 'Emotion model (SER)',
  asr: 'Speech model (ASR)',
  words: 'Word list',
  lm: 'Language model',
  aclipse: 'Protection model',
  'aclipse-bands': 'Protection model, weights for other budgets',
};

export function ModelsCard() {
  const models = useAppStore((s) => s.models);
  const engine = useAppStore((s) => s.engine);
  const [importing, setImporting] = useState(false);
  const report = models.report;
  const progress = Object.values(models.progress).filter(Boolean);
  return (
    <section className="card" aria-labelledby="models-title" data-testid="models-card" data-status={models.status}>
      <h2 className="card-title" id="models-title">
        Models
        <StatusBadge
          status={
            models.status === 'idle'
              ? 'idle'
              : models.status === 'loading'
                ? 'loading'
                : models.status === 'error'
                  ? 'error'
                  : report && (!report.evaluators || !report.activeGenerator)
                    ? 'missing'
                    : models.status === 'ready'
                      ? 'done'
                      : 'idle'
          }
          text={
            models.status === 'idle'
              ? engine?.phase === 'ready'
                ? 'Not loaded yet'
                : 'Waiting for engine'
              : models.status === 'loading'
                ? 'Loading'
                : models.status === 'error'
                  ? 'Error'
                  : report && (!report.evaluators || !report.activeGenerator)
                    ? 'Incomplete'
                    : 'Ready'
          }
        />
      </h2>
      <p className="muted small">
        Engine: <strong>{engine?.report?.backend ?? (engine?.phase === 'failed' ? 'failed' : 'starting…')}</strong>
        {engine?.report?.adapter?.isFallbackAdapter && engine.report.backend !== 'webgpu'
          ? ' (GPU is software-only)'
          : ''}
      </p>
      {models.status === 'idle' && (
        <p className="hint" data-testid="models-idle">
          The models download when you first protect a clip (with progress here), and are then kept for offline use.{' '}
          <button
            type="button"
            className="button button-small"
            disabled={engine?.phase !== 'ready'}
            onClick={() => void loadModels()}
            data-testid="models-load"
          >
            Load now
          </button>
        </p>
      )}
      {models.status === 'loading' && (
        <div className="stack-sm">
          {progress.length === 0 && <ProgressBar label="Loading models" fraction={null} />}
          {progress.map((p) => (
            <ProgressBar
              key={p!.model}
              label={`${LOAD_LABELS[p!.model]} ${p!.done ? '✓' : ''}`}
              fraction={p!.totalBytes ? p!.loadedBytes / p!.totalBytes : p!.done ? 1 : null}
              detail={`${bytes(p!.loadedBytes)}${p!.totalBytes ? ` of ${bytes(p!.totalBytes)}` : ''}`}
            />
          ))}
        </div>
      )}
      {models.status === 'error' && (
        <p className="inline-error" role="alert" data-testid="models-error">
          {models.error}
        </p>
      )}
      {report && (
        <dl className="model-list">
          <div>
            <dt>Emotion (SER)</dt>
            <dd data-testid="model-ser">
              {report.evaluators ? (
                `${report.evaluators.ser.origin} · ${(report.evaluators.ser.parameters / 1000).toFixed(0)}k parameters`
              ) : (
                <span className="warn-text">not loaded</span>
              )}
            </dd>
          </div>
          <div>
            <dt>Speech (ASR)</dt>
            <dd data-testid="model-asr">
              {report.evaluators ? (
                `${report.evaluators.asr.origin} · ${(report.evaluators.asr.parameters / 1000).toFixed(0)}k parameters${report.evaluators.lexiconWords ? ` · ${report.evaluators.lexiconWords.toLocaleString('en')}-word lexicon` : ''}${report.evaluators.languageModel ? ` · ${report.evaluators.languageModel}` : ''}`
              ) : (
                <span className="warn-text">not loaded</span>
              )}
              {report.evaluatorsProblem && (
                <span className="warn-text small problem" data-testid="evaluators-problem">
                  {report.evaluatorsProblem}
                </span>
              )}
            </dd>
          </div>
          <div>
            <dt>
              <label htmlFor="generator-select">Generator (Aclipse)</label>
            </dt>
            <dd>
              {report.generators.length ? (
                <select
                  id="generator-select"
                  value={report.activeGenerator ?? ''}
                  onChange={(e) => void selectGenerator(e.currentTarget.value)}
                  data-testid="generator-select"
                >
                  {report.generators.map((g) => (
                    <option key={g.id} value={g.id}>
                      {generatorLine(g)}
                    </option>
                  ))}
                </select>
              ) : (
                <span className="warn-text" id="generator-select">
                  not loaded
                </span>
              )}
              {report.generatorProblem && (
                <span className="warn-text small problem" data-testid="generator-problem">
                  {report.generatorProblem}
                </span>
              )}
            </dd>
          </div>
        </dl>
      )}
      <div className="row">
        <label className="button button-small file-button">
          {importing ? 'Importing…' : 'Import weights…'}
          <input
            type="file"
            accept=".zip,.json,.bin"
            multiple
            className="visually-hidden-input"
            data-testid="import-weights"
            onChange={async (e) => {
              const files = Array.from(e.currentTarget.files ?? []);
              e.currentTarget.value = '';
              if (!files.length) return;
              setImporting(true);
              await importGenerator(files);
              setImporting(false);
            }}
          />
        </label>
        {report?.activeGenerator && (
          <button
            type="button"
            className="button button-small"
            onClick={() => void exportGenerator(report.activeGenerator!)}
          >
            Export generator
          </button>
        )}
        {(models.status === 'error' || (report && (!report.evaluators || !report.activeGenerator))) && (
          <button type="button" className="button button-small button-ghost" onClick={() => void loadModels(true)}>
            Retry loading
          </button>
        )}
      </div>
      <InlineMessages prefixes={['models:']} />
    </section>
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Settings bar
// ---------------------------------------------------------------------------------------------------------------

export function MethodSelect(props: {
  value: ProtectMethod;
  onChange: (m: ProtectMethod) => void;
  id: string;
  disabled?: boolean;
}) {
  return (
    <select
      id={props.id}
      value={props.value}
      disabled={props.disabled}
      onChange={(e) => props.onChange(e.currentTarget.value as ProtectMethod)}
      data-testid="method"
    >
      <option value="aclipse">{METHOD_LABEL.aclipse}</option>
      <optgroup label="Baselines">
        {BASELINES.map((b) => (
          <option key={b.id} value={b.id}>
            {b.label}
          </option>
        ))}
      </optgroup>
    </select>
  );
}

function SettingsCard({ clip }: { clip: Clip | null }) {
  const settings = useAppStore((s) => s.settings);
  const setSettings = useAppStore((s) => s.setSettings);
  const models = useAppStore((s) => s.models);
  const engine = useAppStore((s) => s.engine);
  const protection = useAppStore((s) => (clip ? s.protections[clip.id] : undefined));
  const noSpans = useAppStore(
    (s) => !!clip && !!s.spanSelections[clip.id]?.enabled && !s.spanSelections[clip.id]?.spans.length,
  );
  const report = models.report;
  const blocker = protectBlocker(settings.method, report, models.status);
  const baseline = BASELINES.find((b) => b.id === settings.method);
  const running = protection?.status === 'running' || protection?.status === 'queued';
  const engineDown = engine?.phase === 'failed';
  const active = activeGeneratorOf(report);
  return (
    <section className="card settings-card" aria-label="Protection settings">
      <div className="settings-grid">
        <div className="field">
          <label htmlFor="method" className="field-label">
            Method
          </label>
          <MethodSelect
            id="method"
            value={settings.method}
            onChange={(method) => setSettings({ method })}
            disabled={running}
          />
          <p className="hint">{methodDescription(settings.method)}</p>
          <p className="hint" data-testid="weights-in-use">
            {settings.method === 'aclipse'
              ? active
                ? `Weights: ${active.label}${active.label.toLowerCase().includes(active.origin) ? '' : ` (${active.origin})`}`
                : models.status === 'loading'
                  ? 'Weights: loading…'
                  : 'Weights: none loaded'
              : 'No trained weights: a fixed signal-processing method.'}
            {report?.evaluators ? ` · evaluators: ${report.evaluators.ser.origin}` : ''}
          </p>
          {settings.method === 'aclipse' && active && active.bands.length > 0 && (
            <WeightsByBudget generator={active} budgetDb={settings.budgetDb} />
          )}
          {settings.method === 'aclipse' && active && (
            <ExternalClaims
              claims={claimsShown(active.claims, active.bands, settings.budgetDb, false)}
              budgetDb={settings.budgetDb}
            />
          )}
        </div>
        <div>
          <BudgetSlider
            value={settings.budgetDb}
            onChange={(budgetDb) => setSettings({ budgetDb })}
            disabled={running}
            id="budget"
          />
          {baseline?.params.map((p) => (
            <div className="field" key={p.key}>
              <label htmlFor={`param-${p.key}`} className="field-label">
                {p.label}{' '}
                <span className="field-value num">
                  {settings.params[p.key] ?? p.default} {p.unit}
                </span>
              </label>
              <input
                id={`param-${p.key}`}
                type="range"
                min={p.min}
                max={p.max}
                step={p.step}
                value={settings.params[p.key] ?? p.default}
                onChange={(e) =>
                  setSettings({ params: { ...settings.params, [p.key]: Number(e.currentTarget.value) } })
                }
              />
            </div>
          ))}
        </div>
        <div className="settings-action">
          {running ? (
            <button
              type="button"
              className="button button-large"
              onClick={cancelProtection}
              data-testid="protect-cancel"
            >
              Cancel
            </button>
          ) : (
            <button
              type="button"
              className="button button-primary button-large"
              disabled={!clip || !!blocker || engineDown || noSpans}
              onClick={() => clip && protectClips([clip.id])}
              data-testid="protect"
            >
              <svg viewBox="0 0 24 24" aria-hidden="true" className="button-icon">
                <path d="M12 2 4 5v6c0 5 3.4 9.7 8 11 4.6-1.3 8-6 8-11V5z" fill="currentColor" />
              </svg>
              Protect
            </button>
          )}
        </div>
      </div>
      {blocker && (
        <p className="inline-warning" role="status" data-testid="protect-blocked">
          {blocker}
        </p>
      )}
      {running && protection && (
        <ProgressBar
          label={protection.status === 'queued' ? 'Queued…' : protection.stage || 'Protecting…'}
          fraction={protection.fraction}
          testId="protect-progress"
        />
      )}
    </section>
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Results under each waveform
// ---------------------------------------------------------------------------------------------------------------

function EmotionBlock({
  a,
  label,
  testId,
  reliable = true,
}: {
  a: ClipAnalysis;
  label?: string | null;
  testId: string;
  reliable?: boolean;
}) {
  return (
    <div className={reliable ? undefined : 'unreliable'} data-reliable={String(reliable)}>
      <ProbabilityBars
        labels={EMOTIONS}
        probabilities={a.probabilities}
        title={reliable ? 'Emotion' : 'Emotion (a guess: unreliable for this voice)'}
        testId={testId}
        reference={label ?? null}
      />
    </div>
  );
}

function OriginalFacts({ clip, result }: { clip: Clip; result: ProtectResult | null }) {
  const a = result?.original;
  return (
    <div className="facts-block" data-testid="original-facts">
      {a && a.domain?.verdict === 'no-speech' ? (
        <DomainNotice domain={a.domain} />
      ) : a ? (
        <>
          <DomainNotice domain={a.domain} />
          <div className={readingsReliable(a.domain) ? 'transcript' : 'transcript unreliable'}>
            <div className="probs-title">
              {readingsReliable(a.domain) ? 'Transcript (ASR)' : 'Transcript (ASR, a guess: unreliable for this voice)'}
            </div>
            <p className="transcript-text" data-testid="transcript-original">
              {a.transcript || <span className="muted">(no words recognised)</span>}
            </p>
            {clip.label?.text && <p className="hint">Spoken text: “{clip.label.text}”</p>}
          </div>
          <EmotionBlock
            a={a}
            label={clip.label?.emotion}
            testId="emotion-original"
            reliable={readingsReliable(a.domain)}
          />
        </>
      ) : result ? (
        <p className="muted small">Transcript and emotion need the evaluator models, which are not loaded.</p>
      ) : (
        <p className="muted small">
          Press <strong>Protect</strong> to see what a speech recogniser and an emotion classifier make of this clip,
          before and after.
        </p>
      )}
    </div>
  );
}

function ProtectedFacts({ result, clip }: { result: ProtectResult; clip: Clip }) {
  const o = result.original;
  const p = result.protected;
  const intel = result.intelligibility;
  const kept = o && p ? o.emotion === p.emotion : null;
  // Judged on the original: the protection is meant to confuse the recognizer, so the protected clip's own verdict
  // says nothing about whether the models know the voice.
  const reliable = readingsReliable(o?.domain);
  return (
    <div className="facts-block" data-testid="protected-facts">
      <dl className="facts facts-tight">
        <div>
          <dt>{result.spans ? 'Achieved SNR (whole clip)' : 'Achieved SNR'}</dt>
          <dd
            data-testid="snr"
            data-value={Number.isFinite(result.snrDb) ? result.snrDb.toFixed(3) : String(result.snrDb)}
          >
            {db(result.snrDb)}
          </dd>
        </div>
        <div>
          <dt>Budget</dt>
          <dd>≥ {result.budgetDb} dB</dd>
        </div>
        {intel && (
          <>
            <div>
              <dt>WER</dt>
              <dd data-testid="wer" data-value={intel.wer.rate.toFixed(4)}>
                {pct(intel.wer.rate, 0)}
                {!reliable && <span className="muted"> (unreliable for this voice)</span>}
              </dd>
            </div>
            <div>
              <dt>CER</dt>
              <dd data-testid="cer">{pct(intel.cer.rate, 0)}</dd>
            </div>
          </>
        )}
        <div>
          <dt>Ran on</dt>
          <dd>
            <span data-testid="protect-backend">{result.backend}</span> in {(result.timing.totalMs / 1000).toFixed(1)} s
          </dd>
        </div>
      </dl>
      {result.spans && <SpanResults result={result} reliable={reliable} />}
      {o?.domain?.verdict === 'no-speech' ? (
        <p className="muted small" data-testid="protected-no-speech">
          No speech in the original, so there are no words or emotion to compare.
        </p>
      ) : p && intel ? (
        <>
          <div className={reliable ? 'transcript' : 'transcript unreliable'}>
            <div className="probs-title">
              {reliable
                ? 'Transcript (ASR), changes against the original'
                : 'Transcript (ASR) changes, unreliable for this voice'}
            </div>
            <WordDiffView
              original={intel.reference}
              protected={intel.hypothesis}
              alignment={intel.alignment}
              testId="transcript-diff"
            />
          </div>
          <EmotionBlock a={p} label={clip.label?.emotion} testId="emotion-protected" reliable={reliable} />
          {kept !== null && !reliable && (
            <p className="verdict" data-testid="emotion-verdict" data-reliable="false">
              Emotion not compared: the emotion model cannot read this voice (see the note under the original).
            </p>
          )}
          {kept !== null && reliable && (
            <p className={`verdict ${kept ? 'ok' : 'warn'}`} data-testid="emotion-verdict">
              {kept ? `Emotion kept: still read as ${p.emotion}.` : `Emotion changed: ${o!.emotion} → ${p.emotion}.`}
            </p>
          )}
        </>
      ) : (
        <p className="muted small">Transcript and emotion need the evaluator models, which are not loaded.</p>
      )}
    </div>
  );
}

/** Per protected span: where, its own SNR against the budget, and what the recognizer heard there before and after. */
function SpanResults({ result, reliable }: { result: ProtectResult; reliable: boolean }) {
  const spans = result.spans ?? [];
  return (
    <div className="span-results" data-testid="span-results">
      <div className="probs-title">
        Protected parts ({spans.length}){reliable ? '' : ' · words unreliable for this voice'}
      </div>
      <table className="table small">
        <thead>
          <tr>
            <th scope="col">Part</th>
            <th scope="col">SNR (budget ≥ {result.budgetDb} dB)</th>
            <th scope="col">Heard before</th>
            <th scope="col">Heard after</th>
          </tr>
        </thead>
        <tbody>
          {spans.map((s) => (
            <tr
              key={s.start}
              data-testid="span-result"
              data-snr={Number.isFinite(s.snrDb) ? s.snrDb.toFixed(3) : String(s.snrDb)}
            >
              <td className="num">{spanLabel(s)}</td>
              <td className="num">
                {db(s.snrDb)}
                {s.scaled ? <span className="muted"> (held to the budget)</span> : null}
              </td>
              <td>{s.before === null ? '–' : s.before || <span className="muted">(no words)</span>}</td>
              <td>{s.after === null ? '–' : s.after || <span className="muted">(no words)</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="hint">
        Everything outside these parts is the original, sample for sample. The emotion cues below are over the whole
        clip.
      </p>
    </div>
  );
}

// ---------------------------------------------------------------------------------------------------------------
// The clip card
// ---------------------------------------------------------------------------------------------------------------

function ClipCard({ clip }: { clip: Clip }) {
  const protection = useAppStore((s) => s.protections[clip.id]);
  const settings = useAppStore((s) => s.settings);
  const activeGenerator = useAppStore((s) => s.models.report?.activeGenerator ?? null);
  const selection = useAppStore((s) => s.spanSelections[clip.id]);
  const stats = useMemo(() => clipStats(clip.samples, clip.sampleRate), [clip]);
  const result = protection?.status === 'done' ? protection.result : (protection?.result ?? null);
  const stale = result && !sameSettings(result, settings, activeGenerator, activeSpans(selection));
  const label = result ? (result.method === 'aclipse' ? 'Protected' : `${METHOD_LABEL[result.method]}`) : 'Protected';
  return (
    <article className="card clip-card" data-testid="clip-card" aria-labelledby="clip-title">
      <header className="clip-header">
        <div>
          <h2 className="clip-title" id="clip-title" data-testid="clip-name">
            {clip.name}
          </h2>
          <p className="clip-detail">
            <span data-testid="clip-duration">{formatDuration(clip.duration)}</span> · 16 kHz mono · peak{' '}
            {dbfs(stats.peak)} · {clip.detail}
          </p>
        </div>
        <div className="clip-actions">
          <button
            type="button"
            className="button button-primary"
            disabled={!result}
            onClick={() => downloadProtected(clip.id)}
            data-testid="download-protected"
          >
            <svg viewBox="0 0 24 24" aria-hidden="true" className="button-icon">
              <path d="M11 4h2v9l3-3 1.4 1.4L12 16.8 6.6 11.4 8 10l3 3zM5 18h14v2H5z" fill="currentColor" />
            </svg>
            Download protected
          </button>
          <button type="button" className="button" onClick={() => downloadClip(clip)} data-testid="download">
            Download original
          </button>
          <button
            type="button"
            className="button button-ghost"
            onClick={() => removeClip(clip.id)}
            aria-label={`Remove ${clip.name}`}
          >
            Remove
          </button>
        </div>
      </header>
      {protection?.status === 'error' && (
        <p className="inline-error" role="alert" data-testid="protect-error">
          Protection failed: {protection.error}
        </p>
      )}
      {stale && (
        <p className="inline-warning" role="status" data-testid="result-stale">
          Shown: {METHOD_LABEL[result.method]} at ≥ {result.budgetDb} dB
          {result.spans
            ? ` on ${result.spans.length} marked part${result.spans.length === 1 ? '' : 's'}`
            : ', whole clip'}
          . The settings or marked parts have changed; press Protect to apply them.
        </p>
      )}
      <SpanEditor clip={clip} />
      <ComparePlayer
        original={clip.samples}
        protectedWave={result?.wave ?? null}
        sampleRate={clip.sampleRate}
        protectedLabel={label}
        protectedPlaceholder={
          protection?.status === 'running' || protection?.status === 'queued' ? (
            <span className="busy">
              <span className="spinner" aria-hidden="true" /> {protection.stage || 'Protecting…'}
            </span>
          ) : (
            <span className="muted">The protected version appears here.</span>
          )
        }
        belowOriginal={<OriginalFacts clip={clip} result={result} />}
        belowProtected={result ? <ProtectedFacts result={result} clip={clip} /> : null}
      />
      {result && <CueRetentionBlock cues={result.cues} />}
      {result?.original && result.original.domain?.verdict !== 'no-speech' && (
        <VoiceEmotionCard clip={clip} result={result} />
      )}
    </article>
  );
}

/** The emotion relative to the voice: the reading for a voice the emotion model does not know, else a second opinion. */
function VoiceEmotionCard({ clip, result }: { clip: Clip; result: ProtectResult }) {
  const model = useAppStore((s) => s.models.report?.evaluators?.cueEmotion ?? null);
  const clips = useAppStore((s) => s.clips);
  const protections = useAppStore((s) => s.protections);
  const candidates = useMemo(
    () =>
      clips.flatMap((c): ReferenceCandidate[] => {
        const prosody = protections[c.id]?.result?.original?.prosody;
        return prosody ? [{ id: c.id, name: c.name, prosody }] : [];
      }),
    [clips, protections],
  );
  if (!model) return null;
  return (
    <VoiceEmotionBlock
      key={clip.id}
      model={model}
      clipId={clip.id}
      knownVoice={readingsReliable(result.original?.domain)}
      original={result.original?.prosody}
      protectedCues={result.protected?.prosody}
      candidates={candidates}
    />
  );
}

export function ProtectTab() {
  const clip = useAppStore(selectedClip);
  return (
    <div className="protect-layout">
      <div className="side">
        <ClipInput />
        <LiveCard />
        <ClipsCard />
        <ModelsCard />
      </div>
      <div className="main-col">
        <SettingsCard clip={clip} />
        {clip ? (
          <ClipCard key={clip.id} clip={clip} />
        ) : (
          <div className="card empty" data-testid="empty-state">
            <h2>Protect the words, keep the feeling</h2>
            <p>
              Load, drop or record a voice clip (or try a demo clip), then press <strong>Protect</strong>. You will hear
              the original and the protected version side by side, see what a speech recogniser still understands, and
              whether the emotion survives. Nothing leaves this browser.
            </p>
          </div>
        )}
      </div>
    </div>
  );
}
