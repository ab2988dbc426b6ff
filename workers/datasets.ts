/**
 * Datasets held by the worker: the index (metadata + lazy readers) stays here under an id; audio is decoded one clip
 * at a time when a job needs it. Sources: the demo set or any manifest on our own origin, files from a folder picker
 * or a drop, a File System Access directory handle.
 */
import {
  decodeEntry,
  directoryHandleSource,
  filesSource,
  formatReport,
  loadDataset,
  parseCsv,
  parseJsonl,
  shuffled,
  rngFor,
  stratifiedSubset,
  summarize,
  type DatasetEntry,
  type DatasetIndex,
  type DirectoryHandleLike,
  type FileRef,
  type FileSource,
} from '../src/core/data';
import type {
  ClipSelection,
  DatasetClipMeta,
  DatasetClipPage,
  DatasetClipsArgs,
  DatasetInfo,
  DatasetSource,
  OpenDatasetArgs,
} from '../src/engine/api';
import type { JobContext } from './jobs';

/** The manifest's audio paths, so a URL source can list its files without a directory listing. */
function manifestPaths(text: string, isCsv: boolean): string[] {
  const rows = isCsv ? parseCsv(text) : parseJsonl(text);
  const keys = ['path', 'file', 'audio', 'wav', 'filename', 'file_path', 'audio_path'];
  const out: string[] = [];
  for (const row of rows) {
    if (!row) continue;
    for (const [k, v] of Object.entries(row)) {
      if (keys.includes(k.toLowerCase()) && typeof v === 'string' && v.trim()) {
        out.push(v.trim());
        break;
      }
    }
  }
  return out;
}

function fetchRef(path: string, url: string, signal: AbortSignal): FileRef {
  const get = async (init?: RequestInit) => {
    const r = await fetch(url, { ...init, signal });
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    return r;
  };
  return {
    path,
    read: async () => (await get()).arrayBuffer(),
    // A range request keeps probing cheap; servers that ignore Range send the whole file, cut here.
    readHead: async (bytes) =>
      (await (await get({ headers: { Range: `bytes=0-${bytes - 1}` } })).arrayBuffer()).slice(0, bytes),
  };
}

