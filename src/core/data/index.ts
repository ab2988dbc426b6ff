/**
 * Datasets for training and evaluation, identical in the worker and in Node: a FileSource (Node folder, picked folder,
 * dropped folder, directory handle) → loadDataset → an index of entries with lazy audio → decodeEntry on demand.
 * Node code gets its source from './node-source' (kept out of this barrel so browser bundles never see node:fs).
 */
export { EMOTIONS, emotionIndex, isEmotion, mapEmotionLabel, type Emotion } from './emotions';
export { CORPUS_SPLITS, type CorpusSplit, type ManifestRecord, type ProsodyRecord, type RealHalf, type RealManifestRecord } from './types';
export { gaussian, hashString, mulberry32, rngFor, shuffled, type Rng } from './random';
export {
  directoryHandleSource,
  droppedEntriesSource,
  cachedSource,
  filesSource,
  memorySource,
  type DirectoryHandleLike,
  type EntryLike,
  type FileHandleLike,
  type FileLikeBlob,
  type FileRef,
  type FileSource,
} from './source';
export {
  DatasetError,
  SKIP_EXPLANATIONS,
  decodeEntries,
  decodeEntry,
  formatReport,
  type DatasetEntry,
  type DatasetFormat,
  type DatasetIndex,
  type DecodeOptions,
  type LoadReport,
  type SkipReason,
} from './dataset';
export { probeWavHeader, type WavHeader } from './probe';
export {
  cleanIemocapTranscript,
  loadIemocap,
  looksLikeIemocap,
  parseEmoEvaluation,
  parseTranscriptions,
  parseUtteranceId,
  type IemocapOptions,
} from './iemocap';
export { findManifest, loadManifestDataset, parseCsv, parseJsonl, type ManifestOptions } from './manifest';
export { assignSplits, bySplit, crossValidationFolds, stratifiedSubset, summarize, type DatasetSummary, type Fold } from './splits';
export { loadDataset, type LoadOptions } from './load';
