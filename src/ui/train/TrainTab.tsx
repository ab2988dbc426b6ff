/**
 * Train: the paper's two-stage trainer in the browser. Stage 1 trains SO and ER together against the frozen
 * evaluators (L1 = CE + λ1·CTC); stage 2 freezes one module and tunes the other (L2 = CE + 1/(λ2·CTC)).
 * Live curves per epoch, progress with ETA, cancel and resume; at the end compare with the weights in use,
 * adopt, export or import. Also fine-tuning of the evaluators.
 */
import { useState, type ReactNode } from 'react';
import { create } from 'zustand';
import { TRAINING_GENERATOR_ID, type TrainArgs, type TrainConfig, type TrainEpochReport } from '../../engine/api';
import { CUE_KEEP_UNIT, PAPER_CONFIG, cueKeepAt, cueKeepScale } from '../../core/training-config';
import { clause, etaSeconds, pct } from '../format';
import { exportEvaluators, exportGenerator, importGenerator, openDataset } from '../shared/jobs';
import {
  adoptTrained,
  cancelFineTune,
  cancelTraining,
  compareWithActive,
  discardTraining,
  runFineTune,
  runTraining,
} from './jobs';
import { activeDataset, activeGeneratorOf, useAppStore, type TrainingRun } from '../store';
import { LinePlot, type Series } from '../shared/Charts';
import { DatasetCard, splitOptions } from '../shared/DatasetCard';
import { InlineMessages } from '../shared/Messages';
import { ProgressBar, StatusBadge } from '../shared/Widgets';

// ---------------------------------------------------------------------------------------------------------------
// Form state (kept across tab switches)
// ---------------------------------------------------------------------------------------------------------------

export interface TrainForm {
  config: TrainConfig;
  stages: (1 | 2)[];
  trainSplit: string;
  valSplit: string;
  valLimit: number;
  init: 'fresh' | 'active';
  maxClipSeconds: number;
}

/** The paper's settings, the trainer's PAPER_CONFIG (100 + 100 epochs on 400-clip subsets): hours in a browser. */
export const PAPER_FORM: TrainForm = {
  config: PAPER_CONFIG,
  stages: [1, 2],
  trainSplit: 'train',
  valSplit: 'val',
  valLimit: 32,
  init: 'fresh',
  maxClipSeconds: 8,
};

/** A run that finishes in minutes on a laptop CPU: small subsets, few epochs, short clips. */
export const QUICK_FORM: TrainForm = {
  ...PAPER_FORM,
  config: {
    ...PAPER_FORM.config,
    subsetSize: 24,
    swapEvery: 2,
    batchSize: 4,
    stage1: { ...PAPER_FORM.config.stage1, epochs: 4 },
    stage2: { ...PAPER_FORM.config.stage2, epochs: 2 },
  },
  valLimit: 8,
  maxClipSeconds: 4,
};

export const useTrainForm = create<{
  form: TrainForm;
  set(patch: Partial<TrainForm>): void;
  setConfig(patch: Partial<TrainConfig>): void;
}>()((set) => ({
  form: QUICK_FORM,
  set: (patch) => set((s) => ({ form: { ...s.form, ...patch } })),
  setConfig: (patch) => set((s) => ({ form: { ...s.form, config: { ...s.form.config, ...patch } } })),
}));

/** Global epoch number (1-based) across both stages, for the x axis. */
export function globalEpoch(
  r: { stage: 1 | 2; epoch: number },
  stage1Epochs: number,
  stages: readonly (1 | 2)[],
): number {
  return (r.stage === 2 && stages.includes(1) ? stage1Epochs : 0) + r.epoch + 1;
}

// ---------------------------------------------------------------------------------------------------------------
// Form
// ---------------------------------------------------------------------------------------------------------------

