/**
 * App state (zustand): the clip library and what was done to each clip, the models, datasets, evaluation and
 * training runs, user-facing messages, the active tab and a mirror of the engine's status.
 * Clips are 16 kHz mono Float32 and only ever added or removed explicitly, so a failed load never costs a clip.
 * Jobs live here, not in components, so switching tabs never stops or forgets a running job.
 */
import { create } from 'zustand';
import { SAMPLE_RATE } from '../core/audio';
import type { Emotion } from '../core/data';
import type {
  BaselineParams,
  DatasetInfo,
  EvaluateArgs,
  EvaluateResult,
  EvaluationRow,
  FineTuneResult,
  GeneratorInfo,
  ModelLoadProgress,
  ModelsReport,
  ProtectMethod,
  ProtectResult,
  Span,
  TimedWord,
  TrainArgs,
  TrainEpochReport,
  TrainingState,
  TrainStepReport,
} from '../engine/api';
import type { DomainVerdict } from '../engine/api';
import type { EngineState } from '../engine/bridge';
import type { ProgressSample } from './format';

export type ClipSource = 'file' | 'microphone' | 'derived' | 'demo';

export interface Clip {
  id: string;
  name: string;
  /** 16 kHz mono, [-1, 1]. Treat as immutable: derived clips get new arrays. */
  samples: Float32Array;
  sampleRate: number;
  duration: number;
  source: ClipSource;
  /** e.g. the original format and rate: "MP3, 44.1 kHz stereo". */
  detail: string;
  createdAt: number;
  /** What a labelled source (the demo set) says about the clip. */
  label?: { text: string | null; emotion: Emotion | null };
}

export type MessageLevel = 'error' | 'warning' | 'info';

export interface AppMessage {
  id: number;
  level: MessageLevel;
  text: string;
  /** Stable machine-readable cause (e.g. 'too-short', 'mic-denied'), used by tests and for de-duplication. */
  code: string;
}

export interface ProtectSettings {
  method: ProtectMethod;
  budgetDb: number;
  params: BaselineParams;
  /** The parts protected (seconds), copied from the clip's span selection when a job is queued; absent = all. */
  spans?: Span[];
}

/** What the user marked to hide in one clip, kept with the clip. */
export interface SpanSelection {
  /** True: Protect hides only `spans`; false: the whole clip. */
  enabled: boolean;
  /** Sorted, non-overlapping, in seconds. */
  spans: Span[];
  /** The recognizer's timed words of the original, to pick words by; null until read. */
  words: { words: TimedWord[]; domain: DomainVerdict | null } | null;
}

export const EMPTY_SELECTION: SpanSelection = { enabled: false, spans: [], words: null };

export type RunStatus = 'idle' | 'queued' | 'running' | 'done' | 'error' | 'cancelled';

export interface Protection {
  status: RunStatus;
  settings: ProtectSettings;
  stage: string;
  fraction: number | null;
  result: ProtectResult | null;
  error: string | null;
}

export interface ModelsState {
  status: 'idle' | 'loading' | 'ready' | 'error';
  report: ModelsReport | null;
  progress: Partial<Record<ModelLoadProgress['model'], ModelLoadProgress>>;
  error: string | null;
  /** Engine generation the report belongs to (a restarted worker has lost its models). */
  generation: number;
}

/** Shared shape of a long job's progress (evaluation, training, fine-tuning). */
export interface JobTrack {
  status: RunStatus;
  stage: string;
  fraction: number | null;
  startedAt: number;
  /** Recent progress samples for the ETA. */
  samples: ProgressSample[];
  error: string | null;
}

export const IDLE_JOB: JobTrack = { status: 'idle', stage: '', fraction: null, startedAt: 0, samples: [], error: null };

export interface EvaluationState extends JobTrack {
  args: EvaluateArgs | null;
  rows: EvaluationRow[];
  done: number;
  total: number;
  result: EvaluateResult | null;
}

