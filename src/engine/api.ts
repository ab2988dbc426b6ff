/**
 * The engine API: the one contract between the UI and the worker that owns TensorFlow.js.
 *
 * Rules that keep it growable and safe across the Comlink boundary:
 * - Only plain data crosses: numbers, strings, typed arrays, plain objects. No tfjs types, no classes, no `any`.
 * - Long-running work is a *job method*: `(args, jobId, onProgress) => Promise<Result>`. The bridge turns it into a
 *   cancellable call (AbortSignal) with progress; the worker checks for cancellation between steps. Callbacks must be
 *   top-level arguments because Comlink proxies them only there.
 * - Adding a feature = add a job method here, implement it in workers/engine.worker.ts, call it with
 *   `engine.run('name', args, { signal, onProgress })`.
 */

import { ABORT_ERROR_NAME } from '../core/abort';
import { BASELINE_IDS as CORE_BASELINE_IDS, type BaselineId, type BaselineParams } from '../core/baselines';
import type { PerturbationReport } from '../core/analysis';
import type { DatasetEntry, DatasetFormat, Emotion, LoadReport } from '../core/data';
import type { CueMetric, CueRetention } from '../core/cues';
import type { CueEmotionModel, ProsodyCues } from '../core/cues/emotion';
import type { EvaluationRow, MethodSummary } from '../core/evaluation';
import type { DomainVerdict } from '../core/domain';
// Type-only imports from the tfjs parts of the core: erased at build time, so no tfjs reaches the page.
import type { ModuleConfig } from '../core/aclipse/generator';
import type { EpochReport, EvalMetrics, StepLosses, StepReport } from '../core/aclipse/trainer';
import type { FineTuneProgress } from '../core/ml/evaluators';
import type { ErrorRate } from '../core/metrics/scores';
import type { AclipseTrainConfig } from '../core/training-config';
import type { WordAlignment } from '../core/text/words';
import type { F0Contours, Intelligibility, Spectra, SpectraOptions } from '../core/metrics/measure';
import type { LiveChunk, LiveReport } from '../core/live';
import type { Span, SpanReport } from '../core/spans';
import type { TimedWord } from '../core/wordtimes';
import type { ExternalClaim } from '../core/claims';
export type { DomainSignals, DomainVerdict, DomainVerdictKind } from '../core/domain';

export type {
  BaselineId,
  BaselineParams,
  DatasetFormat,
  Emotion,
  EvaluationRow,
  LoadReport,
  MethodSummary,
  PerturbationReport,
};
export type { CueEmotionModel, CueMetric, CueRetention, ProsodyCues };
export type { ExternalClaim, LiveChunk, LiveReport, Span, SpanReport, TimedWord };
/** Transcript and spectrogram measurements of a protected clip (computed in src/core/metrics/measure.ts). */
export type { F0Contours, Intelligibility, Spectra, SpectraOptions };
export { SPECTRA_MAX_FRAMES } from '../core/metrics/measure';

/** Word or character error counts and their rate (S + D + I) / N. */
export type { ErrorRate };

export type BackendName = 'webgpu' | 'wasm' | 'cpu';
export const BACKEND_NAMES: readonly BackendName[] = ['webgpu', 'wasm', 'cpu'];

export function isBackendName(value: unknown): value is BackendName {
  return typeof value === 'string' && (BACKEND_NAMES as readonly string[]).includes(value);
}

/** What the WebGPU adapter says about itself (GPUAdapterInfo, flattened to plain data). */
export interface GpuAdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** True for software adapters such as SwiftShader. */
  isFallbackAdapter: boolean;
}

export interface BackendReport {
  backend: BackendName;
  /** True when the user forced this backend (`?backend=`); a forced backend never falls back silently. */
  forced: boolean;
  /** One sentence for the user: why this backend. */
  reason: string;
  /** The WebGPU adapter when one exists, even if WebGPU was not chosen. */
  adapter: GpuAdapterSummary | null;
  /** Backends considered before this one and why they were not used. */
  skipped: { backend: BackendName; why: string }[];
  tfjsVersion: string;
  initMs: number;
}

