/**
 * Atomic, no-clobber file writes for `npm run protect`. Data goes to a hidden temp file in the destination's folder
 * (same file system, so the final step is a rename) and is flushed before it gets the final name: a crash leaves at
 * most a hidden `.name.tmp` file, never a half-written output under the real name.
 */
import { randomBytes } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { link, mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { fileId } from './plan';

export class OutputExistsError extends Error {
  override name = 'OutputExistsError';
}

export interface AtomicWriteOptions {
  /** replace an existing destination (default false: fail with OutputExistsError) */
  overwrite?: boolean;
  /** identities (device:inode) that must never be replaced, even with overwrite */
  protectedIds?: ReadonlySet<string>;
}

/** Temp files of writes in progress, removed by removePendingTemps() on Ctrl-C. */
const pending = new Set<string>();

export function removePendingTemps(): void {
  for (const t of pending) {
    try {
      unlinkSync(t);
    } catch {
      // already renamed or never created
    }
  }
  pending.clear();
}

export async function writeFileAtomic(
  dest: string,
  data: Uint8Array | string,
  opts: AtomicWriteOptions = {},
): Promise<void> {
  const dir = path.dirname(dest);
  await mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(dest)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  pending.add(tmp);
  try {
    const fh = await open(tmp, 'wx');
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    // Checked again at the last moment: the plan was made before any decoding, and files can appear meanwhile.
    const existing = await stat(dest).catch(() => null);
    if (existing && opts.protectedIds?.has(fileId(existing))) {
      throw new OutputExistsError(`${dest} is one of the input files; it is never replaced`);
    }
    if (opts.overwrite) {
      await rename(tmp, dest);
    } else {
      // link() fails with EEXIST instead of replacing: no window in which an existing file could be clobbered.
      try {
        await link(tmp, dest);
        await unlink(tmp);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') throw new OutputExistsError(`${dest} appeared while protecting; it was left as it is`);
        // File systems without hard links (some network and FAT mounts): check, then rename.
        if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV') throw e;
        if (await stat(dest).catch(() => null))
          throw new OutputExistsError(`${dest} appeared while protecting; it was left as it is`);
        await rename(tmp, dest);
      }
    }
  } finally {
    await unlink(tmp).catch(() => undefined);
    pending.delete(tmp);
  }
}
