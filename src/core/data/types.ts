import type { Emotion } from './emotions';

/** Splits of the synthetic corpus (docs/architecture.md). */
export type CorpusSplit = 'train' | 'val' | 'test' | 'test_speaker';
export const CORPUS_SPLITS: readonly CorpusSplit[] = ['train', 'val', 'test', 'test_speaker'];

/** Prosody a clip was rendered with (see docs/corpus.md). */
export interface ProsodyRecord {
  /** F0 shift, semitones. */
  pitch: number;
  /** F0 range scale. */
  range: number;
  /** Speaking-rate factor. */
  tempo: number;
  /** Drawn level offset from the reference level, dB. */
  gainDb: number;
  /** Spectral tilt, dB. */
  tiltDb: number;
  /** Speech-active level reached, dBFS (below reference + gain when the peak ceiling limited it). */
  levelDb?: number;
  limited?: boolean;
}

/** One line of the corpus `manifest.jsonl`; paths are relative to the manifest's folder. */
export interface ManifestRecord {
  id: string;
  path: string;
  text: string;
  emotion: Emotion;
  voice: string;
  speaker: string;
  split: CorpusSplit;
  seed: number;
  duration: number;
  prosody: ProsodyRecord;
}
