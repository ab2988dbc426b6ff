/**
 * Everything the UI asks of the engine: models, the protection queue, datasets, evaluation, training, weights.
 * Jobs are started here (not in components) and report into the store, so they survive tab switches; each keeps
 * its own AbortController so Cancel stops exactly that job.
 */
import { encodeWav } from '../core/audio';
import { BASELINE_IDS, BASELINES } from '../core/baselines';
import type { Emotion } from '../core/data';
import {
  SPECTRA_MAX_FRAMES,
  TRAINING_GENERATOR_ID,
  type DatasetSource,
  type EvalMethod,
  type EvaluateArgs,
  type ExportedFile,
  type FineTuneArgs,
  type JobArgs,
  type JobName,
  type JobProgress,
  type JobResult,
  type ModelsReport,
  type ProtectResult,
  type Span,
  type TrainArgs,
} from '../engine/api';
import { isAbortError } from '../core/abort';
import { getEngine } from '../engine/useEngine';
import { addClipFromFile } from './actions';
import { restoreGenerators } from './persist';
import { keepOffline } from './pwa/offline';
import type { ProgressSample } from './format';
import { IDLE_JOB, useAppStore, type AppState, type Clip, type JobTrack, type ProtectSettings, type SpanSelection } from './store';
import { protectedFileName, saveBlob, stamp, uniqueNames, unzipStore, zipStore } from './view/export';

const get = () => useAppStore.getState();
const set = useAppStore.setState;

export function errorText(err: unknown): string {
  if (isAbortError(err)) return 'Cancelled.';
  const msg = err instanceof Error ? err.message : String(err);
  return msg || 'Unknown error';
}

function run<K extends JobName>(name: K, args: JobArgs<K>, signal?: AbortSignal, onProgress?: (p: JobProgress) => void): Promise<JobResult<K>> {
  return getEngine().run(name, args, { signal, onProgress });
}

/** Appends a progress sample for the ETA, keeping the last few hundred. */
function withSample(track: JobTrack, fraction: number | null): ProgressSample[] {
  if (fraction === null) return track.samples;
  const t = (performance.now() - track.startedAt) / 1000;
  const samples = [...track.samples, { t, fraction }];
  return samples.length > 300 ? samples.slice(-300) : samples;
}

function startTrack(): JobTrack {
  return { ...IDLE_JOB, status: 'running', startedAt: performance.now(), stage: 'Starting…' };
}

// ---------------------------------------------------------------------------------------------------------------
// Models
// ---------------------------------------------------------------------------------------------------------------

let modelsPromise: Promise<ModelsReport | null> | null = null;
/** The user has needed the models once: a restarted engine loads them again without being asked. */
let modelsWanted = false;
/** Whether the models asked for include the beam search's word LM (training alone does not need it). */
let modelsLm = false;

/**
 * Loads the shipped models once per engine generation (a restarted worker starts empty). Not called at start-up:
 * the first Protect, evaluation or training run (or "Load now") asks for them, so a first visit downloads only
 * the page and the engine until the user acts.
 */
export function loadModels(reload = false, opts: { languageModel?: boolean } = {}): Promise<ModelsReport | null> {
  const wantLm = opts.languageModel !== false;
  if (modelsPromise && !reload && (modelsLm || !wantLm)) return modelsPromise;
  modelsWanted = true;
  // Loaded without the LM and now a beam decode needs it: the worker adds it to the evaluators it holds.
  modelsLm = wantLm || (modelsLm && !reload);
  const generation = get().engine?.generation ?? 0;
  set((s) => ({ models: { ...s.models, status: 'loading', progress: {}, error: null, generation } }));
  const p = run('loadModels', { reload, languageModel: modelsLm }, undefined, (pr) => {
    const d = pr.detail;
    if (d?.kind === 'model-load') set((s) => ({ models: { ...s.models, progress: { ...s.models.progress, [d.model]: d } } }));
  }).then(
    (report) => {
      set((s) => ({ models: { ...s.models, status: 'ready', report } }));
      keepOffline(report.files ?? []);
      return report;
    },
    (err: unknown) => {
      set((s) => ({ models: { ...s.models, status: 'error', error: errorText(err) } }));
      modelsPromise = null;
      return null;
    },
  );
  modelsPromise = p;
  return p;
}