export interface TrainingRun extends JobTrack {
  args: TrainArgs | null;
  lastStep: TrainStepReport | null;
  /** Per-step losses of this session (thinned when long), for the live loss curve. */
  steps: { index: number; stage: 1 | 2; ce: number; ctc: number; cue?: number }[];
  epochs: TrainEpochReport[];
  session: TrainingState | null;
  /** The comparison with the generator in use, measured on the validation split after training. */
  comparison: { generatorId: string; result: EvaluateResult } | null;
  comparing: boolean;
  /** After a cancel, until the worker has finished the step it was in. */
  stopping: boolean;
  /** The session's weights are kept somewhere (adopted, so stored with the generators, or exported to a file). */
  kept: boolean;
}

export interface FineTuneRun extends JobTrack {
  result: FineTuneResult | null;
}

/**
 * Where the user's data lives. 'persistent': written to IndexedDB as it changes and restored on reload;
 * 'memory': storage is unavailable or full, so it lasts only as long as this tab; 'starting': not decided yet.
 */
export interface StorageState {
  mode: 'starting' | 'persistent' | 'memory';
  /** Writes started and not yet finished (leaving now would lose them). */
  pending: number;
  /** Why storage fell back to memory, for the notice; null otherwise. */
  problem: string | null;
  /** Generators made in this session whose bytes are not stored yet (worker id → label). */
  unsavedGenerators: Record<string, string>;
}

export interface AppState {
  clips: Clip[];
  selectedClipId: string | null;
  activeTab: string;
  messages: AppMessage[];
  /** What the UI is busy with (decoding, recording), for status text; null when idle. */
  busy: string | null;
  engine: EngineState | null;

  settings: ProtectSettings;
  protections: Record<string, Protection>;
  /** Clip ids waiting to be protected, first in line first (the running one is no longer in it). */
  protectQueue: string[];
  /** Per clip id. */
  spanSelections: Record<string, SpanSelection>;
  models: ModelsState;
  datasets: DatasetInfo[];
  activeDatasetId: string | null;
  datasetBusy: string | null;
  evaluation: EvaluationState;
  training: TrainingRun;
  fineTune: FineTuneRun;
  storage: StorageState;

  addClip(clip: Omit<Clip, 'id' | 'createdAt' | 'sampleRate' | 'duration'>): Clip;
  removeClip(id: string): void;
  selectClip(id: string): void;
  setTab(id: string): void;
  notify(level: MessageLevel, text: string, code?: string): number;
  dismiss(id: number): void;
  dismissCode(code: string): void;
  setBusy(busy: string | null): void;
  setSettings(patch: Partial<ProtectSettings>): void;
  patchProtection(clipId: string, patch: Partial<Protection>): void;
  patchSpans(clipId: string, patch: Partial<SpanSelection>): void;
}

let nextMessageId = 1;
let nextClipId = 1;

/**
 * Clip ids outlive the page (they key the stored clips), so a new id must not collide with a restored one:
 * a per-page random prefix keeps ids unique across reloads without reading storage first.
 */
const pagePrefix = Math.random().toString(36).slice(2, 8);
function newClipId(): string {
  return `clip-${pagePrefix}-${nextClipId++}`;
}

/** The generator Protect uses now (the report's active one), if any. */
export function activeGeneratorOf(report: ModelsReport | null | undefined): GeneratorInfo | undefined {
  return report?.generators.find((g) => g.id === report.activeGenerator);
}

export const DEFAULT_SETTINGS: ProtectSettings = { method: 'aclipse', budgetDb: 10, params: {} };

/** At most this many messages are shown at once. */
export const MAX_MESSAGES = 4;
/** Non-fatal messages go away on their own; errors stay until dismissed or their cause is fixed. */
export const MESSAGE_TTL_MS: Record<MessageLevel, number | null> = { info: 8_000, warning: 20_000, error: null };