export interface EngineInitOptions {
  /** Force one backend; initialisation fails (with the reason) if it cannot start. Null = choose automatically. */
  forced: BackendName | null;
  /** False after a lost GPU device: the automatic choice then skips WebGPU. */
  allowWebGpu: boolean;
  /** Absolute URL of the folder that holds the tfjs-backend-wasm binaries (served from our own origin). */
  wasmBaseUrl: string;
}

/** Unsolicited news from the worker. */
export type EngineEvent = { type: 'device-lost'; message: string };
export type EngineEventSink = (event: EngineEvent) => void;

export interface JobProgress {
  /** Short label for the current step. */
  stage: string;
  /** 0..1 when known. */
  fraction: number | null;
  /** Structured progress for jobs that report more than a fraction (see ProgressDetail). */
  detail?: ProgressDetail;
}
export type ProgressSink = (progress: JobProgress) => void;

export interface SelfTestArgs {
  /** Side of the square matrices; the other tensors scale with it. Keep small on software WebGPU. */
  size?: number;
}

export interface SelfTestResult {
  /** The backend that actually executed the program (read from tfjs after running, not from the request). */
  backend: BackendName;
  /** Named scalar results of a fixed, deterministic program (matMul, conv1d, reductions, softmax, a gradient). */
  values: Record<string, number>;
  /** Each value against a float64 reference computed without tfjs, with its tolerance and verdict. */
  checks: { name: string; value: number; expected: number; tolerance: number; pass: boolean }[];
  ms: number;
}

export interface EngineMemory {
  numTensors: number;
  numBytes: number;
}

export type SimulatedFailure = 'device-lost' | 'crash';

export interface EngineApi {
  /** Picks and initialises the backend. Rejects with a BackendUnavailable error when a forced backend cannot start. */
  init(options: EngineInitOptions, onEvent: EngineEventSink): Promise<BackendReport>;
  /** Marks a running job as cancelled; the job stops at its next step with an AbortError. */
  cancel(jobId: string): void;
  memory(): EngineMemory;
  /** Test hook: lose the GPU device (WebGPU only) or crash the worker, to exercise recovery. */
  simulateFailure(kind: SimulatedFailure): void;

  // ---- job methods: (args, jobId, onProgress) => Promise<result> ----
  selfTest(args: SelfTestArgs, jobId: string, onProgress: ProgressSink | null): Promise<SelfTestResult>;

  // Models
  /**
   * Loads the shipped evaluators (SER + ASR + word list) and the shipped generator, with download progress
   * (detail `model-load`). Missing weights are not an error: the report says what is missing and why. Already loaded
   * models are kept unless `reload`, which drops them and fetches again (so a failed reload leaves none). Calls queue.
   */
  loadModels(args: LoadModelsArgs, jobId: string, onProgress: ProgressSink | null): Promise<ModelsReport>;
  /** What is loaded now (cheap). */
  models(args: Record<string, never>, jobId: string, onProgress: ProgressSink | null): Promise<ModelsReport>;
  /** Makes one of the held generators (shipped, trained, imported) the active one. */
  useGenerator(args: { id: string }, jobId: string, onProgress: ProgressSink | null): Promise<ModelsReport>;
  /** A generator as downloadable files (model.json + weights.bin). `id` may be TRAINING_GENERATOR_ID. */
  exportGenerator(args: { id: string }, jobId: string, onProgress: ProgressSink | null): Promise<ExportedModel>;
  /** Adds a generator from files the user picked (model.json + weights.bin) and makes it active. */
  importGenerator(args: ImportGeneratorArgs, jobId: string, onProgress: ProgressSink | null): Promise<ModelsReport>;
  /** The evaluators' current weights (e.g. after fine-tuning) as downloadable files. */
  exportEvaluators(
    args: Record<string, never>,
    jobId: string,
    onProgress: ProgressSink | null,
  ): Promise<{ ser: ExportedModel; asr: ExportedModel }>;