/** Called when the engine (re)starts: models, generators and the training session lived in the old worker. */
export function onEngineGeneration(generation: number): void {
  const s = get();
  if (s.models.generation === generation && modelsPromise) return;
  // Generators stored in this browser come back into the new worker; only unsaved ones are lost.
  const unsaved = s.storage.unsavedGenerators;
  const lost = s.models.report?.generators.filter((g) => g.origin !== 'shipped' && g.id in unsaved) ?? [];
  void restoreGenerators();
  if (s.models.generation && lost.length) {
    s.notify(
      'warning',
      `The engine restarted, so the generator weights made in this session (${lost.map((g) => g.label).join(', ')}) are gone. Import an exported copy to use them again.`,
      'engine:weights-lost',
    );
  }
  if (s.training.session) set((st) => ({ training: { ...st.training, session: null } }));
  modelsPromise = null;
  if (modelsWanted) void loadModels(false, { languageModel: modelsLm });
  else set((st) => ({ models: { ...st.models, generation } }));
}

function setModels(report: ModelsReport) {
  set((s) => ({ models: { ...s.models, status: 'ready', report } }));
}

export async function selectGenerator(id: string): Promise<void> {
  try {
    setModels(await run('useGenerator', { id }));
  } catch (err) {
    get().notify('error', `Could not switch generator: ${errorText(err)}`, 'models:use');
  }
}

function zipOrSingle(files: ExportedFile[], zipName: string) {
  const zip = zipStore(files.map((f) => ({ name: f.name, data: new Uint8Array(f.data) })));
  saveBlob(zip as BlobPart, zipName, 'application/zip');
}

export async function exportGenerator(id: string): Promise<void> {
  try {
    const { files } = await run('exportGenerator', { id });
    zipOrSingle(files, `aclipse-generator-${id === TRAINING_GENERATOR_ID ? 'trained' : id}-${stamp()}.zip`);
    if (id === TRAINING_GENERATOR_ID) set((s) => ({ training: { ...s.training, kept: true } }));
  } catch (err) {
    get().notify('error', `Could not export the weights: ${errorText(err)}`, 'models:export');
  }
}

export async function exportEvaluators(): Promise<void> {
  try {
    const { ser, asr } = await run('exportEvaluators', {});
    const files = [...ser.files.map((f) => ({ ...f, name: `ser/${f.name}` })), ...asr.files.map((f) => ({ ...f, name: `asr/${f.name}` }))];
    zipOrSingle(files, `aclipse-evaluators-${stamp()}.zip`);
  } catch (err) {
    get().notify('error', `Could not export the evaluators: ${errorText(err)}`, 'models:export');
  }
}

