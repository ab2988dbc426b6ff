/**
 * Exports built in the page: CSV / JSON for results, a stored (uncompressed) ZIP for "download all", and the
 * file names they get. Pure functions plus one `saveBlob` that hands a Blob to the browser.
 */
import type { ErrorRate, EvaluateResult, EvaluationRow, MethodSummary } from '../../engine/api';

export type CsvValue = string | number | boolean | null | undefined;

/** RFC 4180 field: quoted when it holds a comma, quote, CR or LF; numbers keep full precision; NaN is empty. */
export function csvField(v: CsvValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  const s = String(v);
  // A leading = + - @ makes spreadsheets evaluate the cell; a quote-prefixed apostrophe keeps it as text.
  const safe = /^[=+\-@\t\r]/.test(s) && !/^-?\d/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function toCsv(columns: readonly string[], rows: readonly (readonly CsvValue[])[]): string {
  const lines = [columns.map(csvField).join(','), ...rows.map((r) => r.map(csvField).join(','))];
  return lines.join('\r\n') + '\r\n';
}

/** CSV from objects: the columns are the given keys, in order. */
export function recordsToCsv<T extends Record<string, CsvValue>>(
  columns: readonly (keyof T & string)[],
  records: readonly T[],
): string {
  return toCsv(
    columns,
    records.map((r) => columns.map((c) => r[c])),
  );
}

/** Stable, readable JSON; typed arrays become plain arrays and non-finite numbers become null (JSON has neither). */
export function toJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_k, v: unknown) => {
      if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number>);
      if (typeof v === 'number' && !Number.isFinite(v)) return null;
      return v;
    },
    2,
  );
}

/** "voice.mp3" → "voice-protected.wav"; unsafe characters become "_"; never empty. */
export function protectedFileName(name: string, tag = 'protected', ext = 'wav'): string {
  const base =
    name
      .replace(/\.[a-z0-9]{1,5}$/i, '')
      .replace(/[^\p{L}\p{N}._ -]+/gu, '_')
      .trim() || 'clip';
  return `${base}-${tag}.${ext}`;
}

/** Appends " (2)", " (3)" … so every name in a ZIP is unique. */
export function uniqueNames(names: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((n) => {
    const count = seen.get(n) ?? 0;
    seen.set(n, count + 1);
    if (count === 0) return n;
    const dot = n.lastIndexOf('.');
    const stem = dot > 0 ? n.slice(0, dot) : n;
    const ext = dot > 0 ? n.slice(dot) : '';
    return `${stem} (${count + 1})${ext}`;
  });
}

