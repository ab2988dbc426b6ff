/**
 * What every tab asks of the engine: models and weights, datasets, and what is running (for the top bar), plus the
 * helpers the tabs' own jobs use (protect/jobs.ts, evaluate/jobs.ts, train/jobs.ts). Jobs are started there and
 * here (not in components) and report into the store, so they survive tab switches; each keeps its own
 * AbortController so Cancel stops exactly that job.
 */
import {
  TRAINING_GENERATOR_ID,
  type DatasetSource,
  type ExportedFile,
  type JobArgs,
  type JobName,
  type JobProgress,
  type JobResult,
  type ModelsReport,
} from '../../engine/api';
import { isAbortError } from '../../core/abort';
import { getEngine } from '../../engine/useEngine';
import { restoreGenerators } from '../persist';
import { keepOffline } from '../pwa/offline';
import type { ProgressSample } from '../format';
import { IDLE_JOB, useAppStore, type AppState, type JobTrack } from '../store';
import { saveBlob, stamp, unzipStore, zipStore } from '../view/export';

const get = () => useAppStore.getState();
const set = useAppStore.setState;

export function errorText(err: unknown): string {
  if (isAbortError(err)) return 'Cancelled.';
  const msg = err instanceof Error ? err.message : String(err);
  return msg || 'Unknown error';
}

export function run<K extends JobName>(
  name: K,
  args: JobArgs<K>,
  signal?: AbortSignal,
  onProgress?: (p: JobProgress) => void,
): Promise<JobResult<K>> {
  return getEngine().run(name, args, { signal, onProgress });
}

/** Appends a progress sample for the ETA, keeping the last few hundred. */
export function withSample(track: JobTrack, fraction: number | null): ProgressSample[] {
  if (fraction === null) return track.samples;
  const t = (performance.now() - track.startedAt) / 1000;
  const samples = [...track.samples, { t, fraction }];
  return samples.length > 300 ? samples.slice(-300) : samples;
}

export function startTrack(): JobTrack {
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
    if (d?.kind === 'model-load')
      set((s) => ({ models: { ...s.models, progress: { ...s.models.progress, [d.model]: d } } }));
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

/** True when the models, with the beam search's word LM, are loaded in this engine generation (or on their way). */
export function modelsReadyWithLm(): boolean {
  return get().models.status === 'ready' && !!modelsPromise && modelsLm;
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

export function setModels(report: ModelsReport) {
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
    const files = [
      ...ser.files.map((f) => ({ ...f, name: `ser/${f.name}` })),
      ...asr.files.map((f) => ({ ...f, name: `asr/${f.name}` })),
    ];
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
    setModels(
      await run('importGenerator', { modelJson: new TextDecoder().decode(json), weights, label: label || undefined }),
    );
    dismissCode('models:import');
    notify('info', `Imported generator weights “${label || 'model.json'}”; Protect now uses them.`, 'models:imported');
    return true;
  } catch (err) {
    notify('error', `Could not import the weights: ${errorText(err)}`, 'models:import');
    return false;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Datasets
// ---------------------------------------------------------------------------------------------------------------

export async function openDataset(
  source: DatasetSource,
  format: 'auto' | 'iemocap' | 'manifest' = 'auto',
  what = 'the dataset',
): Promise<boolean> {
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
// What is running, for the top bar
// ---------------------------------------------------------------------------------------------------------------

export interface Activity {
  label: string;
  fraction: number | null;
  tab: string;
}

export function currentActivity(s: AppState): Activity | null {
  if (s.training.status === 'running')
    return { label: s.training.stage || 'Training', fraction: s.training.fraction, tab: 'train' };
  if (s.evaluation.status === 'running')
    return { label: s.evaluation.stage || 'Evaluating', fraction: s.evaluation.fraction, tab: 'evaluate' };
  if (s.fineTune.status === 'running')
    return { label: s.fineTune.stage || 'Fine-tuning', fraction: s.fineTune.fraction, tab: 'train' };
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
    const fraction = known.length
      ? known.reduce((a, p) => a + p!.loadedBytes, 0) / known.reduce((a, p) => a + p!.totalBytes!, 0)
      : null;
    return { label: 'Loading models', fraction, tab: 'protect' };
  }
  return null;
}
