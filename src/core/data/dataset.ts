/**
 * The dataset index shared by every loader: entries carry metadata and a lazy reader; audio is decoded on demand with
 * decodeEntry. Loaders never throw on bad rows or files: they skip them, count them by reason, keep a few examples
 * for the report, and throw DatasetError only when nothing usable is left.
 */
import { decodeWavTo16kMono } from '../audio';
import type { Emotion } from './emotions';

export type DatasetFormat = 'iemocap' | 'manifest';

export interface DatasetEntry {
  /** Unique within the index. */
  id: string;
  /** Path of the audio file, relative to the source root. */
  path: string;
  /** Normalised transcript (ASR alphabet), or null when the dataset has none for this clip. */
  text: string | null;
  /** One of the four classes, or null (unlabelled clips are kept only when the loader is asked to). */
  emotion: Emotion | null;
  /** The label as written in the dataset (e.g. IEMOCAP "exc"). */
  label: string | null;
  speaker: string;
  /** Split from the dataset ('train' | 'val' | 'test' | 'test_speaker' | anything a manifest says), if any. */
  split: string | null;
  /** Cross-validation fold (IEMOCAP: session − 1), if any. */
  fold: number | null;
  /** Seconds, from the manifest or the WAV header, when known without decoding. */
  duration: number | null;
  /** Extra fields a manifest carried (voice, seed, prosody, IEMOCAP times, ...). */
  meta: Record<string, unknown>;
  /** Reads the audio file's bytes (lazily, from the user's disk). */
  read(): Promise<ArrayBuffer>;
}

/** Why something was skipped. Reasons are fixed strings so the UI can show counts next to a readable explanation. */
export type SkipReason =
  | 'missing_label_file'
  | 'excluded_label'
  | 'unknown_label'
  | 'missing_audio'
  | 'unreadable_audio'
  | 'unsupported_audio'
  | 'bad_row'
  | 'duplicate_id'
  | 'missing_transcript';

export const SKIP_EXPLANATIONS: Record<SkipReason, string> = {
  missing_label_file: 'clips whose dialog has no label file (EmoEvaluation) were skipped',
  excluded_label: 'clips labelled with an emotion outside neutral/sad/happy/angry (e.g. frustrated, surprised) were left out',
  unknown_label: 'rows with a label that is not an emotion we recognise were skipped',
  missing_audio: 'labels or transcripts without an audio file were skipped',
  unreadable_audio: 'audio files that could not be read as WAV were skipped',
  unsupported_audio: 'audio files in a format other than WAV need the browser decoder and were skipped here',
  bad_row: 'manifest rows without a usable audio path were skipped',
  duplicate_id: 'rows repeating an id already seen were skipped',
  missing_transcript: 'clips without a transcript were kept for emotion only (no text)',
};

export interface LoadReport {
  format: DatasetFormat;
  /** Candidate clips seen (labelled utterances, manifest rows). */
  seen: number;
  usable: number;
  /** Counts by reason. missing_transcript clips are usable (counted here as a warning, not dropped). */
  skipped: Partial<Record<SkipReason, number>>;
  /** Up to a few examples per reason, e.g. the path or the odd label. */
  examples: Partial<Record<SkipReason, string[]>>;
  /** Other labels seen and dropped, with counts (IEMOCAP fru, sur, ...). */
  droppedLabels: Record<string, number>;
  notes: string[];
}

export interface DatasetIndex {
  name: string;
  format: DatasetFormat;
  entries: DatasetEntry[];
  report: LoadReport;
}

export class DatasetError extends Error {
  override name = 'DatasetError';
  constructor(
    message: string,
    readonly report?: LoadReport,
  ) {
    super(message);
  }
}

const MAX_EXAMPLES = 5;

export class ReportBuilder {
  readonly report: LoadReport;
  constructor(format: DatasetFormat) {
    this.report = { format, seen: 0, usable: 0, skipped: {}, examples: {}, droppedLabels: {}, notes: [] };
  }
  skip(reason: SkipReason, example: string, n = 1): void {
    this.report.skipped[reason] = (this.report.skipped[reason] ?? 0) + n;
    const ex = (this.report.examples[reason] ??= []);
    if (ex.length < MAX_EXAMPLES) ex.push(example);
  }
  dropLabel(label: string): void {
    this.report.droppedLabels[label] = (this.report.droppedLabels[label] ?? 0) + 1;
  }
  note(s: string): void {
    this.report.notes.push(s);
  }
}

/** A readable multi-line summary of a load report (used by the CLI and shown in the UI). */
export function formatReport(r: LoadReport): string {
  const lines = [`${r.usable} usable clips of ${r.seen} found (${r.format})`];
  for (const [reason, n] of Object.entries(r.skipped) as Array<[SkipReason, number]>) {
    const ex = r.examples[reason]?.length ? ` (e.g. ${r.examples[reason]!.slice(0, 3).join(', ')})` : '';
    lines.push(`- ${n} ${SKIP_EXPLANATIONS[reason]}${ex}`);
  }
  const dropped = Object.entries(r.droppedLabels);
  if (dropped.length) lines.push(`- labels left out: ${dropped.map(([l, n]) => `${l} ${n}`).join(', ')}`);
  for (const n of r.notes) lines.push(`- ${n}`);
  return lines.join('\n');
}

/** Bytes probed for a WAV header: enough for the usual chunks (fmt, LIST, fact) before the data chunk. */
export const PROBE_BYTES = 4096;

export function isWavPath(path: string): boolean {
  return /\.wave?$/i.test(path);
}

/** Audio a browser can decode with Web Audio even though decodeEntry (WAV only) cannot. */
export function isOtherAudioPath(path: string): boolean {
  return /\.(flac|mp3|ogg|oga|opus|m4a|aac|webm|mp4)$/i.test(path);
}

export interface DecodeOptions {
  /** Decoder for non-WAV audio (the UI passes a Web Audio based one); must return 16 kHz mono. */
  decodeOther?: (bytes: ArrayBuffer, path: string) => Promise<Float32Array>;
}

/** Decodes one entry to 16 kHz mono Float32. Throws DatasetError naming the file when it cannot. */
export async function decodeEntry(entry: DatasetEntry, opts: DecodeOptions = {}): Promise<Float32Array> {
  let bytes: ArrayBuffer;
  try {
    bytes = await entry.read();
  } catch (e) {
    throw new DatasetError(`Could not read ${entry.path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!isWavPath(entry.path) && opts.decodeOther) return opts.decodeOther(bytes, entry.path);
  try {
    return decodeWavTo16kMono(bytes);
  } catch (e) {
    throw new DatasetError(`Could not decode ${entry.path}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/**
 * Decodes entries one after another (bounded memory), skipping files that fail. Yields [entry, audio]; failures go to
 * onError so a training run can count them instead of stopping. An aborted signal stops it with an AbortError.
 */
export async function* decodeEntries(
  entries: Iterable<DatasetEntry>,
  opts: DecodeOptions & { onError?: (entry: DatasetEntry, error: Error) => void; signal?: AbortSignal } = {},
): AsyncGenerator<[DatasetEntry, Float32Array]> {
  for (const entry of entries) {
    opts.signal?.throwIfAborted();
    try {
      yield [entry, await decodeEntry(entry, opts)];
    } catch (e) {
      opts.onError?.(entry, e instanceof Error ? e : new Error(String(e)));
    }
  }
}