  // Clips
  /** Emotion (label + probabilities) and transcript (greedy and beam) of one clip. Needs the evaluators. */
  analyze(args: AnalyzeArgs, jobId: string, onProgress: ProgressSink | null): Promise<ClipAnalysis>;
  /** Protects one clip (up to 10 min) with the active generator or a baseline, and measures what changed. */
  protect(args: ProtectArgs, jobId: string, onProgress: ProgressSink | null): Promise<ProtectResult>;
  /** Starts live protection (one session at a time; a new one ends the old). Blocks then go to livePush. */
  liveStart(args: LiveStartArgs, jobId: string, onProgress: ProgressSink | null): Promise<LiveSession>;
  /** Protects what a block of microphone audio completes; returns the protected audio that became final. */
  livePush(args: LivePushArgs, jobId: string, onProgress: ProgressSink | null): Promise<LivePushResult>;
  /** Ends the session, protecting what is left. */
  liveStop(args: { sessionId: string }, jobId: string, onProgress: ProgressSink | null): Promise<LivePushResult>;
  /** Spectrograms of an original/protected pair (and their difference) for display. Plain JS, any backend. */
  spectra(args: SpectraArgs, jobId: string, onProgress: ProgressSink | null): Promise<Spectra>;

  // Datasets (the index stays in the worker; audio is decoded lazily, one clip at a time)
  openDataset(args: OpenDatasetArgs, jobId: string, onProgress: ProgressSink | null): Promise<DatasetInfo>;
  /** A page of a dataset's clips (metadata only), optionally of one split. */
  datasetClips(args: DatasetClipsArgs, jobId: string, onProgress: ProgressSink | null): Promise<DatasetClipPage>;
  /** Decodes one clip of a dataset (16 kHz mono), e.g. to protect it. */
  datasetClip(
    args: { datasetId: string; clipId: string },
    jobId: string,
    onProgress: ProgressSink | null,
  ): Promise<{ clip: DatasetClipMeta; wave: Float32Array }>;
  closeDataset(args: { datasetId: string }, jobId: string, onProgress: ProgressSink | null): Promise<void>;

  // Evaluation and training
  /** Scores methods over a dataset split; one `evaluate-row` progress detail per clip and method. */
  evaluate(args: EvaluateArgs, jobId: string, onProgress: ProgressSink | null): Promise<EvaluateResult>;
  /**
   * Trains the Aclipse generator in the browser (stage 1 and/or 2). Progress details `train-step` and `train-epoch`.
   * Cancel keeps the trainer in the worker, its weights rolled back to the last finished epoch (Adam's moments are
   * not); `train({ ..., resume: true })` continues from the next unfinished epoch. The worker yields after every
   * step, so a cancel stops the run before the next step. A maximum clip length too short for a transcript's CTC
   * alignment is refused with the length that works.
   */
  train(args: TrainArgs, jobId: string, onProgress: ProgressSink | null): Promise<TrainResult>;
  /** The kept training session (after a finish or a cancel), or null. */
  trainingState(
    args: Record<string, never>,
    jobId: string,
    onProgress: ProgressSink | null,
  ): Promise<TrainingState | null>;
  /** "Use these weights": copies the trained generator into the generator list and makes it active. */
  adoptTrainedGenerator(
    args: { label?: string },
    jobId: string,
    onProgress: ProgressSink | null,
  ): Promise<ModelsReport>;
  /** Drops the kept training session and frees its memory. */
  discardTraining(args: Record<string, never>, jobId: string, onProgress: ProgressSink | null): Promise<void>;
  /** Fine-tunes the evaluators on a dataset split (progress detail `finetune-step`); weights change only on success. */
  fineTuneEvaluators(args: FineTuneArgs, jobId: string, onProgress: ProgressSink | null): Promise<FineTuneResult>;
}

// =====================================================================================================================
// Shared value types
// =====================================================================================================================

/** JSON as stored in model.json (metrics, configs, provenance). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** A file the UI can offer for download (or that the user picked for import). */
export interface ExportedFile {
  name: string;
  mimeType: string;
  data: ArrayBuffer;
}
export interface ExportedModel {
  files: ExportedFile[];
}

export type ProtectMethod = 'aclipse' | BaselineId;
/** `original` scores the unmodified clips (the reference row of an evaluation). */
export type EvalMethod = 'original' | ProtectMethod;
/** The baseline ids in display order (one list, in src/core/baselines.ts, which is plain TS without tfjs). */
export const BASELINE_IDS: readonly BaselineId[] = CORE_BASELINE_IDS;

