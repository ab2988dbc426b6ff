/**
 * Small committed subsets of a generated corpus: the demo clips under public/demo (so the app works out of the box)
 * and the 10-clip fixture under tests/fixtures/corpus10. Both are plain corpus folders: manifest.jsonl + clips/.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { EMOTIONS } from '../../src/core/data/emotions';
import { rngFor, shuffled } from '../../src/core/data/random';
import type { ManifestRecord } from '../../src/core/data/types';

export function readManifest(dir: string): ManifestRecord[] {
  const path = join(dir, 'manifest.jsonl');
  if (!existsSync(path)) throw new Error(`No manifest at ${path}: generate the corpus first (npm run corpus)`);
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as ManifestRecord);
}

/** Copies the given records' clips and writes their manifest; `flatten` stores clips as clips/<id>.wav. */
export function exportClips(from: string, to: string, records: ManifestRecord[], flatten = true): void {
  rmSync(to, { recursive: true, force: true });
  mkdirSync(to, { recursive: true });
  const out: ManifestRecord[] = [];
  for (const r of records) {
    const path = flatten ? `clips/${r.id}.wav` : r.path;
    mkdirSync(dirname(join(to, path)), { recursive: true });
    copyFileSync(join(from, r.path), join(to, path));
    out.push({ ...r, path });
  }
  writeFileSync(join(to, 'manifest.jsonl'), out.map((r) => JSON.stringify(r)).join('\n') + '\n');
}

/**
 * Picks `n` records of one emotion spread over voices (round-robin, voices in a fixed order), by a fixed seed.
 * Exported for the test that checks the stratification.
 */
export function pickSpread(records: ManifestRecord[], n: number, seed: string): ManifestRecord[] {
  const byVoice = new Map<string, ManifestRecord[]>();
  for (const r of shuffled(records, rngFor(seed))) {
    const list = byVoice.get(r.voice) ?? [];
    list.push(r);
    byVoice.set(r.voice, list);
  }
  const voices = [...byVoice.keys()].sort();
  const out: ManifestRecord[] = [];
  for (let round = 0; out.length < n; round++) {
    let added = false;
    for (const v of voices) {
      const r = byVoice.get(v)![round];
      if (!r || out.length >= n) continue;
      out.push(r);
      added = true;
    }
    if (!added) break;
  }
  return out;
}

/**
 * Demo set: 3 clips per emotion from the held-out test split (sentences never trained on), short ones (1.5–3 s) so
 * the page loads fast, spread over voices, chosen by a fixed seed; plus a small train and val split (by default 8
 * and 3 per emotion, spread over voices) so the Train tab works out of the box. The Protect tab's demo picker shows
 * the test clips only; the train/val clips are fetched only when the demo set is opened as a dataset.
 */
export function buildDemo(opts: {
  from: string;
  to: string;
  perEmotion?: number;
  trainPerEmotion?: number;
  valPerEmotion?: number;
  log: (s: string) => void;
}): void {
  const short = readManifest(opts.from).filter((r) => r.duration >= 1.5 && r.duration <= 3);
  const all = short.filter((r) => r.split === 'test');
  const picked: ManifestRecord[] = [];
  for (const e of EMOTIONS) {
    const usedVoices = new Set<string>();
    for (const r of shuffled(
      all.filter((x) => x.emotion === e),
      rngFor('demo', e),
    )) {
      if (usedVoices.has(r.voice)) continue;
      usedVoices.add(r.voice);
      picked.push(r);
      if (usedVoices.size === (opts.perEmotion ?? 3)) break;
    }
  }
  const counts: Record<string, number> = { test: picked.length };
  for (const [split, n] of [
    ['train', opts.trainPerEmotion ?? 8],
    ['val', opts.valPerEmotion ?? 3],
  ] as const) {
    counts[split] = 0;
    for (const e of EMOTIONS) {
      const chosen = pickSpread(
        short.filter((r) => r.split === split && r.emotion === e),
        n,
        `demo-${split}-${e}`,
      );
      picked.push(...chosen);
      counts[split] += chosen.length;
    }
  }
  exportClips(opts.from, opts.to, picked);
  opts.log(
    `demo: ${picked.length} clips (test ${counts.test}, train ${counts.train}, val ${counts.val}) written to ${opts.to}`,
  );
}