export const useAppStore = create<AppState>()((set, get) => ({
  clips: [],
  selectedClipId: null,
  activeTab: 'protect',
  messages: [],
  busy: null,
  engine: null,

  settings: DEFAULT_SETTINGS,
  protections: {},
  protectQueue: [],
  spanSelections: {},
  models: { status: 'idle', report: null, progress: {}, error: null, generation: 0 },
  datasets: [],
  activeDatasetId: null,
  datasetBusy: null,
  evaluation: { ...IDLE_JOB, args: null, rows: [], done: 0, total: 0, result: null },
  training: {
    ...IDLE_JOB,
    args: null,
    lastStep: null,
    steps: [],
    epochs: [],
    session: null,
    comparison: null,
    comparing: false,
    stopping: false,
    kept: false,
  },
  fineTune: { ...IDLE_JOB, result: null },
  storage: { mode: 'starting', pending: 0, problem: null, unsavedGenerators: {} },

  addClip(partial) {
    const clip: Clip = {
      ...partial,
      id: newClipId(),
      sampleRate: SAMPLE_RATE,
      duration: partial.samples.length / SAMPLE_RATE,
      createdAt: Date.now(),
    };
    set((s) => ({ clips: [...s.clips, clip], selectedClipId: clip.id }));
    return clip;
  },

  removeClip(id) {
    set((s) => {
      const index = s.clips.findIndex((c) => c.id === id);
      const clips = s.clips.filter((c) => c.id !== id);
      const selectedClipId =
        s.selectedClipId === id ? (clips[Math.min(index, clips.length - 1)]?.id ?? null) : s.selectedClipId;
      const protections = { ...s.protections };
      delete protections[id];
      const spanSelections = { ...s.spanSelections };
      delete spanSelections[id];
      return {
        clips,
        selectedClipId,
        protections,
        spanSelections,
        protectQueue: s.protectQueue.filter((q) => q !== id),
      };
    });
  },

  selectClip(id) {
    set({ selectedClipId: id });
  },

  setTab(id) {
    set({ activeTab: id });
  },

  notify(level, text, code = 'general') {
    const id = nextMessageId++;
    set((s) => {
      // One message per cause (and per text for uncoded ones): a repeat replaces the old one instead of stacking.
      const others = s.messages.filter((m) =>
        code === 'general' ? !(m.code === 'general' && m.text === text) : m.code !== code,
      );
      let messages = [...others, { id, level, text, code }];
      // A bounded stack: the oldest non-errors go first, then the oldest errors.
      while (messages.length > MAX_MESSAGES) {
        const drop = messages.find((m) => m.level !== 'error') ?? messages[0]!;
        messages = messages.filter((m) => m !== drop);
      }
      return { messages };
    });
    const ttl = MESSAGE_TTL_MS[level];
    if (ttl !== null) setTimeout(() => get().dismiss(id), ttl);
    return id;
  },

  dismiss(id) {
    set((s) => ({ messages: s.messages.filter((m) => m.id !== id) }));
  },

  dismissCode(code) {
    set((s) => ({ messages: s.messages.filter((m) => m.code !== code) }));
  },

  setBusy(busy) {
    set({ busy });
  },

  setSettings(patch) {
    set((s) => ({ settings: { ...s.settings, ...patch } }));
  },

  patchProtection(clipId, patch) {
    set((s) => {
      const old = s.protections[clipId];
      const base: Protection = old ?? {
        status: 'idle',
        settings: s.settings,
        stage: '',
        fraction: null,
        result: null,
        error: null,
      };
      return { protections: { ...s.protections, [clipId]: { ...base, ...patch } } };
    });
  },

  patchSpans(clipId, patch) {
    if (!get().clips.some((c) => c.id === clipId)) return;
    set((s) => ({
      spanSelections: { ...s.spanSelections, [clipId]: { ...(s.spanSelections[clipId] ?? EMPTY_SELECTION), ...patch } },
    }));
  },
}));

export function selectedClip(s: AppState): Clip | null {
  return s.clips.find((c) => c.id === s.selectedClipId) ?? null;
}

export function activeDataset(s: AppState): DatasetInfo | null {
  return s.datasets.find((d) => d.id === s.activeDatasetId) ?? null;
}