// =====================================================================================================================
// Progress details
// =====================================================================================================================

export type ProgressDetail =
  | ModelLoadProgress
  | { kind: 'evaluate-row'; row: EvaluationRow; done: number; total: number }
  | ({ kind: 'train-step' } & TrainStepReport)
  | { kind: 'train-epoch'; report: TrainEpochReport }
  | ({ kind: 'finetune-step' } & FineTuneStepReport);

/** 'aclipse-bands': the shipped generator's further weights by budget (bands.json), after its base weights. */
export type ModelLoadTarget = 'ser' | 'asr' | 'words' | 'lm' | 'aclipse' | 'aclipse-bands';

export interface ModelLoadProgress {
  kind: 'model-load';
  model: ModelLoadTarget;
  loadedBytes: number;
  /** From Content-Length when the server sends it. */
  totalBytes: number | null;
  done: boolean;
}

// =====================================================================================================================
// Models
// =====================================================================================================================

export interface LoadModelsArgs {
  /** Folder holding ser/, asr/ and aclipse/ (absolute URL on our own origin). Default: the app's /models/. */
  baseUrl?: string;
  /** Which to load (default all). */
  which?: ('evaluators' | 'generator')[];
  /** Drop what is loaded and fetch again. */
  reload?: boolean;
  /**
   * Also fetch the ASR's word LM for the beam search (default true). Training and fine-tuning decode greedily and
   * pass false; a later load that wants it adds it to the evaluators already held (fine-tuned weights are kept).
   */
  languageModel?: boolean;
}

export interface EvaluatorInfo {
  kind: 'ser' | 'asr';
  origin: 'shipped' | 'fine-tuned';
  url: string | null;
  parameters: number;
  bytes: number;
  /** model.json `config`, `metrics`, `trainedWith` as stored. */
  config: JsonObject;
  metrics: JsonObject;
  trainedWith: JsonObject;
}

/** Sizes of one generator module (SO or ER). */
export type GeneratorModuleConfig = ModuleConfig;

export interface GeneratorInfo {
  /** 'shipped', 'trained-1', 'imported-1', … */
  id: string;
  origin: 'shipped' | 'trained' | 'imported';
  label: string;
  parameters: number;
  bytes: number;
  config: { so: GeneratorModuleConfig; er: GeneratorModuleConfig; budgetDb: number };
  metrics: JsonValue | null;
  trainedWith: JsonValue | null;
  /**
   * What these weights were measured to do against external attackers (shipped weights only; empty when unknown).
   * With bands, each claim is one the weights that serve its budget were measured to make.
   */
  claims: ExternalClaim[];
  /** Further weights used from a budget up (src/core/bands.ts); empty: these weights serve every budget. */
  bands: GeneratorBandInfo[];
}

/** Which of a generator's further weight sets protected a clip (as results and the worker name it). */
export type WeightsBand = Pick<GeneratorBandInfo, 'fromDb' | 'label'>;

/** One further weight set of a generator: it protects at budgets from `fromDb` up to the next band's `fromDb`. */
export interface GeneratorBandInfo {
  fromDb: number;
  label: string;
  /** Why these weights serve these budgets, with the measurement that chose the threshold. */
  why: string;
  parameters: number;
  bytes: number;
}

export interface ModelsReport {
  evaluators: {
    ser: EvaluatorInfo;
    asr: EvaluatorInfo;
    /** Words in the lexicon of the beam search (0 = greedy decoding only). */
    lexiconWords: number;
    /** The beam search's word n-gram LM in words ("3-gram LM, 32,454 words, 212k n-grams"), null when none. */
    languageModel: string | null;
    /**
     * The emotion reading relative to the voice (public/models/cue-emotion.json) for voices the SER does not know:
     * the UI reads it from ClipAnalysis.prosody of the clip and of other clips of the same voice. Null when absent.
     */
    cueEmotion: CueEmotionModel | null;
  } | null;
  /** Why the evaluators are not loaded (e.g. the weights are not installed), null when loaded or not tried. */
  evaluatorsProblem: string | null;
  generators: GeneratorInfo[];
  /** The generator `protect` uses; null when none is loaded (then protection with Aclipse is unavailable). */
  activeGenerator: string | null;
  /** Why there is no shipped generator (e.g. public/models/aclipse/model.json is missing), null when loaded. */
  generatorProblem: string | null;
  /** URLs of the model files fetched so far, so the page can have the offline cache keep them. */
  files?: string[];
}

