/**
 * Node-only file source over a directory (scripts and tests). Not exported from ./index so the browser bundle never
 * pulls in node:fs; import it as 'src/core/data/node-source'.
 */
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, relative, resolve, sep } from 'node:path';
import { isJunkPath, type FileRef, type FileSource } from './source';

function toArrayBuffer(b: Buffer): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

export function nodeDirectorySource(dir: string): FileSource {
  const root = resolve(dir);
  return {
    name: basename(root),
    async list() {
      const st = await stat(root).catch(() => null);
      if (!st?.isDirectory()) throw new Error(`Not a folder: ${root}`);
      const entries = await readdir(root, { recursive: true, withFileTypes: true });
      const out: FileRef[] = [];
      for (const e of entries) {
        if (!e.isFile()) continue;
        const abs = join(e.parentPath ?? (e as unknown as { path: string }).path, e.name);
        const path = relative(root, abs).split(sep).join('/');
        if (isJunkPath(path)) continue;
        out.push({
          path,
          read: async () => toArrayBuffer(await readFile(abs)),
          readHead: async (bytes) => {
            const fh = await open(abs, 'r');
            try {
              const buf = Buffer.alloc(bytes);
              const { bytesRead } = await fh.read(buf, 0, bytes, 0);
              return toArrayBuffer(buf.subarray(0, bytesRead));
            } finally {
              await fh.close();
            }
          },
        });
      }
      out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      return out;
    },
  };
}
