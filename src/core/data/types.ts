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

/** Halves of the real-speech set (`npm run corpus:real`), split by source folder: fit on one, report on the other. */
export type RealHalf = 'calibration' | 'heldout';

/**
 * One line of `data/real/manifest.jsonl`: real human speech with a transcript and no emotion label (docs/corpus.md).
 * The generic manifest loader reads it with `keepUnlabelled: true` (emotion null); WA is never computed on it.
 */
export interface RealManifestRecord {
  id: string;
  path: string;
  /** normalizeText(rawText). */
  text: string;
  /** The transcript as the source wrote it. */
  rawText: string;
  /** The source's English text of the line (the same as rawText for English sources). */
  english: string;
  speaker: string;
  split: 'real';
  half: RealHalf;
  /** Source folder (the unit of the calibration/heldout split). */
  level: string;
  /** ISO 639-1 language of the speech. */
  lang: string;
  /** Debian package the audio came from. */
  source: string;
  duration: number;
  /** Gain applied so the peak stays below full scale (0 = none), dB. */
  gainDb: number;
}
