/**
 * Turning what the user picked or dropped into a DatasetSource the worker can receive. File objects and directory
 * handles cross postMessage; the entries of a dropped folder do not, so they are walked here, on the page.
 */
import type { DatasetSource } from './api';

/** <input type="file" webkitdirectory multiple>: paths come from webkitRelativePath. */
export function filesSourceFromInput(files: FileList | File[], name?: string): DatasetSource {
  return {
    kind: 'files',
    files: [...files].map((file) => ({ path: file.webkitRelativePath || file.name, file })),
    name,
  };
}

function readAll(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  return new Promise((resolve, reject) => {
    const out: FileSystemEntry[] = [];
    // readEntries returns at most ~100 entries per call; an empty batch means the end.
    const next = () =>
      reader.readEntries((batch) => {
        if (batch.length === 0) resolve(out);
        else {
          out.push(...batch);
          next();
        }
      }, reject);
    next();
  });
}

async function walk(entry: FileSystemEntry, out: { path: string; file: File }[]): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    out.push({ path: entry.fullPath.replace(/^\/+/, ''), file });
  } else if (entry.isDirectory) {
    for (const child of await readAll((entry as FileSystemDirectoryEntry).createReader())) await walk(child, out);
  }
}

/**
 * A drop of folders and/or files. Call it synchronously in the drop handler: the DataTransfer is emptied once the
 * handler returns, so the entries are taken first and read afterwards.
 */
export function filesSourceFromDrop(data: DataTransfer, name?: string): Promise<DatasetSource> {
  const entries = [...data.items]
    .map((item) => item.webkitGetAsEntry())
    .filter((e): e is FileSystemEntry => e !== null);
  return (async () => {
    const files: { path: string; file: File }[] = [];
    for (const e of entries) await walk(e, files);
    return { kind: 'files', files, name: name ?? (entries.length === 1 ? entries[0]!.name : undefined) };
  })();
}
