/**
 * Evaluate (for researchers): pick a dataset, run the frozen evaluators on original and protected clips for
 * Aclipse and the baselines at one budget, and read WA / UA / WER / CER, the confusion matrices before and after,
 * and the method comparison. Results export as CSV or JSON.
 */
import { useMemo, useState } from 'react';
import { EMOTIONS } from '../../core/data';
import type { EvalMethod, EvaluateResult, MethodSummary } from '../../engine/api';
import { clause, db, etaSeconds, pct } from '../format';
import { ALL_METHODS, cancelEvaluation, runEvaluation } from './jobs';
import { activeDataset, activeGeneratorOf, useAppStore } from '../store';
import { formatTick, linearScale } from '../view/charts';
import { rowsCsv, saveBlob, stamp, summaryCsv, toJson } from '../view/export';
import { ConfusionHeatMap, useWidth } from '../shared/Charts';
import { DatasetCard, splitOptions } from '../shared/DatasetCard';
import { METHOD_LABEL } from '../shared/methods';
import { BudgetSlider, ProgressBar, StatusBadge } from '../shared/Widgets';
import { WeightsByBudget } from '../shared/WeightsByBudget';

// ---------------------------------------------------------------------------------------------------------------
// Run
// ---------------------------------------------------------------------------------------------------------------