/** Imports generator weights: model.json + weights.bin, or the ZIP this app exports. */
export async function importGenerator(files: File[]): Promise<boolean> {
  const { notify, dismissCode } = get();
  try {
    let json: Uint8Array | null = null;
    let bin: Uint8Array | null = null;
    let label = '';
    for (const f of files) {
      const bytes = new Uint8Array(await f.arrayBuffer());
      if (/\.zip$/i.test(f.name)) {
        for (const e of unzipStore(bytes)) {
          if (/\.json$/i.test(e.name)) json = e.data;
          else if (/\.bin$/i.test(e.name)) bin = e.data;
        }
        label ||= f.name.replace(/\.zip$/i, '');
      } else if (/\.json$/i.test(f.name)) {
        json = bytes;
        label ||= f.name.replace(/\.json$/i, '');
      } else if (/\.bin$/i.test(f.name)) bin = bytes;
    }
    if (!json || !bin) {
      notify('error', 'Pick the exported ZIP, or both model.json and weights.bin of a generator.', 'models:import');
      return false;
    }
    const weights = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer;
    setModels(await run('importGenerator', { modelJson: new TextDecoder().decode(json), weights, label: label || undefined }));
    dismissCode('models:import');
    notify('info', `Imported generator weights “${label || 'model.json'}”; Protect now uses them.`, 'models:imported');
    return true;
  } catch (err) {
    notify('error', `Could not import the weights: ${errorText(err)}`, 'models:import');
    return false;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Protection queue (one clip at a time; the worker runs one job at a time anyway)
// ---------------------------------------------------------------------------------------------------------------

const queue: string[] = [];
let current: { clipId: string; controller: AbortController } | null = null;

/** Display resolution for the Spectra tab. */
const SPECTRA = { maxFrames: SPECTRA_MAX_FRAMES } as const;

export function protectClips(ids: readonly string[], settings: ProtectSettings = get().settings): void {
  const s = get();
  for (const id of ids) {
    if (!s.clips.some((c) => c.id === id)) continue;
    if (queue.includes(id) || current?.clipId === id) continue;
    const spans = activeSpans(s.spanSelections[id]);
    s.patchProtection(id, { status: 'queued', settings: { ...settings, ...(spans ? { spans } : {}) }, stage: 'Waiting…', fraction: null, error: null });
    queue.push(id);
  }
  void pump();
}

async function pump(): Promise<void> {
  if (current) return;
  while (queue.length) {
    const clipId = queue.shift()!;
    const clip = get().clips.find((c) => c.id === clipId);
    const job = get().protections[clipId];
    if (!clip || !job || job.status !== 'queued') continue;
    const controller = new AbortController();
    current = { clipId, controller };
    const { patchProtection } = get();
    patchProtection(clipId, { status: 'running', stage: 'Starting…', fraction: null });
    try {
      // The analysis decodes with the beam search, so the LM comes too (on the first protect only).
      if (get().models.status !== 'ready' || !modelsPromise || !modelsLm) patchProtection(clipId, { stage: 'Loading the models…' });
      await loadModels();
      const { method, budgetDb, params, spans } = job.settings;
      const result = await run(
        'protect',
        { wave: clip.samples, method, budgetDb, params, spectra: SPECTRA, analyze: true, ...(spans ? { spans } : {}) },
        controller.signal,
        (p) => patchProtection(clipId, { stage: p.stage, fraction: p.fraction }),
      );
      if (get().clips.some((c) => c.id === clipId)) patchProtection(clipId, { status: 'done', result, stage: '', fraction: 1, error: null });
    } catch (err) {
      if (!get().clips.some((c) => c.id === clipId)) continue; // removed while it ran
      if (isAbortError(err)) patchProtection(clipId, { status: 'cancelled', stage: '', fraction: null });
      else patchProtection(clipId, { status: 'error', error: errorText(err), stage: '', fraction: null });
    } finally {
      current = null;
    }
  }
}

/** Removes a clip; if it is being protected or waiting, that job goes too. */
export function removeClip(id: string): void {
  const i = queue.indexOf(id);
  if (i >= 0) queue.splice(i, 1);
  if (current?.clipId === id) current.controller.abort();
  get().removeClip(id);
}

/** Stops the running protection and empties the queue; finished results stay. */
export function cancelProtection(): void {
  const { patchProtection, protections } = get();
  for (const id of queue.splice(0)) if (protections[id]?.status === 'queued') patchProtection(id, { status: 'cancelled', stage: '' });
  current?.controller.abort();
}

/** The spans a clip's next protection uses, or undefined for the whole clip. */
export function activeSpans(sel: SpanSelection | undefined): Span[] | undefined {
  return sel?.enabled && sel.spans.length ? sel.spans.map((s) => ({ ...s })) : undefined;
}

/**
 * Reads the words of a clip and when each was said (the recognizer's CTC alignment), so they can be picked. Runs
 * the evaluators only; the clip is not changed.
 */
export async function findWords(clipId: string): Promise<void> {
  const clip = get().clips.find((c) => c.id === clipId);
  if (!clip) return;
  get().setBusy('Reading the words…');
  try {
    await loadModels();
    const a = await run('analyze', { wave: clip.samples });
    get().patchSpans(clipId, { words: { words: a.words ?? [], domain: a.domain } });
  } catch (err) {
    if (!isAbortError(err)) get().notify('error', `Could not read the words: ${errorText(err)}`, 'spans:words');
  } finally {
    get().setBusy(null);
  }
}

/** "Aclipse · 10 dB", "McAdams · 12 dB": which method and budget produced a protected clip. */
export function resultTag(result: Pick<ProtectResult, 'method' | 'budgetDb'>): string {
  const method = result.method === 'aclipse' ? 'Aclipse' : (BASELINES.find((b) => b.id === result.method)?.label ?? result.method);
  return `${method} · ${formatBudget(result.budgetDb)} dB`;
}

function formatBudget(db: number): string {
  return String(Math.round(db * 10) / 10);
}

/** File name of a protected clip: its name, the method and the budget ("take 1-aclipse-10dB.wav"). */
export function protectedName(clip: Pick<Clip, 'name'>, result: Pick<ProtectResult, 'method' | 'budgetDb' | 'spans'>): string {
  return protectedFileName(clip.name, `${result.method}-${formatBudget(result.budgetDb)}dB${result.spans?.length ? '-spans' : ''}`);
}

export function downloadProtected(clipId: string): void {
  const s = get();
  const clip = s.clips.find((c) => c.id === clipId);
  const result = s.protections[clipId]?.result;
  if (!clip || !result) return;
  saveBlob(encodeWav(result.wave, clip.sampleRate) as BlobPart, protectedName(clip, result), 'audio/wav');
}

/** The distinct method + budget combinations among finished protections, with how many clips each. */
export function protectedMix(s: Pick<AppState, 'clips' | 'protections'>): { tag: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const c of s.clips) {
    const r = s.protections[c.id]?.status === 'done' ? s.protections[c.id]?.result : null;
    if (r) counts.set(resultTag(r), (counts.get(resultTag(r)) ?? 0) + 1);
  }
  return [...counts].map(([tag, count]) => ({ tag, count }));
}

/** All finished protections: one WAV when there is one, else a ZIP of WAVs named with their method and budget. */
export function downloadAllProtected(): void {
  const s = get();
  const done = s.clips.filter((c) => s.protections[c.id]?.status === 'done' && s.protections[c.id]?.result);
  if (done.length === 0) return;
  if (done.length === 1) return downloadProtected(done[0]!.id);
  const mix = protectedMix(s);
  if (mix.length > 1) {
    s.notify(
      'warning',
      `The download mixes ${mix.map((m) => `${m.count} × ${m.tag}`).join(', ')}; each file name says which method and budget made it.`,
      'protect:mixed',
    );
  }
  const names = uniqueNames(done.map((c) => protectedName(c, s.protections[c.id]!.result!)));
  const zip = zipStore(done.map((c, i) => ({ name: names[i]!, data: encodeWav(s.protections[c.id]!.result!.wave, c.sampleRate) })));
  saveBlob(zip as BlobPart, `aclipse-protected-${done.length}-clips${mix.length > 1 ? '-mixed' : ''}-${stamp()}.zip`, 'application/zip');
}

// ---------------------------------------------------------------------------------------------------------------
// Demo clips (served from our own origin, decoded like any file)
// ---------------------------------------------------------------------------------------------------------------

export interface DemoClip {
  id: string;
  path: string;
  text: string;
  emotion: Emotion;
  duration: number;
  split?: string;
}

let demoList: Promise<DemoClip[]> | null = null;

export function demoClips(): Promise<DemoClip[]> {
  demoList ??= fetch(`${import.meta.env.BASE_URL}demo/manifest.jsonl`)
    .then((r) => {
      if (!r.ok) throw new Error(`the demo list is missing (HTTP ${r.status})`);
      return r.text();
    })
    .then((text) =>
      text
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as DemoClip)
        // The picker offers held-out clips only; the train/val ones are there for the Train tab.
        .filter((d) => !d.split || d.split === 'test'),
    );
  demoList.catch(() => (demoList = null));
  return demoList;
}

