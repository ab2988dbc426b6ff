/**
 * Generic labelled sets: a manifest (JSONL or CSV) next to a folder of audio. Columns/fields:
 *   path (or file, audio, wav, filename)   audio path relative to the manifest's folder — required
 *   text (or transcript, transcription, sentence)   optional
 *   emotion (or label)                      required unless keepUnlabelled
 *   speaker, split, id, duration, fold      optional
 * Our own corpus manifest (docs/architecture.md) is one such manifest; its extra fields land in entry.meta.
 */
import { normalizeText } from '../text/normalize';
import { checkAudio } from './audio-check';
import { DatasetError, ReportBuilder, type DatasetEntry, type DatasetIndex } from './dataset';
import { mapEmotionLabel } from './emotions';
import { dirOf, indexByPath, joinPath, type FileRef, type FileSource } from './source';

export type ManifestRow = Record<string, unknown>;

/** RFC 4180 CSV (quoted fields, doubled quotes, CRLF) into rows keyed by the header, trimmed, lower-cased names. */
export function parseCsv(text: string): ManifestRow[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const src = text.replace(/^\uFEFF/, '');
  // Semicolon- or tab-separated files are common exports; pick the delimiter the header uses most.
  const headerLine = src.slice(0, src.search(/\r?\n/) >>> 0 || src.length);
  const delim = [',', ';', '\t'].reduce((best, d) =>
    headerLine.split(d).length > headerLine.split(best).length ? d : best,
  );
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (quoted) {
      if (c === '"') {
        if (src[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === delim) {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && src[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  const nonEmpty = rows.filter((r) => r.some((f) => f.trim() !== ''));
  if (nonEmpty.length === 0) return [];
  const header = nonEmpty[0]!.map((h) => h.trim().toLowerCase());
  return nonEmpty.slice(1).map((r) => Object.fromEntries(header.map((h, k) => [h, (r[k] ?? '').trim()])));
}

/** JSONL rows; lines that are not JSON objects come back as null so the caller can count them. */
export function parseJsonl(text: string): Array<ManifestRow | null> {
  const out: Array<ManifestRow | null> = [];
  for (const line of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    if (!line.trim()) continue;
    try {
      const v: unknown = JSON.parse(line);
      out.push(v && typeof v === 'object' && !Array.isArray(v) ? (v as ManifestRow) : null);
    } catch {
      out.push(null);
    }
  }
  return out;
}

function pick(row: ManifestRow, names: string[]): unknown {
  for (const n of names) {
    for (const k of Object.keys(row)) if (k.toLowerCase() === n && row[k] !== '' && row[k] != null) return row[k];
  }
  return undefined;
}

const PATH_KEYS = ['path', 'file', 'audio', 'wav', 'filename', 'file_path', 'audio_path'];
const TEXT_KEYS = ['text', 'transcript', 'transcription', 'sentence', 'utterance_text'];
const LABEL_KEYS = ['emotion', 'label', 'emotion_label', 'class'];
const KNOWN = new Set([...PATH_KEYS, ...TEXT_KEYS, ...LABEL_KEYS, 'speaker', 'split', 'id', 'duration', 'fold']);

/** Manifest file names we look for at the top of a picked folder, in order of preference. */
export const MANIFEST_NAMES = ['manifest.jsonl', 'manifest.csv', 'metadata.jsonl', 'metadata.csv'];

/** The manifest to use in a listing: a preferred name at the shallowest level, else the only .jsonl/.csv there. */
export function findManifest(refs: FileRef[]): FileRef | null {
  const candidates = refs.filter((r) => /\.(jsonl|csv)$/i.test(r.path));
  if (candidates.length === 0) return null;
  const depth = (p: string) => p.split('/').length;
  const minDepth = Math.min(...candidates.map((r) => depth(r.path)));
  const top = candidates.filter((r) => depth(r.path) === minDepth);
  for (const name of MANIFEST_NAMES) {
    const hit = top.find((r) => r.path.split('/').pop()!.toLowerCase() === name);
    if (hit) return hit;
  }
  return top.length === 1 ? top[0]! : null;
}

export interface ManifestOptions {
  /** Path of the manifest inside the source; found automatically when omitted. */
  manifestPath?: string;
  probe?: boolean;
  /** Keep rows without a recognised emotion (emotion null), e.g. for ASR-only sets (default false). */
  keepUnlabelled?: boolean;
  /** Accept non-WAV audio (the browser decodes it with Web Audio); default false. */
  allowOtherAudio?: boolean;
}

export async function loadManifestDataset(source: FileSource, opts: ManifestOptions = {}): Promise<DatasetIndex> {
  const refs = await source.list();
  const byPath = indexByPath(refs);
  const mref = opts.manifestPath ? (byPath.get(opts.manifestPath) ?? null) : findManifest(refs);
  if (!mref) {
    throw new DatasetError(
      opts.manifestPath
        ? `Manifest ${opts.manifestPath} not found in ${source.name}`
        : `No manifest in ${source.name}: add a manifest.jsonl or manifest.csv (path, text, emotion) next to the audio`,
    );
  }
  const rb = new ReportBuilder('manifest');
  const body = new TextDecoder('utf-8').decode(await mref.read());
  const isCsv = /\.csv$/i.test(mref.path);
  const rows: Array<ManifestRow | null> = isCsv ? parseCsv(body) : parseJsonl(body);
  const base = dirOf(mref.path);
  const pending: Array<Omit<DatasetEntry, 'duration' | 'read'> & { ref: FileRef; duration: number | null }> = [];
  const ids = new Set<string>();
  rows.forEach((row, i) => {
    rb.report.seen++;
    const line = `line ${i + (isCsv ? 2 : 1)}`;
    if (!row) {
      rb.skip('bad_row', `${line} (not a JSON object)`);
      return;
    }
    const p = pick(row, PATH_KEYS);
    if (typeof p !== 'string' || !p.trim()) {
      rb.skip('bad_row', `${line} (no path)`);
      return;
    }
    const label = pick(row, LABEL_KEYS);
    const labelStr = label === undefined ? null : String(label);
    const emotion = labelStr === null ? null : mapEmotionLabel(labelStr);
    if (!emotion && !opts.keepUnlabelled) {
      if (labelStr === null) rb.skip('unknown_label', `${line} (no emotion)`);
      else rb.skip('unknown_label', `${line} ("${labelStr}")`);
      return;
    }
    const path = joinPath(base, p.trim());
    const ref = byPath.get(path);
    if (!ref) {
      rb.skip('missing_audio', path);
      return;
    }
    const idRaw = pick(row, ['id']);
    const id = idRaw === undefined ? path : String(idRaw);
    if (ids.has(id)) {
      rb.skip('duplicate_id', id);
      return;
    }
    ids.add(id);
    const t = pick(row, TEXT_KEYS);
    let text: string | null = typeof t === 'string' ? normalizeText(t) : null;
    if (text === '') text = null;
    if (text === null) rb.skip('missing_transcript', id);
    const dur = Number(pick(row, ['duration']));
    const foldRaw = pick(row, ['fold']);
    const fold = foldRaw === undefined || !Number.isInteger(Number(foldRaw)) ? null : Number(foldRaw);
    const split = pick(row, ['split']);
    const speaker = pick(row, ['speaker']);
    const meta: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(row)) if (!KNOWN.has(k.toLowerCase())) meta[k] = v;
    pending.push({
      id,
      path,
      text,
      emotion,
      label: labelStr,
      speaker: speaker === undefined ? 'unknown' : String(speaker),
      split: split === undefined ? null : String(split),
      fold,
      meta,
      ref,
      duration: Number.isFinite(dur) && dur > 0 ? dur : null,
    });
  });
  // A manifest that states durations is trusted; probing then only confirms the files are WAVs.
  const checks = await checkAudio(
    pending.map((p) => p.ref),
    rb,
    { probe: opts.probe ?? true, allowOtherAudio: opts.allowOtherAudio ?? false },
  );
  const entries: DatasetEntry[] = [];
  pending.forEach((p, i) => {
    if (!checks[i]!.ok) return;
    const { ref, ...rest } = p;
    entries.push({ ...rest, duration: rest.duration ?? checks[i]!.duration, read: () => ref.read() });
  });
  rb.report.usable = entries.length;
  if (entries.length === 0) {
    throw new DatasetError(`No usable clips in ${source.name} (manifest ${mref.path})`, rb.report);
  }
  return { name: source.name, format: 'manifest', entries, report: rb.report };
}
