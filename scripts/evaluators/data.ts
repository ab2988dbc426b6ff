/** Node-side data access for the evaluator CLIs: the corpus manifest, clip loading, and the word list. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { decodeWavTo16kMono } from '../../src/core/audio';
import { EMOTIONS, type Emotion } from '../../src/core/data/emotions';
import type { CorpusSplit, ManifestRecord } from '../../src/core/data/types';
import { normalizeText } from '../../src/core/text/normalize';
import { Lexicon } from '../../src/core/text/decoders';
import { NgramLm } from '../../src/core/text/lm';
import type { LabelledClip } from '../../src/core/data/clip';
import type { DecodeOptions } from '../../src/core/ml/predict';
import { decoderSettings, type ModelJson } from '../../src/core/ml/weights';

export function readManifest(file: string): ManifestRecord[] {
  if (!existsSync(file)) throw new Error(`no manifest at ${file}`);
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as ManifestRecord);
}

/** Loads the clips of one split (optionally an evenly spread subset of `limit`). */
export function loadSplit(manifestFile: string, split: CorpusSplit, limit?: number | null): LabelledClip[] {
  const dir = path.dirname(manifestFile);
  let recs = readManifest(manifestFile).filter((r) => r.split === split);
  if (limit && limit < recs.length) {
    const n = limit;
    recs = Array.from({ length: n }, (_, i) => recs[Math.floor((i * recs.length) / n)]);
  }
  return recs.map((r) => ({
    id: r.id,
    samples: decodeWavTo16kMono(readFileSync(path.join(dir, r.path))),
    text: r.text,
    emotion: EMOTIONS.indexOf(r.emotion as Emotion),
  }));
}

/**
 * Normalised words of a system word list (e.g. Debian wamerican) plus the words of `countedTexts`, deduplicated and
 * sorted; words that occur in `countedTexts` are written `word<TAB>count`.
 */
export function buildWordList(dictFile: string | null, countedTexts: string[]): string[] {
  const words = new Map<string, number>();
  if (dictFile) {
    if (!existsSync(dictFile)) throw new Error(`word list ${dictFile} not found (apt-get install wamerican)`);
    for (const line of readFileSync(dictFile, 'utf8').split('\n')) {
      const w = normalizeText(line);
      if (w && !w.includes(' ')) words.set(w, 0);
    }
  }
  for (const t of countedTexts)
    for (const w of normalizeText(t).split(' ')) if (w) words.set(w, (words.get(w) ?? 0) + 1);
  return [...words.keys()].sort().map((w) => (words.get(w) ? `${w}\t${words.get(w)}` : w));
}

/**
 * The beam-search decoder of an ASR folder: its word list and n-gram LM (when model.json names them and they are
 * there) with the settings chosen on val. Null when there is no word list (greedy decoding only).
 */
export function readDecoder(dir: string, json: ModelJson): (DecodeOptions & { describe: string }) | null {
  const d = decoderSettings(json);
  const wordsFile = path.join(dir, d.lexicon ?? 'words.txt');
  if (!existsSync(wordsFile)) return null;
  const lexicon = new Lexicon(
    readFileSync(wordsFile, 'utf8')
      .split('\n')
      .filter((w) => w),
  );
  const lmFile = d.lm ? path.join(dir, d.lm) : null;
  const lm = lmFile && existsSync(lmFile) ? NgramLm.fromBinary(readFileSync(lmFile)) : undefined;
  const describe =
    `lexicon ${lexicon.size} words, ${lm ? `${lm.order}-gram LM (${lm.sizes.join('/')} n-grams)` : 'unigram prior'}, ` +
    `beam ${d.beamWidth}, word bonus ${d.wordBonus}, lm weight ${d.lmWeight}`;
  return { lexicon, lm, beamWidth: d.beamWidth, wordBonus: d.wordBonus, lmWeight: d.lmWeight, describe };
}

/** A rate as a fixed-width percentage for the CLI tables. */
export const pct = (x: number | undefined): string =>
  x === undefined ? '   n/a' : `${(100 * x).toFixed(1).padStart(5)}%`;