export async function loadDemoClip(demo: DemoClip): Promise<boolean> {
  const { notify, setBusy } = get();
  try {
    setBusy(`Loading demo clip “${demo.id}”…`);
    const url = `${import.meta.env.BASE_URL}demo/${demo.path}`;
    const res = await fetch(url);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    keepOffline([`${import.meta.env.BASE_URL}demo/manifest.jsonl`, url]);
    const file = new File([await res.blob()], `${demo.id}.wav`, { type: 'audio/wav' });
    return await addClipFromFile(file, 'demo', `${demo.id}.wav`, {
      label: { text: demo.text, emotion: demo.emotion },
      detail: `Demo set · acted ${demo.emotion}`,
    });
  } catch (err) {
    notify('error', `Could not load the demo clip: ${errorText(err)}`, 'input:demo');
    return false;
  } finally {
    get().setBusy(null);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Datasets
// ---------------------------------------------------------------------------------------------------------------

export async function openDataset(source: DatasetSource, format: 'auto' | 'iemocap' | 'manifest' = 'auto', what = 'the dataset'): Promise<boolean> {
  const { notify, dismissCode } = get();
  set({ datasetBusy: `Reading ${what}…` });
  try {
    const info = await run('openDataset', { source, format });
    set((s) => ({ datasets: [...s.datasets.filter((d) => d.id !== info.id), info], activeDatasetId: info.id }));
    dismissCode('dataset:open');
    return true;
  } catch (err) {
    notify('error', `Could not open ${what}: ${errorText(err)}`, 'dataset:open');
    return false;
  } finally {
    set({ datasetBusy: null });
  }
}

export function selectDataset(id: string): void {
  set({ activeDatasetId: id });
}

// ---------------------------------------------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------------------------------------------

let evalController: AbortController | null = null;

export async function runEvaluation(args: EvaluateArgs): Promise<void> {
  evalController?.abort();
  const controller = new AbortController();
  evalController = controller;
  // The previous results stay on screen until the new run finishes (a cancelled run does not cost them).
  set((s) => ({ evaluation: { ...startTrack(), args, rows: [], done: 0, total: 0, result: s.evaluation.result } }));
  await loadModels();
  // Rows arrive one per clip and method; batch them so a fast run does not re-render per row.
  let pending: JobResult<'evaluate'>['rows'] = [];
  let flushTimer: ReturnType<typeof setTimeout> | null = null;
  const flush = () => {
    flushTimer = null;
    if (!pending.length || evalController !== controller) return;
    const add = pending;
    pending = [];
    set((s) => ({ evaluation: { ...s.evaluation, rows: [...s.evaluation.rows, ...add] } }));
  };
  try {
    const result = await run('evaluate', args, controller.signal, (p) => {
      if (evalController !== controller) return;
      const d = p.detail;
      if (d?.kind === 'evaluate-row') {
        pending.push(d.row);
        flushTimer ??= setTimeout(flush, 200);
      }
      set((s) => ({
        evaluation: {
          ...s.evaluation,
          stage: p.stage,
          fraction: p.fraction,
          samples: withSample(s.evaluation, p.fraction),
          ...(d?.kind === 'evaluate-row' ? { done: d.done, total: d.total } : {}),
        },
      }));
    });
    if (evalController !== controller) return;
    set((s) => ({ evaluation: { ...s.evaluation, status: 'done', result, rows: result.rows, fraction: 1, stage: '' } }));
  } catch (err) {
    if (evalController !== controller) return;
    flush();
    const cancelled = isAbortError(err);
    set((s) => ({ evaluation: { ...s.evaluation, status: cancelled ? 'cancelled' : 'error', error: cancelled ? null : errorText(err), stage: '' } }));
  } finally {
    if (flushTimer) clearTimeout(flushTimer);
  }
}

export function cancelEvaluation(): void {
  evalController?.abort();
}

export const ALL_METHODS: EvalMethod[] = ['original', 'aclipse', ...BASELINE_IDS];

// ---------------------------------------------------------------------------------------------------------------
// Training
// ---------------------------------------------------------------------------------------------------------------

let trainController: AbortController | null = null;
const MAX_STEP_POINTS = 2000;

/**
 * Progress over all requested stages (the worker's fraction restarts with each stage), from a step report:
 * epochs before this one, plus the share of this epoch done.
 */
export function overallTrainFraction(step: { stage: 1 | 2; epoch: number; step: number; steps: number }, args: Pick<TrainArgs, 'config' | 'stages'>): number | null {
  const e1 = args.stages.includes(1) ? args.config.stage1.epochs : 0;
  const e2 = args.stages.includes(2) ? args.config.stage2.epochs : 0;
  const total = e1 + e2;
  if (total <= 0) return null;
  const before = step.stage === 2 ? e1 : 0;
  return Math.min(1, Math.max(0, (before + step.epoch + (step.step + 1) / Math.max(1, step.steps)) / total));
}

export async function runTraining(args: TrainArgs): Promise<void> {
  trainController?.abort();
  const controller = new AbortController();
  trainController = controller;
  const prev = get().training;
  const keepHistory = !!args.resume && !!prev.session;
  set({
    training: {
      ...prev,
      ...startTrack(),
      args,
      lastStep: null,
      steps: keepHistory ? prev.steps : [],
      epochs: keepHistory ? prev.session!.epochs : [],
      comparison: null,
      comparing: false,
      session: keepHistory ? prev.session : null,
      kept: false,
    },
  });
  let stepIndex = keepHistory ? (prev.steps.at(-1)?.index ?? 0) : 0;
  await loadModels(false, { languageModel: false }); // the trainer decodes greedily
  try {
    const result = await run('train', args, controller.signal, (p) => {
      if (trainController !== controller) return;
      const d = p.detail;
      set((s) => {
        const t = s.training;
        let steps = t.steps;
        let epochs = t.epochs;
        let lastStep = t.lastStep;
        let fraction = t.fraction;
        if (d?.kind === 'train-step') {
          fraction = overallTrainFraction(d, args);
          lastStep = d;
          stepIndex++;
          steps = [...steps, { index: stepIndex, stage: d.stage, ce: d.losses.ce, ctc: d.losses.ctc }];
          // Keep the curve light: drop every other old point once it gets long.
          if (steps.length > MAX_STEP_POINTS) steps = steps.filter((_, i) => i % 2 === 0 || i > steps.length - 200);
        } else if (d?.kind === 'train-epoch') {
          epochs = [...epochs.filter((e) => !(e.stage === d.report.stage && e.epoch === d.report.epoch)), d.report];
          fraction = overallTrainFraction({ stage: d.report.stage, epoch: d.report.epoch, step: 0, steps: 1 }, args);
        }
        const moved = fraction !== t.fraction;
        return { training: { ...t, stage: p.stage, fraction, samples: moved ? withSample(t, fraction) : t.samples, steps, epochs, lastStep } };
      });
    });
    if (trainController !== controller) return;
    set((s) => ({ training: { ...s.training, status: 'done', session: result.state, epochs: result.state.epochs, fraction: 1, stage: '' } }));
  } catch (err) {
    if (trainController !== controller) return;
    const cancelled = isAbortError(err);
    set((s) => ({ training: { ...s.training, status: cancelled ? 'cancelled' : 'error', error: cancelled ? null : errorText(err), stage: '' } }));
    // The worker keeps the session after a cancel; it stops after the step it is in and rolls back to the last
    // finished epoch: wait until it has, then offer Resume from where it really is.
    set((s) => ({ training: { ...s.training, stopping: true } }));
    try {
      for (let i = 0; i < 600; i++) {
        const session = await run('trainingState', {});
        if (trainController !== controller) return;
        set((s) => ({ training: { ...s.training, session, epochs: session?.epochs ?? s.training.epochs } }));
        if (!session?.running) break;
        await new Promise((r) => setTimeout(r, 400));
      }
    } catch {
      // no session to resume; the Resume button stays hidden
    } finally {
      if (trainController === controller) set((s) => ({ training: { ...s.training, stopping: false } }));
    }
  }
}

export function cancelTraining(): void {
  trainController?.abort();
}

export async function discardTraining(): Promise<void> {
  try {
    await run('discardTraining', {});
  } catch (err) {
    get().notify('error', `Could not discard the training session: ${errorText(err)}`, 'train:discard');
  }
  set((s) => ({ training: { ...s.training, ...IDLE_JOB, session: null, epochs: [], steps: [], lastStep: null, comparison: null, kept: false } }));
}

export async function adoptTrained(label?: string): Promise<void> {
  try {
    const report = await run('adoptTrainedGenerator', { label });
    setModels(report);
    set((s) => ({ training: { ...s.training, kept: true } }));
    const active = report.generators.find((g) => g.id === report.activeGenerator);
    get().notify('info', `Protect now uses the weights you trained (${active?.label ?? report.activeGenerator}).`, 'train:adopted');
  } catch (err) {
    get().notify('error', `Could not use the trained weights: ${errorText(err)}`, 'train:adopt');
  }
}

/**
 * Compares the trained generator's last validation scores with the generator in use (normally the shipped one),
 * scored now on the same validation split, with the same clip limit and budget.
 */
export async function compareWithActive(): Promise<void> {
  const s = get();
  const session = s.training.session;
  const generatorId = s.models.report?.activeGenerator ?? null;
  if (!session || !generatorId) return;
  const args = s.training.args;
  set((st) => ({ training: { ...st.training, comparing: true, comparison: null } }));
  await loadModels();
  try {
    const result = await run('evaluate', {
      datasetId: session.datasetId,
      split: args?.valSplit ?? 'val',
      limit: args?.valLimit ?? 32,
      seed: session.config.seed,
      methods: ['aclipse'],
      budgetDb: session.config.budgetDb,
    });
    set((st) => ({ training: { ...st.training, comparison: { generatorId, result }, comparing: false } }));
  } catch (err) {
    set((st) => ({ training: { ...st.training, comparing: false } }));
    get().notify('error', `The comparison failed: ${errorText(err)}`, 'train:compare');
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Fine-tuning the evaluators
// ---------------------------------------------------------------------------------------------------------------

let fineTuneController: AbortController | null = null;

export async function runFineTune(args: FineTuneArgs): Promise<void> {
  fineTuneController?.abort();
  const controller = new AbortController();
  fineTuneController = controller;
  set({ fineTune: { ...startTrack(), result: null } });
  await loadModels(false, { languageModel: false }); // fine-tuning decodes greedily
  try {
    const result = await run('fineTuneEvaluators', args, controller.signal, (p) => {
      if (fineTuneController !== controller) return;
      set((s) => ({ fineTune: { ...s.fineTune, stage: p.stage, fraction: p.fraction, samples: withSample(s.fineTune, p.fraction) } }));
    });
    if (fineTuneController !== controller) return;
    setModels(result.models);
    set((s) => ({ fineTune: { ...s.fineTune, status: 'done', result, fraction: 1, stage: '' } }));
  } catch (err) {
    if (fineTuneController !== controller) return;
    const cancelled = isAbortError(err);
    set((s) => ({ fineTune: { ...s.fineTune, status: cancelled ? 'cancelled' : 'error', error: cancelled ? null : errorText(err), stage: '' } }));
  }
}

export function cancelFineTune(): void {
  fineTuneController?.abort();
}

// ---------------------------------------------------------------------------------------------------------------
// What is running, for the top bar
// ---------------------------------------------------------------------------------------------------------------

export interface Activity {
  label: string;
  fraction: number | null;
  tab: string;
}

export function currentActivity(s: AppState): Activity | null {
  if (s.training.status === 'running') return { label: s.training.stage || 'Training', fraction: s.training.fraction, tab: 'train' };
  if (s.evaluation.status === 'running') return { label: s.evaluation.stage || 'Evaluating', fraction: s.evaluation.fraction, tab: 'evaluate' };
  if (s.fineTune.status === 'running') return { label: s.fineTune.stage || 'Fine-tuning', fraction: s.fineTune.fraction, tab: 'train' };
  const running = Object.entries(s.protections).find(([, p]) => p.status === 'running');
  if (running) {
    const clip = s.clips.find((c) => c.id === running[0]);
    const queued = Object.values(s.protections).filter((p) => p.status === 'queued').length;
    return {
      label: `Protecting ${clip?.name ?? 'clip'}${queued ? ` (+${queued} queued)` : ''}`,
      fraction: running[1].fraction,
      tab: 'protect',
    };
  }
  if (s.models.status === 'loading') {
    const parts = Object.values(s.models.progress);
    const known = parts.filter((p) => p && p.totalBytes);
    const fraction = known.length ? known.reduce((a, p) => a + p!.loadedBytes, 0) / known.reduce((a, p) => a + p!.totalBytes!, 0) : null;
    return { label: 'Loading models', fraction, tab: 'protect' };
  }
  return null;
}