function RunCard() {
  const dataset = useAppStore(activeDataset);
  const evaluation = useAppStore((s) => s.evaluation);
  const models = useAppStore((s) => s.models);
  const defaultBudget = useAppStore((s) => s.settings.budgetDb);
  const [split, setSplit] = useState<string>('test');
  const [limit, setLimit] = useState(40);
  const [budget, setBudget] = useState(defaultBudget);
  const [methods, setMethods] = useState<EvalMethod[]>(['original', 'aclipse', 'noise', 'lowpass2k']);
  const options = splitOptions(dataset);
  const splitValue = options.some((o) => o.value === split) ? split : (options[0]?.value ?? '');
  const running = evaluation.status === 'running';
  const noGenerator = !models.report?.activeGenerator;
  const active = activeGeneratorOf(models.report);
  const noEvaluators = models.status === 'ready' && !models.report?.evaluators;
  const chosen = methods.filter((m) => !(m === 'aclipse' && noGenerator && models.status === 'ready'));
  const eta = etaSeconds(evaluation.samples);

  const toggle = (m: EvalMethod, on: boolean) => setMethods((cur) => (on ? [...cur, m] : cur.filter((x) => x !== m)));

  return (
    <section className="card" aria-labelledby="eval-run-title">
      <h2 className="card-title" id="eval-run-title">
        Run the evaluators
      </h2>
      <div className="form-grid">
        <label className="field">
          <span className="field-label">Split</span>
          <select
            value={splitValue}
            onChange={(e) => setSplit(e.currentTarget.value)}
            disabled={!dataset || running}
            data-testid="eval-split"
          >
            {options.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="field-label">At most (clips)</span>
          <input
            type="number"
            min={1}
            max={100000}
            value={limit}
            onChange={(e) => setLimit(Math.max(1, Number(e.currentTarget.value) || 1))}
            disabled={running}
            data-testid="eval-limit"
          />
        </label>
      </div>
      <fieldset className="fieldset" disabled={running}>
        <legend className="field-label">Methods (at the same budget)</legend>
        <div className="checks">
          {ALL_METHODS.map((m) => (
            <label key={m} className="check">
              <input
                type="checkbox"
                checked={m === 'original' || methods.includes(m)}
                disabled={m === 'original' || (m === 'aclipse' && noGenerator && models.status === 'ready')}
                onChange={(e) => toggle(m, e.currentTarget.checked)}
                data-testid={`eval-method-${m}`}
              />
              {METHOD_LABEL[m]}
            </label>
          ))}
        </div>
        {noGenerator && models.status === 'ready' && <p className="hint">Aclipse needs a generator; none is loaded.</p>}
      </fieldset>
      <BudgetSlider value={budget} onChange={setBudget} disabled={running} />
      {active && active.bands.length > 0 && chosen.includes('aclipse') && (
        <WeightsByBudget generator={active} budgetDb={budget} />
      )}
      {noEvaluators && (
        <p className="inline-warning" role="status">
          The evaluator models are not loaded
          {models.report?.evaluatorsProblem ? ` (${clause(models.report.evaluatorsProblem)})` : ''}; evaluation needs
          them.
        </p>
      )}
      <div className="row">
        {running ? (
          <button type="button" className="button" onClick={cancelEvaluation} data-testid="eval-cancel">
            Cancel
          </button>
        ) : (
          <button
            type="button"
            className="button button-primary"
            disabled={!dataset || noEvaluators}
            data-testid="eval-run"
            onClick={() =>
              dataset &&
              void runEvaluation({
                datasetId: dataset.id,
                split: splitValue || null,
                limit,
                seed: 0,
                methods: ['original', ...chosen.filter((m) => m !== 'original')],
                budgetDb: budget,
              })
            }
          >
            Evaluate
          </button>
        )}
        {!dataset && <span className="muted small">Open a dataset first.</span>}
      </div>
      {running && (
        <ProgressBar
          label={evaluation.stage || 'Evaluating…'}
          fraction={evaluation.fraction}
          etaS={eta}
          showEta
          detail={evaluation.total ? `${evaluation.done} of ${evaluation.total} clip × method runs` : undefined}
          testId="eval-progress"
        />
      )}
      {evaluation.status === 'error' && (
        <p className="inline-error" role="alert" data-testid="eval-error">
          Evaluation failed: {evaluation.error}
        </p>
      )}
      {evaluation.status === 'cancelled' && <p className="muted">Cancelled after {evaluation.rows.length} runs.</p>}
    </section>
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Results
// ---------------------------------------------------------------------------------------------------------------

/** Labels of nearby points would overlap; push each one down until it clears the ones already placed. */
export function dodgeLabels(points: readonly { x: number; y: number }[], lineHeight = 13, width = 110): number[] {
  const order = points.map((p, i) => ({ ...p, i })).sort((a, b) => a.y - b.y || a.x - b.x);
  const placed: { x: number; y: number }[] = [];
  const out = new Array<number>(points.length);
  for (const p of order) {
    let y = p.y;
    while (placed.some((q) => Math.abs(q.x - p.x) < width && Math.abs(q.y - y) < lineHeight)) y += lineHeight;
    placed.push({ x: p.x, y });
    out[p.i] = y;
  }
  return out;
}

function TradeoffPlot({ summaries }: { summaries: MethodSummary[] }) {
  const [ref, width] = useWidth<HTMLDivElement>(420);
  const h = 260;
  const m = { left: 46, right: 16, top: 14, bottom: 40 };
  // WER can pass 100 % (insertions); widen the axis rather than pile points on its edge.
  const maxWer = Math.max(1, ...summaries.map((s) => (Number.isFinite(s.wer.rate) ? s.wer.rate : 0)));
  const xMax = Math.ceil(maxWer * 4) / 4;
  const x = linearScale([0, xMax], [m.left, width - m.right]);
  const y = linearScale([0, 1], [h - m.bottom, m.top]);
  const yTicks = [0, 0.25, 0.5, 0.75, 1];
  const xTicks = Array.from({ length: Math.round(xMax / 0.25) + 1 }, (_, i) => i * 0.25).filter(
    (_, i, all) => all.length <= 7 || i % 2 === 0,
  );
  const pts = summaries.map((s) => ({ x: x(s.wer.rate), y: y(s.ua) }));
  const labelY = dodgeLabels(pts.map((p) => ({ x: p.x, y: Number.isFinite(p.y) ? p.y : 0 })));
  return (
    <figure className="plot" data-testid="tradeoff-plot">
      <figcaption className="plot-title">
        Privacy vs utility: further right hides more words, higher keeps more emotion
      </figcaption>
      <div ref={ref} className="plot-box">
        <svg
          width={width}
          height={h}
          role="img"
          aria-label="Each method's WER (words hidden, higher is better) against its UA (emotion kept, higher is better)"
        >
          {yTicks.map((t) => (
            <g key={`y${t}`}>
              <line className="grid" x1={x(0)} x2={x(xMax)} y1={y(t)} y2={y(t)} />
              <text className="tick" x={x(0) - 6} y={y(t)} dy="0.32em" textAnchor="end">
                {formatTick(t * 100, 25)}
              </text>
            </g>
          ))}
          {xTicks.map((t) => (
            <g key={`x${t}`}>
              <line className="grid" x1={x(t)} x2={x(t)} y1={y(0)} y2={y(1)} />
              <text className="tick" x={x(t)} y={h - m.bottom + 16} textAnchor="middle">
                {formatTick(t * 100, 25)}
              </text>
            </g>
          ))}
          <text className="axis-label" x={(m.left + width - m.right) / 2} y={h - 6} textAnchor="middle">
            WER % (words hidden)
          </text>
          <text
            className="axis-label"
            transform={`translate(11 ${(h - m.bottom + m.top) / 2}) rotate(-90)`}
            textAnchor="middle"
          >
            UA % (emotion kept)
          </text>
          {summaries.map((s, i) => {
            const { x: px, y: py } = pts[i]!;
            if (!Number.isFinite(px) || !Number.isFinite(py)) return null;
            const isA = s.method === 'aclipse';
            const isO = s.method === 'original';
            const left = px > width - 130;
            return (
              <g key={s.method} className={`dot${isA ? ' dot-a' : isO ? ' dot-o' : ''}`}>
                <circle cx={px} cy={py} r={isA ? 7 : 5} />
                <text
                  x={left ? px - 10 : px + 10}
                  y={labelY[i]}
                  dy="0.32em"
                  className="dot-label"
                  textAnchor={left ? 'end' : 'start'}
                >
                  {isO ? 'original' : METHOD_LABEL[s.method]}
                </text>
              </g>
            );
          })}
        </svg>
      </div>
    </figure>
  );
}

/** A cue median, or a dash for the original row (nothing to compare) and undefined medians. */
const cue = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(2));

function SummaryTable({ result }: { result: EvaluateResult }) {
  const best = (key: (s: MethodSummary) => number, dir: 1 | -1) => {
    const protectedOnes = result.summaries.filter((s) => s.method !== 'original');
    let b: MethodSummary | null = null;
    for (const s of protectedOnes) if (Number.isFinite(key(s)) && (!b || dir * key(s) > dir * key(b))) b = s;
    return b?.method;
  };
  const bestUa = best((s) => s.ua, 1);
  const bestWer = best((s) => s.wer.rate, 1);
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label="Scores per method (scrolls sideways)">
      <table className="table metrics-table" data-testid="eval-summary">
        <caption className="sr-only">Scores per method</caption>
        <thead>
          <tr>
            <th scope="col">Method</th>
            <th scope="col" className="num">
              Clips
            </th>
            <th scope="col" className="num" title="Weighted accuracy: share of clips whose emotion is right">
              WA ↑
            </th>
            <th scope="col" className="num" title="Unweighted accuracy: mean recall over the four emotions">
              UA ↑
            </th>
            <th
              scope="col"
              className="num"
              title="Word error rate of the ASR: higher means the words are better hidden"
            >
              WER ↑
            </th>
            <th scope="col" className="num" title="Character error rate">
              CER ↑
            </th>
            <th scope="col" className="num">
              SNR
            </th>
            <th scope="col" className="num" title="Share of the perturbation's energy above 2 kHz">
              ≥ 2 kHz
            </th>
            <th
              scope="col"
              className="num"
              title="Emotion cue, no model: median correlation of the pitch contours (1 = same melody)"
            >
              F0 corr ↑
            </th>
            <th
              scope="col"
              className="num"
              title="Emotion cue, no model: median pitch difference in semitones over frames voiced in both"
            >
              F0 RMSE st ↓
            </th>
            <th
              scope="col"
              className="num"
              title="Emotion cue, no model: median share of frames with the same voiced/unvoiced decision"
            >
              Voicing ↑
            </th>
            <th scope="col" className="num" title="Emotion cue, no model: median correlation of the loudness envelopes">
              Loudness corr ↑
            </th>
            <th
              scope="col"
              className="num"
              title="Emotion cue, no model: median change of the speaking rate (syllable nuclei per second)"
            >
              Rate Δ
            </th>
          </tr>
        </thead>
        <tbody>
          {result.summaries.map((s) => (
            <tr key={s.method} data-method={s.method} className={s.method === 'aclipse' ? 'highlight' : undefined}>
              <th scope="row">{METHOD_LABEL[s.method]}</th>
              <td className="num">{s.clips}</td>
              <td className="num" data-metric="wa">
                {pct(s.wa)}
              </td>
              <td className={`num${bestUa === s.method ? ' best' : ''}`} data-metric="ua">
                {pct(s.ua)}
              </td>
              <td className={`num${bestWer === s.method ? ' best' : ''}`} data-metric="wer">
                {pct(s.wer.rate)}
              </td>
              <td className="num" data-metric="cer">
                {pct(s.cer.rate)}
              </td>
              <td className="num">{s.meanSnrDb === null ? '—' : db(s.meanSnrDb)}</td>
              <td className="num">
                {s.meanPerturbationHighShare === null ? '—' : pct(s.meanPerturbationHighShare, 0)}
              </td>
              <td className="num" data-metric="f0-corr">
                {cue(s.cues?.f0Correlation)}
              </td>
              <td className="num" data-metric="f0-rmse">
                {cue(s.cues?.f0RmseSemitones)}
              </td>
              <td className="num" data-metric="voicing">
                {cue(s.cues?.voicingAgreement)}
              </td>
              <td className="num" data-metric="loudness-corr">
                {cue(s.cues?.loudnessCorrelation)}
              </td>
              <td className="num" data-metric="rate-change">
                {s.cues && Number.isFinite(s.cues.syllableRateChange)
                  ? `${s.cues.syllableRateChange >= 0 ? '+' : ''}${pct(s.cues.syllableRateChange, 0)}`
                  : '—'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function exportName(r: EvaluateResult, what: string, ext: string) {
  return `aclipse-eval-${r.datasetId}-${r.split ?? 'all'}-${r.budgetDb}dB-${what}-${stamp()}.${ext}`.replace(
    /[^\w.-]+/g,
    '_',
  );
}

function ResultsCard({ result }: { result: EvaluateResult }) {
  const methods = result.summaries.filter((s) => s.method !== 'original');
  const [after, setAfter] = useState<string>(
    methods.find((s) => s.method === 'aclipse')?.method ?? methods[0]?.method ?? 'original',
  );
  const before = result.summaries.find((s) => s.method === 'original');
  const afterSummary = result.summaries.find((s) => s.method === after) ?? methods[0];
  const rows = useMemo(() => result.rows.slice(0, 400), [result]);
  return (
    <section className="card results-card" aria-labelledby="eval-results-title" data-testid="eval-results">
      <header className="clip-header">
        <h2 className="card-title" id="eval-results-title">
          Results{' '}
          <span className="count">
            {result.clips} clips · ≥ {result.budgetDb} dB · {result.backend}
          </span>
        </h2>
        <div className="row">
          <button
            type="button"
            className="button button-small"
            onClick={() => saveBlob(summaryCsv(result), exportName(result, 'summary', 'csv'), 'text/csv')}
            data-testid="export-summary-csv"
          >
            Summary CSV
          </button>
          <button
            type="button"
            className="button button-small"
            onClick={() => saveBlob(rowsCsv(result, EMOTIONS), exportName(result, 'clips', 'csv'), 'text/csv')}
            data-testid="export-rows-csv"
          >
            Per-clip CSV
          </button>
          <button
            type="button"
            className="button button-small"
            onClick={() => saveBlob(toJson(result), exportName(result, 'full', 'json'), 'application/json')}
            data-testid="export-json"
          >
            JSON
          </button>
        </div>
      </header>
      {result.failed.length > 0 && (
        <p className="inline-warning" role="status">
          {result.failed.length} clip{result.failed.length > 1 ? 's' : ''} could not be read and{' '}
          {result.failed.length > 1 ? 'were' : 'was'} skipped (first: {result.failed[0]!.clipId}:{' '}
          {result.failed[0]!.error}).
        </p>
      )}
      <SummaryTable result={result} />
      <div className="results-grid">
        <TradeoffPlot summaries={result.summaries} />
        <div className="reading">
          <h3 className="subhead">Reading the results</h3>
          <ul className="plain-list small">
            <li>
              <strong>WA</strong> (weighted accuracy): share of clips whose emotion the frozen classifier gets right.{' '}
              <strong>UA</strong> (unweighted): the same averaged over the four emotions, so a rare emotion counts as
              much as a common one.
            </li>
            <li>
              <strong>WER / CER</strong>: word / character error rate of the frozen speech recogniser against the
              transcript. For protected clips, higher is better: the words are hidden.
            </li>
            <li>
              A good protection keeps UA near the original's row while pushing WER up, at the same budget (≥{' '}
              {result.budgetDb} dB SNR for every method).
            </li>
          </ul>
        </div>
      </div>
      <div className="row">
        <h3 className="subhead">Confusion matrices</h3>
        {methods.length > 1 && (
          <label className="inline-field">
            After:{' '}
            <select
              value={afterSummary?.method}
              onChange={(e) => setAfter(e.currentTarget.value)}
              data-testid="confusion-method"
            >
              {methods.map((s) => (
                <option key={s.method} value={s.method}>
                  {METHOD_LABEL[s.method]}
                </option>
              ))}
            </select>
          </label>
        )}
      </div>
      <div className="heatmap-pair">
        {before && (
          <ConfusionHeatMap
            title={`Before: original clips (UA ${pct(before.ua)})`}
            labels={EMOTIONS}
            matrix={before.confusion}
            testId="confusion-before"
          />
        )}
        {afterSummary && (
          <ConfusionHeatMap
            title={`After: ${METHOD_LABEL[afterSummary.method]} (UA ${pct(afterSummary.ua)})`}
            labels={EMOTIONS}
            matrix={afterSummary.confusion}
            testId="confusion-after"
          />
        )}
      </div>
      <p className="hint">
        Rows: the true emotion; columns: the prediction. Each cell shows the count and its share of the row; shading
        follows the share.
      </p>
      <details className="details">
        <summary>
          Per-clip results ({result.rows.length} rows
          {result.rows.length > rows.length ? `, first ${rows.length} shown; export for all` : ''})
        </summary>
        <div className="table-scroll" tabIndex={0} role="region" aria-label="Per-clip results (scrolls sideways)">
          <table className="table small-table">
            <thead>
              <tr>
                <th scope="col">Clip</th>
                <th scope="col">Method</th>
                <th scope="col">Emotion</th>
                <th scope="col">Predicted</th>
                <th scope="col">Transcript</th>
                <th scope="col" className="num">
                  WER
                </th>
                <th scope="col" className="num">
                  SNR
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={`${r.clipId}:${r.method}`}>
                  <td>{r.clipId}</td>
                  <td>{r.method}</td>
                  <td>{r.emotion ?? '—'}</td>
                  <td className={r.emotion && r.predicted !== r.emotion ? 'bad' : undefined}>{r.predicted}</td>
                  <td className="transcript-cell">{r.transcript}</td>
                  <td className="num">{r.wer === null ? '—' : pct(r.wer, 0)}</td>
                  <td className="num">{r.snrDb === null ? '—' : db(r.snrDb)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </section>
  );
}

function LiveRows() {
  const evaluation = useAppStore((s) => s.evaluation);
  if (evaluation.status !== 'running' || evaluation.rows.length === 0) return null;
  const byMethod = new Map<string, { n: number; right: number }>();
  for (const r of evaluation.rows) {
    const m = byMethod.get(r.method) ?? { n: 0, right: 0 };
    m.n++;
    if (r.emotion && r.emotion === r.predicted) m.right++;
    byMethod.set(r.method, m);
  }
  return (
    <section className="card" aria-label="Running results">
      <h2 className="card-title">
        So far <StatusBadge status="running" />
      </h2>
      <ul className="plain-list">
        {[...byMethod].map(([m, v]) => (
          <li key={m}>
            {METHOD_LABEL[m]}: {v.n} clips, emotion right on {pct(v.right / v.n, 0)}
          </li>
        ))}
      </ul>
    </section>
  );
}

export function EvaluateTab() {
  const result = useAppStore((s) => s.evaluation.result);
  return (
    <div className="evaluate-layout">
      <div className="side">
        <DatasetCard purpose="evaluate" />
        <RunCard />
      </div>
      <div className="main-col">
        <LiveRows />
        {result ? (
          <ResultsCard result={result} />
        ) : (
          <div className="card empty" data-testid="eval-empty">
            <h2>How well does protection work?</h2>
            <p>
              Open a dataset (the demo set is built in), choose methods and a budget, and press{' '}
              <strong>Evaluate</strong>. The frozen emotion and speech models score every clip before and after
              protection: WA and UA for emotion (higher is better), WER and CER for the words (higher means better
              hidden).
            </p>
          </div>
        )}
      </div>
    </div>
  );
}