export interface ImportGeneratorArgs {
  /** model.json text. */
  modelJson: string;
  /** weights.bin bytes. */
  weights: ArrayBuffer;
  label?: string;
  /** How the weights were made (a generator restored from this browser's storage keeps its origin; default 'imported'). */
  origin?: 'trained' | 'imported';
  /** Make it the active generator (default true). A restore adds generators without switching. */
  activate?: boolean;
}

/** Id under which the generator of the kept training session can be exported before it is adopted. */
export const TRAINING_GENERATOR_ID = 'training';

// =====================================================================================================================
// Clips
// =====================================================================================================================

export interface AnalyzeArgs {
  /** 16 kHz mono. */
  wave: Float32Array;
}

export interface ClipAnalysis {
  emotion: Emotion;
  /** In EMOTIONS order (neutral, sad, happy, angry). */
  probabilities: number[];
  /** Best transcript: lexicon beam search when a word list is loaded, else greedy. */
  transcript: string;
  transcriptGreedy: string;
  /** Null when no word list is loaded. */
  transcriptBeam: string | null;
  ms: number;
  /** The tfjs backend that ran the evaluators (read after running). */
  backend: BackendName;
  /**
   * Whether the evaluators know this kind of voice: on 'out-of-domain' clips the transcript and emotion are
   * unreliable, on 'no-speech' clips there is nothing to read. Null when no calibration (domain.json) is loaded.
   */
  domain: DomainVerdict | null;
  /** Words of the ASR's greedy CTC path with their times (absent in results stored before word timings existed). */
  words?: TimedWord[];
  /**
   * The clip's prosody (mean F0, range, level, tilt, rate; no model), what the reading relative to the voice compares;
   * null when it holds too little voiced speech, absent in results stored before it existed.
   */
  prosody?: ProsodyCues | null;
}

export interface ProtectArgs {
  /** 16 kHz mono, up to 10 min. */
  wave: Float32Array;
  method: ProtectMethod;
  /** Minimum SNR in dB: the output never differs from the input by more than this allows. */
  budgetDb: number;
  /** Baseline parameters (ignored by 'aclipse'). */
  params?: BaselineParams;
  /** Noise seed for the noise baseline. */
  seed?: number;
  /** Run the evaluators on original and protected (default true; skipped when they are not loaded). */
  analyze?: boolean;
  /** Reference for WER/CER (e.g. a dataset transcript); default: the ASR transcript of the original clip. */
  referenceText?: string;
  /** Also return spectra (the same as calling `spectra`), e.g. { maxFrames: 600 }. */
  spectra?: SpectraOptions;
  /**
   * Protect only these parts (seconds): each is held to the budget on its own, and every sample outside them is the
   * original, bit for bit. Absent or empty: the whole clip.
   */
  spans?: Span[];
}

/** One protected span: its budget report and what the recognizer heard there before and after. */
export interface SpanResult extends SpanReport {
  /** Words of the original (greedy CTC path) whose middle lies in the span; null without the evaluators. */
  before: string | null;
  after: string | null;
}

/** One word of the reference → hypothesis alignment (ref null for an insertion, hyp null for a deletion). */
export type AlignedWord = WordAlignment;
export type WordOp = WordAlignment['op'];