function NumberField(props: {
  label: string;
  value: number;
  onChange: (v: number) => void;
  min?: number;
  max?: number;
  step?: number | 'any';
  hint?: string;
  disabled?: boolean;
  testId?: string;
}) {
  const { label, value, onChange, min, max, step = 1, hint, disabled, testId } = props;
  const [text, setText] = useState<string | null>(null);
  return (
    <label className="field">
      <span className="field-label">{label}</span>
      <input
        type="number"
        inputMode="decimal"
        value={text ?? String(value)}
        min={min}
        max={max}
        step={step}
        disabled={disabled}
        data-testid={testId}
        onChange={(e) => {
          const raw = e.currentTarget.value;
          setText(raw);
          const v = Number(raw);
          if (raw.trim() !== '' && Number.isFinite(v)) onChange(v);
        }}
        onBlur={() => setText(null)}
      />
      {hint && <span className="hint">{hint}</span>}
    </label>
  );
}

function ConfigCard() {
  const { form, set, setConfig } = useTrainForm();
  const dataset = useAppStore(activeDataset);
  const running = useAppStore((s) => s.training.status === 'running');
  const c = form.config;
  const splits = splitOptions(dataset).filter((o) => o.value !== '');
  const heldOut = (v: string) => v === 'test' || v === 'test_speaker';
  const toggleStage = (st: 1 | 2, on: boolean) =>
    set({ stages: (on ? [...form.stages, st] : form.stages.filter((x) => x !== st)).sort() as (1 | 2)[] });

  return (
    <section className="card" aria-labelledby="train-config-title">
      <h2 className="card-title" id="train-config-title">
        Configuration
      </h2>
      <div className="row">
        <span className="muted small">Presets:</span>
        <button
          type="button"
          className="button button-small"
          disabled={running}
          onClick={() => useTrainForm.setState({ form: QUICK_FORM })}
          data-testid="preset-quick"
        >
          Quick (minutes)
        </button>
        <button
          type="button"
          className="button button-small"
          disabled={running}
          onClick={() => useTrainForm.setState({ form: PAPER_FORM })}
          data-testid="preset-paper"
        >
          Paper (hours)
        </button>
      </div>
      <fieldset className="fieldset" disabled={running}>
        <legend className="field-label">Data</legend>
        <div className="form-grid">
          <label className="field">
            <span className="field-label">Train on</span>
            <select
              value={form.trainSplit}
              onChange={(e) => set({ trainSplit: e.currentTarget.value })}
              data-testid="train-split"
            >
              {splits
                .filter((o) => !heldOut(o.value))
                .map((o) => (
                  <option key={o.value} value={o.value}>
                    {o.label}
                  </option>
                ))}
              {!splits.some((o) => o.value === form.trainSplit) && (
                <option value={form.trainSplit}>{form.trainSplit}</option>
              )}
            </select>
          </label>
          <label className="field">
            <span className="field-label">Validate on</span>
            <select
              value={form.valSplit}
              onChange={(e) => set({ valSplit: e.currentTarget.value })}
              data-testid="val-split"
            >
              <option value="">none</option>
              {splits
                .filter((o) => !heldOut(o.value) && o.value !== form.trainSplit)
                .map((o) => (
                  <option key={o.value} value={o.value}>
                    {o.label}
                  </option>
                ))}
              {form.valSplit && !splits.some((o) => o.value === form.valSplit) && (
                <option value={form.valSplit}>{form.valSplit}</option>
              )}
            </select>
          </label>
          <NumberField
            label="Validation clips"
            value={form.valLimit}
            min={1}
            onChange={(v) => set({ valLimit: Math.round(v) })}
            testId="val-limit"
          />
          <NumberField
            label="Subset size"
            value={c.subsetSize}
            min={2}
            onChange={(v) => setConfig({ subsetSize: Math.round(v) })}
            hint="stratified; paper 400"
            testId="subset-size"
          />
          <NumberField
            label="Swap subset every (epochs)"
            value={c.swapEvery}
            min={1}
            onChange={(v) => setConfig({ swapEvery: Math.round(v) })}
            hint="paper 5"
          />
          <NumberField
            label="Batch size"
            value={c.batchSize}
            min={1}
            onChange={(v) => setConfig({ batchSize: Math.round(v) })}
            testId="batch-size"
          />
          <NumberField
            label="Cut clips at (s)"
            value={form.maxClipSeconds}
            min={0.1}
            step="any"
            onChange={(v) => set({ maxClipSeconds: v })}
            testId="max-clip-seconds"
          />
          <NumberField label="Seed" value={c.seed} min={0} onChange={(v) => setConfig({ seed: Math.round(v) })} />
          <NumberField
            label="Budget (min SNR, dB)"
            value={c.budgetDb}
            min={0}
            max={60}
            step="any"
            onChange={(v) => setConfig({ budgetDb: v })}
          />
          <NumberField
            label="Keep emotion cues (×)"
            value={cueKeepScale(c.cueKeep)}
            min={0}
            step="any"
            onChange={(v) => setConfig({ cueKeep: cueKeepAt(v) })}
            hint={`0 = the paper’s objective; 1 = pitch ${CUE_KEEP_UNIT.pitch}, tilt ${CUE_KEEP_UNIT.tilt}, level ${CUE_KEEP_UNIT.level}`}
            testId="cue-keep"
          />
          <label className="field">
            <span className="field-label">Start from</span>
            <select value={form.init} onChange={(e) => set({ init: e.currentTarget.value as 'fresh' | 'active' })}>
              <option value="fresh">fresh weights (seeded)</option>
              <option value="active">the generator in use</option>
            </select>
          </label>
        </div>
      </fieldset>
      <div className="stage-grid">
        <fieldset className="fieldset stage" disabled={running}>
          <legend>
            <label className="check">
              <input
                type="checkbox"
                checked={form.stages.includes(1)}
                onChange={(e) => toggleStage(1, e.currentTarget.checked)}
                data-testid="stage1-on"
              />
              Stage 1: train SO + ER
            </label>
          </legend>
          <p className="hint">L₁ = L_CE + λ₁·L_CTC; a negative λ₁ rewards a high CTC loss (words hidden).</p>
          <div className="form-grid">
            <NumberField
              label="Epochs"
              value={c.stage1.epochs}
              min={1}
              onChange={(v) => setConfig({ stage1: { ...c.stage1, epochs: Math.round(v) } })}
              testId="stage1-epochs"
            />
            <NumberField
              label="Learning rate"
              value={c.stage1.learningRate}
              min={0}
              step="any"
              onChange={(v) => setConfig({ stage1: { ...c.stage1, learningRate: v } })}
            />
            <NumberField
              label="λ₁"
              value={c.stage1.lambda1}
              step="any"
              onChange={(v) => setConfig({ stage1: { ...c.stage1, lambda1: v } })}
              hint="paper −1"
            />
          </div>
        </fieldset>
        <fieldset className="fieldset stage" disabled={running}>
          <legend>
            <label className="check">
              <input
                type="checkbox"
                checked={form.stages.includes(2)}
                onChange={(e) => toggleStage(2, e.currentTarget.checked)}
                data-testid="stage2-on"
              />
              Stage 2: freeze one, tune the other
            </label>
          </legend>
          <p className="hint">L₂ = L_CE + 1/(λ₂·L_CTC): keeps the words hidden while the emotion is repaired.</p>
          <div className="form-grid">
            <NumberField
              label="Epochs"
              value={c.stage2.epochs}
              min={1}
              onChange={(v) => setConfig({ stage2: { ...c.stage2, epochs: Math.round(v) } })}
              testId="stage2-epochs"
            />
            <NumberField
              label="Learning rate"
              value={c.stage2.learningRate}
              min={0}
              step="any"
              onChange={(v) => setConfig({ stage2: { ...c.stage2, learningRate: v } })}
            />
            <NumberField
              label="λ₂"
              value={c.stage2.lambda2}
              step="any"
              onChange={(v) => setConfig({ stage2: { ...c.stage2, lambda2: v } })}
              hint="paper 1"
            />
            <label className="field">
              <span className="field-label">Frozen module</span>
              <select
                value={c.stage2.tune}
                onChange={(e) => setConfig({ stage2: { ...c.stage2, tune: e.currentTarget.value as 'er' | 'so' } })}
              >
                <option value="er">freeze SO, tune ER (paper)</option>
                <option value="so">freeze ER, tune SO</option>
              </select>
            </label>
          </div>
        </fieldset>
      </div>
    </section>
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Run and curves
// ---------------------------------------------------------------------------------------------------------------

function epochSeries(
  epochs: TrainEpochReport[],
  pick: (e: TrainEpochReport) => { train?: number; val?: number },
  form: TrainForm,
): Series[] {
  const sorted = [...epochs].sort(
    (a, b) =>
      globalEpoch(a, form.config.stage1.epochs, form.stages) - globalEpoch(b, form.config.stage1.epochs, form.stages),
  );
  const x = (e: TrainEpochReport) => globalEpoch(e, form.config.stage1.epochs, form.stages);
  const out: Series[] = [{ name: 'train', points: sorted.map((e) => ({ x: x(e), y: pick(e).train ?? NaN })) }];
  if (sorted.some((e) => pick(e).val !== undefined))
    out.push({ name: 'validation', points: sorted.map((e) => ({ x: x(e), y: pick(e).val ?? NaN })), dashed: true });
  return out;
}

function Curves({ run, form }: { run: TrainingRun; form: TrainForm }) {
  const epochs = run.epochs;
  const e1 = form.config.stage1.epochs;
  const total = (form.stages.includes(1) ? e1 : 0) + (form.stages.includes(2) ? form.config.stage2.epochs : 0);
  const markers = form.stages.includes(1) && form.stages.includes(2) ? [{ x: e1 + 0.5, label: 'stage 2' }] : [];
  const xDomain: [number, number] = [1, Math.max(2, total)];
  const common = { xLabel: 'Epoch', markers, xDomain, height: 170, integerX: true };
  const steps = run.steps;
  return (
    <div className="curves" data-testid="train-curves" data-epochs={epochs.length} data-steps={steps.length}>
      <LinePlot
        title="SER loss (cross-entropy) ↓"
        series={epochSeries(epochs, (e) => ({ train: e.train.ce, val: e.val?.ce }), form)}
        {...common}
        testId="curve-ce"
      />
      <LinePlot
        title="CTC loss (higher = words hidden) ↑"
        series={epochSeries(epochs, (e) => ({ train: e.train.ctc, val: e.val?.ctc }), form)}
        {...common}
        testId="curve-ctc"
      />
      <LinePlot
        title="Emotion accuracy (WA) ↑"
        series={epochSeries(epochs, (e) => ({ train: e.train.wa, val: e.val?.wa }), form)}
        {...common}
        yDomain={[0, 1]}
        testId="curve-wa"
      />
      <LinePlot
        title="Word error rate (WER) ↑"
        series={epochSeries(epochs, (e) => ({ train: e.train.wer, val: e.val?.wer }), form)}
        {...common}
        yDomain={[0, Math.max(1, ...epochs.map((e) => Math.max(e.train.wer, e.val?.wer ?? 0)))]}
        testId="curve-wer"
      />
      {epochs.some((e) => e.train.cue !== undefined) && (
        <LinePlot
          title="Emotion cues moved (cue-keeping term) ↓"
          series={epochSeries(epochs, (e) => ({ train: e.train.cue, val: e.val?.cue }), form)}
          {...common}
          testId="curve-cue"
        />
      )}
      <LinePlot
        title="Loss per step (live)"
        series={[
          { name: 'CE', points: steps.map((s) => ({ x: s.index, y: s.ce })) },
          { name: 'CTC', points: steps.map((s) => ({ x: s.index, y: s.ctc })), dashed: true },
          ...(steps.some((s) => s.cue !== undefined)
            ? [{ name: 'cue', points: steps.map((s) => ({ x: s.index, y: s.cue ?? NaN })), dashed: true }]
            : []),
        ]}
        xLabel="Step"
        height={170}
        integerX
        testId="curve-steps"
      />
    </div>
  );
}

function trainArgs(form: TrainForm, datasetId: string, resumeFrom: TrainingRun['session']): TrainArgs {
  return {
    datasetId,
    trainSplit: form.trainSplit,
    valSplit: form.valSplit || null,
    valLimit: form.valLimit,
    config: resumeFrom ? resumeFrom.config : form.config,
    stages: resumeFrom ? resumeFrom.stages : form.stages,
    init: form.init,
    resume: !!resumeFrom,
    maxClipSeconds: form.maxClipSeconds,
  };
}

/** One click for a newcomer: the demo set's train/val split, the Quick preset, both stages. */
async function quickDemoRun(): Promise<void> {
  if (!(await openDataset({ kind: 'demo' }, 'manifest', 'the demo set'))) return;
  const ds = activeDataset(useAppStore.getState());
  if (!ds) return;
  useTrainForm.setState({ form: QUICK_FORM });
  await runTraining(trainArgs(QUICK_FORM, ds.id, null));
}

function RunCard() {
  const run = useAppStore((s) => s.training);
  const dataset = useAppStore(activeDataset);
  const models = useAppStore((s) => s.models);
  const datasetBusy = useAppStore((s) => s.datasetBusy);
  const engine = useAppStore((s) => s.engine?.phase);
  const { form } = useTrainForm();
  const running = run.status === 'running';
  const session = run.session;
  const canResume =
    !running &&
    !run.stopping &&
    !session?.running &&
    !!session?.next &&
    (run.status === 'cancelled' || run.status === 'error' || run.status === 'done');
  const noEvaluators = models.status === 'ready' && !models.report?.evaluators;
  const fraction = run.fraction;
  const eta = etaSeconds(run.samples);
  const problems: string[] = [];
  if (!dataset)
    problems.push('Open a dataset with a train split (the demo set has a small one), or use the one-click run below.');
  if (dataset && !(form.trainSplit in dataset.bySplit)) {
    problems.push(
      `“${dataset.name}” has no “${form.trainSplit}” split${Object.keys(dataset.bySplit).length ? ` (it has ${Object.keys(dataset.bySplit).join(', ')})` : ''}; training never uses held-out test clips. Load a corpus folder with a train split.`,
    );
  }
  if (form.stages.length === 0) problems.push('Pick at least one stage.');
  if (noEvaluators)
    problems.push(
      `Training needs the frozen evaluators, which are not loaded${models.report?.evaluatorsProblem ? ` (${clause(models.report.evaluatorsProblem)})` : ''}.`,
    );
  if (form.init === 'active' && !models.report?.activeGenerator)
    problems.push('“Start from the generator in use” needs a loaded generator.');

  const args = (resume: boolean): TrainArgs =>
    trainArgs(form, (resume && session?.datasetId) || dataset!.id, resume ? session : null);

  const s = run.lastStep;
  return (
    <section className="card" aria-labelledby="train-run-title" data-testid="train-run" data-status={run.status}>
      <h2 className="card-title" id="train-run-title">
        Training {run.status !== 'idle' && <StatusBadge status={run.status} />}
      </h2>
      <div className="row">
        {running ? (
          <button type="button" className="button" onClick={cancelTraining} data-testid="train-cancel">
            Cancel
          </button>
        ) : (
          <button
            type="button"
            className="button button-primary"
            disabled={problems.length > 0 || run.stopping}
            onClick={() => void runTraining(args(false))}
            data-testid="train-start"
          >
            {session ? 'Start over' : 'Start training'}
          </button>
        )}
        {canResume && (
          <button
            type="button"
            className="button button-primary"
            onClick={() => void runTraining(args(true))}
            data-testid="train-resume"
          >
            Resume (stage {session!.next!.stage}, epoch {session!.next!.epoch + 1})
          </button>
        )}
        {!running && !run.stopping && session && (
          <button
            type="button"
            className="button button-ghost"
            onClick={() => void discardTraining()}
            data-testid="train-discard"
          >
            Discard
          </button>
        )}
      </div>
      {run.status === 'idle' && !session && (
        <p className="muted small intro" data-testid="train-intro">
          Aclipse is two small networks in front of frozen emotion (SER) and speech (ASR) models. Stage 1 trains both so
          that the emotion stays readable (low SER loss) while the words do not (high CTC loss); stage 2 freezes one and
          fine-tunes the other. Open a dataset with a train split, pick a preset, and watch the curves: the Quick preset
          finishes in minutes, the paper's settings take hours.
        </p>
      )}
      {!running && !session && !run.stopping && (
        <div className="row">
          <button
            type="button"
            className="button"
            disabled={noEvaluators || !!datasetBusy || engine !== 'ready'}
            onClick={() => void quickDemoRun()}
            data-testid="train-demo-quick"
          >
            Quick run on the demo set
          </button>
          <span className="hint">Both stages, Quick preset, on the demo set’s small train and validation split.</span>
        </div>
      )}
      {!running && problems.length > 0 && (
        <ul className="inline-warning plain-list" data-testid="train-problems">
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      {running && (
        <ProgressBar
          label={run.stage || 'Preparing…'}
          fraction={fraction}
          etaS={eta}
          showEta
          testId="train-progress"
          detail={
            s ? (
              <span className="num">
                Stage {s.stage} · epoch {s.epoch + 1}/{s.epochs} · step {s.step + 1}/{s.steps} · CE{' '}
                {s.losses.ce.toFixed(3)} · CTC {s.losses.ctc.toFixed(2)}
              </span>
            ) : undefined
          }
        />
      )}
      {run.status === 'error' && (
        <p className="inline-error" role="alert" data-testid="train-error">
          Training stopped: {run.error}
        </p>
      )}
      {run.stopping && (
        <p className="busy" role="status" data-testid="train-stopping">
          <span className="spinner" aria-hidden="true" /> Stopping: the engine finishes the step it is in, then keeps
          the last finished epoch…
        </p>
      )}
      {run.status === 'cancelled' && !run.stopping && (
        <p className="muted" data-testid="train-cancelled">
          Cancelled.{' '}
          {session?.next
            ? `The trainer kept the weights of the last finished epoch: Resume continues with stage ${session.next.stage}, epoch ${session.next.epoch + 1}.`
            : ''}
        </p>
      )}
      <InlineMessages prefixes={['train:']} />
      {session && (
        <p className="hint">
          {session.trainClips} training clips, {session.valClips} validation clips · {session.backend} · readback{' '}
          {session.readback}
        </p>
      )}
      {(run.epochs.length > 0 || run.steps.length > 0 || running) && <Curves run={run} form={form} />}
    </section>
  );
}

function Cell({ children }: { children: ReactNode }) {
  return <td className="num">{children}</td>;
}

function FinishCard() {
  const run = useAppStore((s) => s.training);
  const models = useAppStore((s) => s.models);
  const session = run.session;
  if (!session || run.status === 'running') return null;
  const lastVal = [...session.epochs].reverse().find((e) => e.val);
  const active = activeGeneratorOf(models.report);
  const cmp = run.comparison;
  const cmpSummary = cmp?.result.summaries.find((x) => x.method === 'aclipse');
  const cmpLabel = models.report?.generators.find((g) => g.id === cmp?.generatorId)?.label ?? cmp?.generatorId;
  return (
    <section className="card" aria-labelledby="train-finish-title" data-testid="train-finish">
      <h2 className="card-title" id="train-finish-title">
        {session.next ? 'Partly trained weights' : 'Trained weights'}
      </h2>
      <p className="muted small">
        {session.epochs.length} epoch{session.epochs.length === 1 ? '' : 's'} done. Compare them with the generator in
        use on the same validation split, then use them for Protect, or export them.
      </p>
      <div className="row">
        <button
          type="button"
          className="button"
          disabled={!active || run.comparing || !lastVal}
          onClick={() => void compareWithActive()}
          data-testid="train-compare"
        >
          {run.comparing ? 'Comparing…' : `Compare with ${active ? active.label : 'the weights in use'}`}
        </button>
        <button
          type="button"
          className="button button-primary"
          onClick={() => void adoptTrained()}
          data-testid="train-adopt"
        >
          Use these weights
        </button>
        <button
          type="button"
          className="button"
          onClick={() => void exportGenerator(TRAINING_GENERATOR_ID)}
          data-testid="train-export"
        >
          Export
        </button>
      </div>
      {!lastVal && <p className="hint">No validation split was scored, so there is nothing to compare yet.</p>}
      {lastVal && (
        <table className="table compare-table" data-testid="train-compare-table">
          <caption className="sr-only">Validation scores of the trained weights and of the weights in use</caption>
          <thead>
            <tr>
              <th scope="col">Validation</th>
              <th scope="col" className="num">
                This run (epoch {lastVal.epoch + 1}, stage {lastVal.stage})
              </th>
              <th scope="col" className="num">
                {cmp
                  ? `${cmpLabel} (scored now, ${cmpSummary?.clips ?? 0} clips)`
                  : active
                    ? `${active.label}: press Compare`
                    : 'none loaded'}
              </th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <th scope="row">WA ↑</th>
              <Cell>{pct(lastVal.val!.wa)}</Cell>
              <Cell>{cmpSummary ? pct(cmpSummary.wa) : '—'}</Cell>
            </tr>
            <tr>
              <th scope="row">UA ↑</th>
              <Cell>{pct(lastVal.val!.ua)}</Cell>
              <Cell>{cmpSummary ? pct(cmpSummary.ua) : '—'}</Cell>
            </tr>
            <tr>
              <th scope="row">WER ↑</th>
              <Cell>{pct(lastVal.val!.wer)}</Cell>
              <Cell>{cmpSummary ? pct(cmpSummary.wer.rate) : '—'}</Cell>
            </tr>
            <tr>
              <th scope="row">CER ↑</th>
              <Cell>{pct(lastVal.val!.cer)}</Cell>
              <Cell>{cmpSummary ? pct(cmpSummary.cer.rate) : '—'}</Cell>
            </tr>
          </tbody>
        </table>
      )}
    </section>
  );
}

function ImportCard() {
  const [busy, setBusy] = useState(false);
  return (
    <section className="card" aria-labelledby="train-import-title">
      <h2 className="card-title" id="train-import-title">
        Import weights
      </h2>
      <p className="muted small">
        Load a generator exported from this app (the ZIP, or model.json with weights.bin). Protect uses it at once.
      </p>
      <label className="button file-button">
        {busy ? 'Importing…' : 'Choose files…'}
        <input
          type="file"
          multiple
          accept=".zip,.json,.bin"
          className="visually-hidden-input"
          data-testid="train-import"
          onChange={async (e) => {
            const files = Array.from(e.currentTarget.files ?? []);
            e.currentTarget.value = '';
            if (!files.length) return;
            setBusy(true);
            await importGenerator(files);
            setBusy(false);
          }}
        />
      </label>
      <InlineMessages prefixes={['models:']} />
    </section>
  );
}

function FineTuneCard() {
  const ft = useAppStore((s) => s.fineTune);
  const dataset = useAppStore(activeDataset);
  const models = useAppStore((s) => s.models);
  const [targets, setTargets] = useState<('ser' | 'asr')[]>(['ser']);
  const [epochs, setEpochs] = useState(2);
  const [lr, setLr] = useState(1e-4);
  const [limit, setLimit] = useState(64);
  const [split, setSplit] = useState('train');
  const running = ft.status === 'running';
  const splits = splitOptions(dataset).filter((o) => o.value !== 'test' && o.value !== 'test_speaker');
  const eta = etaSeconds(ft.samples);
  const r = ft.result;
  const row = (name: string, x: NonNullable<typeof r>['ser']) =>
    x && (
      <tr key={name}>
        <th scope="row">{name}</th>
        <td className="num">{x.clips}</td>
        <td className="num">
          {x.before ? (name === 'SER' ? `UA ${pct(x.before.ua ?? NaN)}` : `WER ${pct(x.before.wer ?? NaN)}`) : '—'}
        </td>
        <td className="num">
          {x.after ? (name === 'SER' ? `UA ${pct(x.after.ua ?? NaN)}` : `WER ${pct(x.after.wer ?? NaN)}`) : '—'}
        </td>
      </tr>
    );
  return (
    <section className="card" aria-labelledby="ft-title">
      <details>
        <summary className="card-title" id="ft-title">
          Fine-tune the evaluators (advanced)
        </summary>
        <p className="muted small">
          Adapts the frozen SER/ASR models to your data before evaluating or training. Never fine-tune on a test split.
        </p>
        <fieldset className="fieldset" disabled={running}>
          <legend className="field-label">Models</legend>
          <div className="checks">
            {(['ser', 'asr'] as const).map((t) => (
              <label key={t} className="check">
                <input
                  type="checkbox"
                  checked={targets.includes(t)}
                  onChange={(e) =>
                    setTargets((cur) => (e.currentTarget.checked ? [...cur, t] : cur.filter((x) => x !== t)))
                  }
                />
                {t === 'ser' ? 'Emotion (SER)' : 'Speech (ASR)'}
              </label>
            ))}
          </div>
          <div className="form-grid">
            <label className="field">
              <span className="field-label">Split</span>
              <select value={split} onChange={(e) => setSplit(e.currentTarget.value)}>
                {splits.map((o) => (
                  <option key={o.value} value={o.value}>
                    {o.label}
                  </option>
                ))}
              </select>
            </label>
            <NumberField label="At most (clips)" value={limit} min={4} onChange={(v) => setLimit(Math.round(v))} />
            <NumberField label="Epochs" value={epochs} min={1} onChange={(v) => setEpochs(Math.round(v))} />
            <NumberField label="Learning rate" value={lr} min={0} step="any" onChange={setLr} />
          </div>
        </fieldset>
        <div className="row">
          {running ? (
            <button type="button" className="button" onClick={cancelFineTune}>
              Cancel
            </button>
          ) : (
            <button
              type="button"
              className="button"
              disabled={
                !dataset || !targets.length || !models.report?.evaluators || !splits.some((o) => o.value === split)
              }
              onClick={() =>
                dataset &&
                void runFineTune({ datasetId: dataset.id, split, limit, seed: 0, targets, epochs, learningRate: lr })
              }
            >
              Fine-tune
            </button>
          )}
          {models.report?.evaluators && (
            <button type="button" className="button button-ghost" onClick={() => void exportEvaluators()}>
              Export evaluators
            </button>
          )}
        </div>
        {running && <ProgressBar label={ft.stage || 'Fine-tuning…'} fraction={ft.fraction} etaS={eta} showEta />}
        {ft.status === 'error' && (
          <p className="inline-error" role="alert">
            Fine-tuning failed: {ft.error}
          </p>
        )}
        {r && (
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Model</th>
                <th scope="col" className="num">
                  Clips
                </th>
                <th scope="col" className="num">
                  Before
                </th>
                <th scope="col" className="num">
                  After
                </th>
              </tr>
            </thead>
            <tbody>
              {row('SER', r.ser)}
              {row('ASR', r.asr)}
            </tbody>
          </table>
        )}
      </details>
    </section>
  );
}

export function TrainTab() {
  return (
    <div className="train-layout">
      <div className="side">
        <DatasetCard purpose="train" />
        <ConfigCard />
      </div>
      <div className="main-col">
        <RunCard />
        <FinishCard />
        <ImportCard />
        <FineTuneCard />
      </div>
    </div>
  );
}
