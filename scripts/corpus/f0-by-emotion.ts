/**
 * Median F0 per emotion and voice on N clips of one split, with the label-free tracker in src/core/cues: a check
 * that the corpus's per-emotion pitch shifts (docs/corpus.md) show in what the app measures.
 *
 *   npm run corpus:f0 -- [--dir data/corpus] [--split val] [--n 200]
 *
 * Clips are taken evenly spread in id order within each emotion (N/4 per emotion), so the run is deterministic.
 * The held-out splits are allowed (this tunes nothing), but `val` is the default.
 */
import { decodeEntry, EMOTIONS, loadDataset, type DatasetEntry } from '../../src/core/data';
import { nodeDirectorySource } from '../../src/core/data/node-source';
import { medianF0, trackPitch } from '../../src/core/cues';
import { median } from '../../src/core/stats';
import { numberFlag, parseFlags, stringFlag } from '../flags';

interface ClipF0 {
  emotion: string;
  voice: string;
  hz: number;
  voicedShare: number;
}

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const sd = (v: number[]) => Math.sqrt(mean(v.map((x) => (x - mean(v)) ** 2)));

function spread<T>(items: T[], k: number): T[] {
  if (items.length <= k) return items;
  return Array.from({ length: k }, (_, i) => items[Math.floor(((i + 0.5) * items.length) / k)]!);
}

async function main(): Promise<void> {
  const { flags } = parseFlags(process.argv.slice(2));
  const dir = stringFlag(flags, 'dir') ?? 'data/corpus';
  const split = stringFlag(flags, 'split') ?? 'val';
  const n = numberFlag(flags, 'n') ?? 200;
  const started = performance.now();
  const index = await loadDataset(nodeDirectorySource(dir));
  const inSplit = index.entries.filter((e) => e.split === split).sort((a, b) => (a.id < b.id ? -1 : 1));
  if (!inSplit.length) throw new Error(`${dir} has no clips in split “${split}”.`);
  const chosen: DatasetEntry[] = EMOTIONS.flatMap((emo) =>
    spread(
      inSplit.filter((e) => e.emotion === emo),
      Math.ceil(n / EMOTIONS.length),
    ),
  );

  const clips: ClipF0[] = [];
  let audioSeconds = 0;
  for (const e of chosen) {
    const x = await decodeEntry(e);
    audioSeconds += x.length / 16000;
    const t = trackPitch(x);
    const voiced = t.voiced.reduce((a, b) => a + b, 0);
    clips.push({
      emotion: e.emotion ?? '?',
      voice: typeof e.meta.voice === 'string' ? e.meta.voice : e.speaker,
      hz: medianF0(t),
      voicedShare: voiced / t.voiced.length,
    });
  }
  const usable = clips.filter((c) => Number.isFinite(c.hz));
  const voices = [...new Set(usable.map((c) => c.voice))].sort();
  // Per voice, the reference is the mean log-F0 of its neutral clips, as in docs/corpus.md's measurement table.
  const neutralSt = new Map<string, number>();
  for (const v of voices) {
    const ref = usable.filter((c) => c.voice === v && c.emotion === 'neutral').map((c) => 12 * Math.log2(c.hz));
    if (ref.length) neutralSt.set(v, mean(ref));
  }

  console.log(
    `# Median F0 by emotion: ${dir}, split ${split}, ${usable.length} of ${chosen.length} clips with voiced frames`,
  );
  console.log(
    `(${audioSeconds.toFixed(0)} s of audio in ${((performance.now() - started) / 1000).toFixed(1)} s; tracker: src/core/cues trackPitch, 50–500 Hz, 10 ms hop)\n`,
  );
  console.log(
    '| emotion | clips | median of clip median F0 (Hz) | F0 vs voice neutral (st, mean ± sd) | voiced share |',
  );
  console.log('| --- | --- | --- | --- | --- |');
  for (const emo of EMOTIONS) {
    const c = usable.filter((r) => r.emotion === emo);
    const rel = c.filter((r) => neutralSt.has(r.voice)).map((r) => 12 * Math.log2(r.hz) - neutralSt.get(r.voice)!);
    console.log(
      `| ${emo} | ${c.length} | ${median(c.map((r) => r.hz)).toFixed(1)} | ${mean(rel).toFixed(2)} ± ${sd(rel).toFixed(2)} | ${mean(c.map((r) => r.voicedShare)).toFixed(2)} |`,
    );
  }
  console.log('\nMedian F0 (Hz) per voice and emotion (clips):\n');
  console.log(`| voice | ${EMOTIONS.join(' | ')} |`);
  console.log(`| --- |${EMOTIONS.map(() => ' --- |').join('')}`);
  for (const v of voices) {
    const cells = EMOTIONS.map((emo) => {
      const c = usable.filter((r) => r.voice === v && r.emotion === emo);
      return c.length ? `${median(c.map((r) => r.hz)).toFixed(1)} (${c.length})` : '–';
    });
    console.log(`| ${v} | ${cells.join(' | ')} |`);
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