/** Date stamp for export names: 2024-05-06-1432 (local time). */
export function stamp(d = new Date()): string {
  const p = (v: number) => String(v).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}`;
}

// ---------------------------------------------------------------------------------------------------------------
// ZIP (stored, no compression: WAV barely compresses, and this keeps it to a few lines with no dependency)
// ---------------------------------------------------------------------------------------------------------------

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export interface ZipEntry {
  name: string;
  data: Uint8Array;
}

/** A ZIP archive (method 0 = stored, UTF-8 names, DOS time from `date`). */
export function zipStore(entries: readonly ZipEntry[], date = new Date()): Uint8Array {
  const enc = new TextEncoder();
  const time = (date.getHours() << 11) | (date.getMinutes() << 5) | (date.getSeconds() >> 1);
  const day = ((Math.max(1980, date.getFullYear()) - 1980) << 9) | ((date.getMonth() + 1) << 5) | date.getDate();
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = enc.encode(e.name);
    const crc = crc32(e.data);
    const local = new Uint8Array(30 + name.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(6, 0x0800, true); // UTF-8 names
    lv.setUint16(8, 0, true);
    lv.setUint16(10, time, true);
    lv.setUint16(12, day, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, e.data.length, true);
    lv.setUint32(22, e.data.length, true);
    lv.setUint16(26, name.length, true);
    local.set(name, 30);
    const central = new Uint8Array(46 + name.length);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint16(8, 0x0800, true);
    cv.setUint16(10, 0, true);
    cv.setUint16(12, time, true);
    cv.setUint16(14, day, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, e.data.length, true);
    cv.setUint32(24, e.data.length, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(42, offset, true);
    central.set(name, 46);
    locals.push(local, e.data);
    centrals.push(central);
    offset += local.length + e.data.length;
  }
  const centralSize = centrals.reduce((a, c) => a + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, entries.length, true);
  ev.setUint16(10, entries.length, true);
  ev.setUint32(12, centralSize, true);
  ev.setUint32(16, offset, true);
  const out = new Uint8Array(offset + centralSize + 22);
  let p = 0;
  for (const part of [...locals, ...centrals, end]) {
    out.set(part, p);
    p += part.length;
  }
  return out;
}

/** Reads back a stored ZIP (used by the tests; the app only writes). */
export function unzipStore(zip: Uint8Array): ZipEntry[] {
  const v = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const dec = new TextDecoder();
  const out: ZipEntry[] = [];
  let p = 0;
  while (p + 30 <= zip.length && v.getUint32(p, true) === 0x04034b50) {
    const size = v.getUint32(p + 18, true);
    const nameLen = v.getUint16(p + 26, true);
    const extra = v.getUint16(p + 28, true);
    const name = dec.decode(zip.subarray(p + 30, p + 30 + nameLen));
    const start = p + 30 + nameLen + extra;
    const data = zip.slice(start, start + size);
    if (crc32(data) !== v.getUint32(p + 14, true)) throw new Error(`CRC mismatch in ${name}`);
    out.push({ name, data });
    p = start + size;
  }
  return out;
}

/** Hands a Blob to the browser as a download (a temporary object URL: nothing leaves the machine). */
export function saveBlob(data: BlobPart, name: string, type: string): void {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  // Revoking at once can cancel the download in some browsers.
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

// ---------------------------------------------------------------------------------------------------------------
// Evaluation exports
// ---------------------------------------------------------------------------------------------------------------

type SummaryField =
  | 'method'
  | 'clips'
  | 'wa'
  | 'ua'
  | 'meanSnrDb'
  | 'meanLowChangeDb'
  | 'meanHighChangeDb'
  | 'meanPerturbationHighShare'
  | 'seconds';
type RowField =
  | 'clipId'
  | 'method'
  | 'emotion'
  | 'predicted'
  | 'probabilities'
  | 'reference'
  | 'transcript'
  | 'wer'
  | 'cer'
  | 'snrDb'
  | 'lowChangeDb'
  | 'highChangeDb'
  | 'perturbationHighShare'
  | 'ms';

/** The fields of the engine's EvaluateResult this module reads (an EvaluateResult is one). */
export type EvaluationExport = Pick<EvaluateResult, 'datasetId' | 'split' | 'budgetDb' | 'generatorId' | 'backend'> & {
  summaries: (Pick<MethodSummary, SummaryField> & { wer: Pick<ErrorRate, 'rate'>; cer: Pick<ErrorRate, 'rate'> })[];
  rows: Pick<EvaluationRow, RowField>[];
};

/** One line per method (the comparison table), with the run's provenance in every row so files stay self-describing. */
export function summaryCsv(r: EvaluationExport): string {
  return toCsv(
    [
      'dataset',
      'split',
      'budget_db',
      'generator',
      'backend',
      'method',
      'clips',
      'wa',
      'ua',
      'wer',
      'cer',
      'mean_snr_db',
      'mean_low_change_db',
      'mean_high_change_db',
      'mean_perturbation_high_share',
      'seconds',
    ],
    r.summaries.map((s) => [
      r.datasetId,
      r.split ?? 'all',
      r.budgetDb,
      r.generatorId,
      r.backend,
      s.method,
      s.clips,
      s.wa,
      s.ua,
      s.wer.rate,
      s.cer.rate,
      s.meanSnrDb,
      s.meanLowChangeDb,
      s.meanHighChangeDb,
      s.meanPerturbationHighShare,
      s.seconds,
    ]),
  );
}

/** One line per clip and method. */
export function rowsCsv(r: EvaluationExport, emotions: readonly string[]): string {
  return toCsv(
    [
      'clip',
      'method',
      'emotion',
      'predicted',
      ...emotions.map((e) => `p_${e}`),
      'reference',
      'transcript',
      'wer',
      'cer',
      'snr_db',
      'low_change_db',
      'high_change_db',
      'perturbation_high_share',
      'ms',
    ],
    r.rows.map((x) => [
      x.clipId,
      x.method,
      x.emotion,
      x.predicted,
      ...emotions.map((_, i) => x.probabilities[i]),
      x.reference,
      x.transcript,
      x.wer,
      x.cer,
      x.snrDb,
      x.lowChangeDb,
      x.highChangeDb,
      x.perturbationHighShare,
      x.ms,
    ]),
  );
}