export interface ProtectResult {
  method: ProtectMethod;
  /** Generator id for 'aclipse', null for baselines. */
  generatorId: string | null;
  /** The generator's further weights that protected this clip, chosen by the budget; null: its base weights. */
  band?: WeightsBand | null;
  budgetDb: number;
  wave: Float32Array;
  /** Achieved SNR of the protected clip against the original (≥ budgetDb). */
  snrDb: number;
  /** SO/ER attention over the 257 STFT bins (31.25 Hz apart), length-weighted over the clip; Aclipse only. */
  attention: { so: Float32Array; er: Float32Array; binHz: number } | null;
  /** Null when analysis was off or the evaluators are not loaded. */
  original: ClipAnalysis | null;
  protected: ClipAnalysis | null;
  /** WER/CER of the protected transcript; null without analysis. */
  intelligibility: Intelligibility | null;
  perturbation: PerturbationReport;
  spectra: Spectra | null;
  timing: {
    protectMs: number;
    analyzeMs: number;
    totalMs: number;
    /** clip seconds per protect second */ realtimeFactor: number;
  };
  /** The tfjs backend that ran the generator and evaluators (read after running). */
  backend: BackendName;
  /** Emotion cues (pitch, voicing, loudness, speaking rate) of the original kept in the protected clip; no model. */
  cues: CueRetention;
  /** Per span when only spans were protected (then `snrDb` is over the whole clip); absent for a whole clip. */
  spans?: SpanResult[];
}

// =====================================================================================================================
// Live protection
// =====================================================================================================================

export interface LiveStartArgs {
  method: ProtectMethod;
  budgetDb: number;
  /** Overrides of the streaming windows (seconds), e.g. for the benchmark. */
  hopS?: number;
  lookAheadS?: number;
  contextS?: number;
}

export interface LiveSession {
  sessionId: string;
  hopS: number;
  lookAheadS: number;
  /** Hop + look-ahead: the delay before any processing time. */
  algorithmicLatencyS: number;
  backend: BackendName;
}

export interface LivePushArgs {
  sessionId: string;
  /** 16 kHz mono, any length. */
  block: Float32Array;
}

export interface LivePushResult {
  chunk: LiveChunk | null;
  /** Time spent protecting in this call. */
  processMs: number;
  report: LiveReport;
}

export interface SpectraArgs extends SpectraOptions {
  original: Float32Array;
  protected: Float32Array;
}

// =====================================================================================================================
// Datasets
// =====================================================================================================================

/** Where a dataset comes from. Build one from a picker or a drop with src/engine/files.ts. */
export type DatasetSource =
  | { kind: 'demo' }
  /** A manifest on our own origin; its audio paths are fetched relative to it. */
  | { kind: 'url'; manifestUrl: string; name?: string }
  /** <input webkitdirectory> (File.webkitRelativePath) or dropped files with their paths. */
  | { kind: 'files'; files: { path: string; file: File }[]; name?: string }
  /** showDirectoryPicker(). */
  | { kind: 'directory'; handle: FileSystemDirectoryHandle };

export interface OpenDatasetArgs {
  source: DatasetSource;
  format?: 'auto' | 'iemocap' | 'manifest';
}

export interface DatasetInfo {
  id: string;
  name: string;
  format: DatasetFormat;
  clips: number;
  /** Null when some durations are unknown without decoding. */
  hours: number | null;
  byEmotion: Record<string, number>;
  bySplit: Record<string, number>;
  bySpeaker: Record<string, number>;
  byFold: Record<string, number>;
  /** Clips with a transcript (the others count for emotion only). */
  withText: number;
  report: LoadReport;
  /** The report as readable lines. */
  reportText: string;
}

/** A dataset entry as plain data: what crosses the worker boundary (no reader, no free-form manifest fields). */
export type DatasetClipMeta = Omit<DatasetEntry, 'meta' | 'read'>;

export interface DatasetClipsArgs {
  datasetId: string;
  split?: string | null;
  offset?: number;
  limit?: number;
}

export interface DatasetClipPage {
  total: number;
  offset: number;
  clips: DatasetClipMeta[];
}

/** Which clips of a dataset a job uses. */
export interface ClipSelection {
  datasetId: string;
  /** Split name ('train', 'val', 'test', 'test_speaker', 'fold3', …); null = all clips. */
  split: string | null;
  /** At most this many clips (a seeded stratified subset when the split is larger). */
  limit?: number;
  seed?: number;
}

// =====================================================================================================================
// Evaluation
// =====================================================================================================================

export interface EvaluateArgs extends ClipSelection {
  methods: EvalMethod[];
  budgetDb: number;
  params?: BaselineParams;
}

