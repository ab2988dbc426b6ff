/** Node-only file IO for models ('aclipse-fn/1') and plain JSON files. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ModelArtifacts, ModelJson } from '../ml/weights';

/** Writes model.json + weights.bin into `dir` (atomically per file). */
export async function writeModelDir(dir: string, art: ModelArtifacts): Promise<void> {
  await mkdir(dir, { recursive: true });
  const files = art.modelJson.weightsManifest.flatMap((g) => g.paths);
  if (files.length !== 1) throw new Error('writeModelDir expects one weights file');
  await writeAtomic(path.join(dir, files[0]), new Uint8Array(art.weightData));
  await writeAtomic(path.join(dir, 'model.json'), JSON.stringify(art.modelJson, null, 1) + '\n');
}

export async function readModelDir(dir: string): Promise<ModelArtifacts> {
  const modelJson = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8')) as ModelJson;
  const bufs = await Promise.all(
    modelJson.weightsManifest.flatMap((g) => g.paths).map((p) => readFile(path.join(dir, p))),
  );
  const total = bufs.reduce((a, b) => a + b.byteLength, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const b of bufs) {
    out.set(b, o);
    o += b.byteLength;
  }
  return { modelJson, weightData: out.buffer };
}

export async function writeAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, data);
  await rename(tmp, file);
}

/** The SHA-256 of some bytes, hex: how claims and reports name the weights they were measured with. */
export function sha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** sha256Of a file's bytes. */
export function sha256OfFile(file: string): string {
  return sha256Of(readFileSync(file));
}