/** A manifest on our own origin and the files it names (the demo set is one). */
export function urlSource(manifestUrl: string, name: string, signal: AbortSignal): FileSource {
  const manifestName = manifestUrl.split('/').pop() || 'manifest.jsonl';
  return {
    name,
    async list() {
      const r = await fetch(manifestUrl, { signal });
      if (!r.ok || (r.headers.get('content-type') ?? '').includes('text/html')) {
        throw new Error(`The manifest ${manifestUrl} could not be loaded (HTTP ${r.status}).`);
      }
      const text = await r.text();
      const bytes = new TextEncoder().encode(text);
      const manifestRef: FileRef = {
        path: manifestName,
        size: bytes.length,
        read: async () => bytes.slice().buffer as ArrayBuffer,
      };
      const paths = [...new Set(manifestPaths(text, /\.csv$/i.test(manifestName)))];
      return [
        manifestRef,
        ...paths.map((p) => fetchRef(p.replace(/^\.?\//, ''), new URL(p, manifestUrl).href, signal)),
      ];
    },
  };
}

function demoManifestUrl(): string {
  return new URL(`${import.meta.env.BASE_URL}demo/manifest.jsonl`, self.location.href).href;
}

function sourceFor(src: DatasetSource, signal: AbortSignal): FileSource {
  switch (src.kind) {
    case 'demo':
      return urlSource(demoManifestUrl(), 'Demo clips', signal);
    case 'url':
      return urlSource(src.manifestUrl, src.name ?? 'dataset', signal);
    case 'files':
      if (!Array.isArray(src.files) || src.files.length === 0) throw new Error('No files were given.');
      return filesSource(src.files, src.name);
    case 'directory':
      return directoryHandleSource(src.handle as unknown as DirectoryHandleLike);
    default:
      throw new Error(`Unknown dataset source ${(src as { kind: string }).kind}`);
  }
}

export function clipMeta(e: DatasetEntry): DatasetClipMeta {
  return {
    id: e.id,
    path: e.path,
    text: e.text,
    emotion: e.emotion,
    label: e.label,
    speaker: e.speaker,
    split: e.split,
    fold: e.fold,
    duration: e.duration,
  };
}

/** The split a clip belongs to: its own split, else its fold (IEMOCAP sessions), else 'none'. */
export function splitOf(e: DatasetEntry): string {
  return e.split ?? (e.fold !== null ? `fold${e.fold}` : 'none');
}

/** Held-out splits never feed training or tuning (docs/architecture.md). */
export const HELD_OUT_SPLITS = new Set(['test', 'test_speaker']);

export class DatasetStore {
  private readonly sets = new Map<string, DatasetIndex>();
  private counter = 0;

  async open(args: OpenDatasetArgs, ctx: JobContext): Promise<DatasetInfo> {
    ctx.progress('Reading the dataset', null);
    const source = sourceFor(args.source, ctx.signal);
    const index = await loadDataset(source, { format: args.format ?? 'auto' });
    await ctx.checkpoint();
    const id = `ds-${++this.counter}`;
    this.sets.set(id, index);
    ctx.progress('Reading the dataset', 1);
    return this.info(id);
  }

  get(id: string): DatasetIndex {
    const d = this.sets.get(id);
    if (!d) throw new Error(`No open dataset with id “${id}” (it may have been closed, or the engine restarted).`);
    return d;
  }

  close(id: string): void {
    this.sets.delete(id);
  }

  info(id: string): DatasetInfo {
    const d = this.get(id);
    const s = summarize(d.entries);
    const byFold: Record<string, number> = {};
    for (const e of d.entries) if (e.fold !== null) byFold[String(e.fold)] = (byFold[String(e.fold)] ?? 0) + 1;
    return {
      id,
      name: d.name,
      format: d.format,
      clips: s.clips,
      hours: s.hours,
      byEmotion: s.byEmotion,
      bySplit: s.bySplit,
      bySpeaker: s.bySpeaker,
      byFold,
      withText: d.entries.filter((e) => e.text !== null).length,
      report: d.report,
      reportText: formatReport(d.report),
    };
  }

  page(args: DatasetClipsArgs): DatasetClipPage {
    const all = this.get(args.datasetId).entries;
    const list = args.split == null ? all : all.filter((e) => splitOf(e) === args.split);
    const offset = Math.max(0, Math.floor(args.offset ?? 0));
    const limit = Math.max(0, Math.min(1000, Math.floor(args.limit ?? 100)));
    return { total: list.length, offset, clips: list.slice(offset, offset + limit).map(clipMeta) };
  }

  entry(datasetId: string, clipId: string): DatasetEntry {
    const e = this.get(datasetId).entries.find((x) => x.id === clipId);
    if (!e) throw new Error(`The dataset has no clip “${clipId}”.`);
    return e;
  }

  /**
   * The clips of a selection: a split (or all), then at most `limit` of them — a seeded stratified subset when the
   * clips carry emotions, so a small evaluation keeps the class balance of the split.
   */
  select(sel: ClipSelection): DatasetEntry[] {
    const all = this.get(sel.datasetId).entries;
    const list = sel.split == null ? all : all.filter((e) => splitOf(e) === sel.split);
    if (list.length === 0)
      throw new Error(
        sel.split == null ? 'The dataset has no clips.' : `The dataset has no clips in the split “${sel.split}”.`,
      );
    const limit = sel.limit === undefined ? list.length : Math.max(1, Math.floor(sel.limit));
    if (limit >= list.length) return list;
    const seed = sel.seed ?? 0;
    const labelled = list.filter((e) => e.emotion !== null);
    if (labelled.length >= limit) return stratifiedSubset(labelled, limit, seed);
    return shuffled(list, rngFor('selection', seed)).slice(0, limit);
  }
}

export { decodeEntry };
