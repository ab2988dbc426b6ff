/**
 * File sources: one small interface over "a folder of files" so the same dataset parsers run on a Node directory, a
 * browser <input webkitdirectory> FileList, a File System Access directory handle or a dropped folder. Listing reads
 * only names and sizes; bytes are read on demand, one file at a time, so a folder of thousands of clips never sits
 * in memory at once. Nothing here uploads anything: browser sources read the user's files locally.
 */

export interface FileRef {
  /** Path relative to the source root, '/'-separated, no leading slash. */
  path: string;
  /** Size in bytes when known without reading. */
  size?: number;
  /** The whole file. */
  read(): Promise<ArrayBuffer>;
  /** The first `bytes` bytes (header probing); falls back to read() where a source cannot slice. */
  readHead?(bytes: number): Promise<ArrayBuffer>;
}

export interface FileSource {
  /** Folder name shown to the user. */
  name: string;
  list(): Promise<FileRef[]>;
}

function cleanPath(p: string): string {
  return p.replace(/\\/g, '/').replace(/^\.?\/+/, '').replace(/\/{2,}/g, '/');
}

/** Junk the OS leaves in folders (macOS resource forks and Finder files, Windows thumbnails, hidden files). */
export function isJunkPath(path: string): boolean {
  return path.split('/').some((part) => part.startsWith('.') || part === '__MACOSX' || part === 'Thumbs.db');
}

/** Drops a single top folder shared by every path (a picked folder's own name), so paths start inside it. */
function stripCommonRoot(refs: FileRef[]): { root: string | null; refs: FileRef[] } {
  if (refs.length === 0) return { root: null, refs };
  const first = refs[0]!.path.split('/')[0]!;
  if (!refs.every((r) => r.path.startsWith(`${first}/`))) return { root: null, refs };
  return { root: first, refs: refs.map((r) => ({ ...r, path: r.path.slice(first.length + 1) })) };
}

/** Minimal File shape (DOM File or anything alike), so this module has no DOM dependency at load time. */
export interface FileLikeBlob {
  name: string;
  size: number;
  webkitRelativePath?: string;
  arrayBuffer(): Promise<ArrayBuffer>;
  slice(start?: number, end?: number): { arrayBuffer(): Promise<ArrayBuffer> };
}

function blobRef(path: string, file: FileLikeBlob): FileRef {
  return {
    path: cleanPath(path),
    size: file.size,
    read: () => file.arrayBuffer(),
    readHead: (bytes) => file.slice(0, bytes).arrayBuffer(),
  };
}

/**
 * Files from <input type="file" webkitdirectory> (webkitRelativePath gives the folder structure) or from any list of
 * files with explicit paths.
 */
export function filesSource(
  files: Iterable<FileLikeBlob | { path: string; file: FileLikeBlob }>,
  name?: string,
): FileSource {
  const refs = [...files].map((it) =>
    'file' in it ? blobRef(it.path, it.file) : blobRef(it.webkitRelativePath || it.name, it),
  );
  const { root, refs: stripped } = stripCommonRoot(refs.filter((r) => !isJunkPath(r.path)));
  return { name: name ?? root ?? 'selected files', list: async () => stripped };
}

/** Lists once and serves that listing afterwards (folder walks in the browser are slow to repeat). */
export function cachedSource(source: FileSource): FileSource {
  let listing: Promise<FileRef[]> | null = null;
  return { name: source.name, list: () => (listing ??= source.list()) };
}

/** The subset of the File System Access API used here (typed locally: TS's DOM lib lacks the async iterators). */
export interface DirectoryHandleLike {
  kind: 'directory';
  name: string;
  values(): AsyncIterable<DirectoryHandleLike | FileHandleLike>;
}
export interface FileHandleLike {
  kind: 'file';
  name: string;
  getFile(): Promise<FileLikeBlob>;
}

/** A folder picked with showDirectoryPicker(). Files are opened lazily, when read. */
export function directoryHandleSource(handle: DirectoryHandleLike): FileSource {
  return {
    name: handle.name,
    async list() {
      const out: FileRef[] = [];
      const walk = async (dir: DirectoryHandleLike, prefix: string) => {
        for await (const h of dir.values()) {
          const path = prefix ? `${prefix}/${h.name}` : h.name;
          if (isJunkPath(path)) continue;
          if (h.kind === 'directory') await walk(h, path);
          else {
            const fh = h;
            let file: FileLikeBlob | null = null;
            const get = async () => (file ??= await fh.getFile());
            out.push({
              path,
              read: async () => (await get()).arrayBuffer(),
              readHead: async (bytes) => (await get()).slice(0, bytes).arrayBuffer(),
            });
          }
        }
      };
      await walk(handle, '');
      return out;
    },
  };
}

/** The subset of the (webkit) File and Directory Entries API that a dropped folder exposes. */
export interface EntryLike {
  isFile: boolean;
  isDirectory: boolean;
  name: string;
  fullPath: string;
  file?(ok: (f: FileLikeBlob) => void, fail: (e: unknown) => void): void;
  createReader?(): { readEntries(ok: (entries: EntryLike[]) => void, fail: (e: unknown) => void): void };
}

/**
 * A folder (or files) dragged onto the page: pass the entries from DataTransferItem.webkitGetAsEntry(), collected
 * synchronously in the drop handler (the DataTransfer is emptied once the handler returns).
 */
export function droppedEntriesSource(entries: EntryLike[], name?: string): FileSource {
  return {
    name: name ?? (entries.length === 1 ? entries[0]!.name : 'dropped files'),
    async list() {
      const out: FileRef[] = [];
      const walk = async (e: EntryLike): Promise<void> => {
        const path = cleanPath(e.fullPath || e.name);
        if (isJunkPath(path)) return;
        if (e.isFile && e.file) {
          const file = await new Promise<FileLikeBlob>((ok, fail) => e.file!(ok, fail));
          out.push(blobRef(path, file));
        } else if (e.isDirectory && e.createReader) {
          const reader = e.createReader();
          // readEntries returns at most ~100 entries per call; keep calling until it returns none.
          for (;;) {
            const batch = await new Promise<EntryLike[]>((ok, fail) => reader.readEntries(ok, fail));
            if (batch.length === 0) break;
            for (const child of batch) await walk(child);
          }
        }
      };
      for (const e of entries) await walk(e);
      return stripCommonRoot(out).refs;
    },
  };
}

/** In-memory files (tests, generated data). */
export function memorySource(files: Record<string, Uint8Array | string>, name = 'memory'): FileSource {
  const enc = new TextEncoder();
  return {
    name,
    async list() {
      return Object.entries(files).map(([path, data]) => {
        const bytes = typeof data === 'string' ? enc.encode(data) : data;
        const ab = () => bytes.slice().buffer as ArrayBuffer;
        return {
          path: cleanPath(path),
          size: bytes.length,
          read: async () => ab(),
          readHead: async (n: number) => bytes.slice(0, n).buffer as ArrayBuffer,
        };
      });
    },
  };
}

/** Paths are compared case-sensitively but folder separators and leading "./" are normalised. */
export function indexByPath(refs: FileRef[]): Map<string, FileRef> {
  return new Map(refs.map((r) => [cleanPath(r.path), r]));
}

export function joinPath(dir: string, rel: string): string {
  const parts = (dir ? `${dir}/${cleanPath(rel)}` : cleanPath(rel)).split('/');
  const out: string[] = [];
  for (const p of parts) {
    if (p === '' || p === '.') continue;
    if (p === '..') out.pop();
    else out.push(p);
  }
  return out.join('/');
}

export function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}