export interface EvaluateResult {
  datasetId: string;
  split: string | null;
  budgetDb: number;
  clips: number;
  /** Clips that could not be decoded, with the reason. */
  failed: { clipId: string; error: string }[];
  summaries: MethodSummary[];
  rows: EvaluationRow[];
  /** Provenance for the export: generator id, evaluator origins, backend. */
  generatorId: string | null;
  backend: BackendName;
  seconds: number;
}

// =====================================================================================================================
// Training
// =====================================================================================================================

/** The trainer's config; the memory cap per batch stays the trainer's default (clips are cut at maxClipSeconds). */
export type TrainConfig = Omit<AclipseTrainConfig, 'maxBatchSeconds'>;

export interface TrainArgs {
  datasetId: string;
  /** Default 'train'. Held-out splits ('test', 'test_speaker') are refused. */
  trainSplit?: string;
  /** Scored after each epoch; default 'val' when the dataset has it, null = none. */
  valSplit?: string | null;
  /** Default 32 (validation runs after every epoch). */
  valLimit?: number;
  config: TrainConfig;
  /** Stages to run in order, e.g. [1, 2]. */
  stages: (1 | 2)[];
  /** Start from: the active generator's weights, or fresh (seeded) weights (default 'fresh'). */
  init?: 'active' | 'fresh';
  /** Module sizes of a fresh generator (default: the shipped architecture, 96 hidden channels, kernel 5). */
  architecture?: { so: GeneratorModuleConfig; er: GeneratorModuleConfig };
  /** Continue the kept session (same dataset and config) from its next epoch instead of starting over. */
  resume?: boolean;
  /** Clips longer than this are cut (bounded memory on the GPU). Default 8 s. */
  maxClipSeconds?: number;
}

export type TrainLosses = StepLosses;

/** The trainer's step report (epoch is 0-based) plus the stage's epoch count. */
export type TrainStepReport = StepReport & { epochs: number };

export type TrainEvalMetrics = EvalMetrics;

export type TrainEpochReport = EpochReport;

export interface TrainingState {
  /** True while a train job is running on this session. */
  running: boolean;
  datasetId: string;
  config: TrainConfig;
  stages: (1 | 2)[];
  /** Where a resume continues; null when every requested stage is done. */
  next: { stage: 1 | 2; epoch: number } | null;
  epochs: TrainEpochReport[];
  /** Clips in the training split and in validation. */
  trainClips: number;
  valClips: number;
  readback: 'async' | 'sync';
  backend: BackendName;
}

export interface TrainResult {
  state: TrainingState;
}

export interface FineTuneArgs extends ClipSelection {
  /** Default both. */
  targets?: ('ser' | 'asr')[];
  epochs?: number;
  learningRate?: number;
  maxBatch?: number;
  /** Fraction held out for before/after metrics (default 0.1). */
  valFraction?: number;
}

export type FineTuneStepReport = FineTuneProgress;

export interface FineTuneMetrics {
  n: number;
  wa?: number;
  ua?: number;
  wer?: number;
  cer?: number;
}

export interface FineTuneResult {
  ser: {
    clips: number;
    steps: number;
    loss: number;
    before: FineTuneMetrics | null;
    after: FineTuneMetrics | null;
  } | null;
  asr: {
    clips: number;
    steps: number;
    loss: number;
    before: FineTuneMetrics | null;
    after: FineTuneMetrics | null;
  } | null;
  models: ModelsReport;
}

/** Names of the job methods of EngineApi (those shaped `(args, jobId, onProgress) => Promise<R>`). */
export type JobName = {
  [K in keyof EngineApi]: EngineApi[K] extends (
    args: never,
    jobId: string,
    onProgress: ProgressSink | null,
  ) => Promise<unknown>
    ? K
    : never;
}[keyof EngineApi];

export type JobArgs<K extends JobName> = Parameters<EngineApi[K]>[0];
export type JobResult<K extends JobName> = Awaited<ReturnType<EngineApi[K]>>;

/** Error names that survive Comlink's error serialisation (it keeps `name` and `message`). */
export const ENGINE_ERRORS = {
  aborted: ABORT_ERROR_NAME,
  backendUnavailable: 'BackendUnavailableError',
  crashed: 'EngineCrashedError',
} as const;
