/**
 * Measures what the corpus actually sounds like per emotion (npm run corpus -- --measure): mean F0, F0 range,
 * syllable rate, speech level and spectral tilt, plus two sanity classifiers fitted on train clips and scored on val
 * clips (never test): loudness alone, and all five cues. Writes measurements.json / measurements.md next to the
 * manifest and prints the Markdown.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeWavTo16kMono } from '../../src/core/audio';
import { EMOTIONS, type Emotion } from '../../src/core/data/emotions';
import { stratifiedSubset } from '../../src/core/data/splits';
import type { ManifestRecord } from '../../src/core/data/types';
import { alphaRatioDb, countSyllables, speechLevel, trackPitch } from './analysis';
import { readManifest } from './demo';
import { percentile } from '../../src/core/stats';

export interface ClipMeasures {
  id: string;
  emotion: Emotion;
  voice: string;
  split: string;
  /** Mean F0 of voiced frames, Hz. */
  f0: number;
  /** F0 range: 90th − 10th percentile of voiced frames, semitones. */
  f0Range: number;
  /** Syllables per second of speech-active time. */
  rate: number;
  /** Speech-active level, dBFS. */
  level: number;
  /** Alpha ratio (1–5 kHz vs 50 Hz–1 kHz), dB. */
  tilt: number;
}

export function measureClip(x: Float32Array, text: string): Omit<ClipMeasures, 'id' | 'emotion' | 'voice' | 'split'> {
  const { f0 } = trackPitch(x, { threshold: 0.2 });
  const voiced = Array.from(f0).filter((v) => v > 0);
  const lvl = speechLevel(x);
  const st = (hz: number) => 12 * Math.log2(hz);
  const meanSt = voiced.length ? voiced.reduce((s, v) => s + st(v), 0) / voiced.length : NaN;
  return {
    f0: 2 ** (meanSt / 12),
    f0Range: voiced.length >= 5 ? st(percentile(voiced, 0.9)) - st(percentile(voiced, 0.1)) : NaN,
    rate: lvl.activeSeconds > 0 ? countSyllables(text) / lvl.activeSeconds : NaN,
    level: lvl.activeDb,
    tilt: alphaRatioDb(x),
  };
}

type Feature = 'f0Rel' | 'f0Range' | 'rate' | 'level' | 'tilt';
const FEATURES: Feature[] = ['f0Rel', 'f0Range', 'rate', 'level', 'tilt'];

/**
 * Nearest class mean after z-scoring features with train statistics. With one feature (loudness) this is the best
 * set of thresholds between class means; accuracy on val shows how much that cue alone gives away.
 */
function nearestMean(
  train: Array<Record<Feature, number> & { emotion: Emotion }>,
  test: typeof train,
  feats: Feature[],
) {
  const mu: Record<string, number> = {};
  const sd: Record<string, number> = {};
  for (const f of feats) {
    const v = train.map((r) => r[f]);
    mu[f] = v.reduce((a, b) => a + b, 0) / v.length;
    sd[f] = Math.sqrt(v.reduce((a, b) => a + (b - mu[f]!) ** 2, 0) / v.length) || 1;
  }
  const z = (r: Record<Feature, number>) => feats.map((f) => (r[f] - mu[f]!) / sd[f]!);
  const centroids = EMOTIONS.map((e) => {
    const rows = train.filter((r) => r.emotion === e).map(z);
    return feats.map((_, k) => rows.reduce((s, r) => s + r[k]!, 0) / rows.length);
  });
  const recall = EMOTIONS.map(() => [0, 0]);
  let correct = 0;
  for (const r of test) {
    const v = z(r);
    let best = 0;
    let bestD = Infinity;
    centroids.forEach((c, k) => {
      const d = c.reduce((s, ck, j) => s + (ck - v[j]!) ** 2, 0);
      if (d < bestD) {
        bestD = d;
        best = k;
      }
    });
    const truth = EMOTIONS.indexOf(r.emotion);
    recall[truth]![1]!++;
    if (best === truth) {
      correct++;
      recall[truth]![0]!++;
    }
  }
  return { wa: correct / test.length, ua: recall.reduce((s, [c, n]) => s + (n ? c! / n! : 0), 0) / EMOTIONS.length };
}

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const sdev = (v: number[]) => Math.sqrt(mean(v.map((x) => (x - mean(v)) ** 2)));

export async function measureCommand(opts: {
  dir: string;
  perEmotion: number;
  log: (s: string) => void;
}): Promise<void> {
  const records = readManifest(opts.dir);
  // Train clips (a stratified sample) fit the sanity classifiers; all val clips score them.
  const train = stratifiedSubset(
    records.filter((r) => r.split === 'train'),
    opts.perEmotion * 4,
    'measure',
  );
  const val = records.filter((r) => r.split === 'val');
  const chosen: ManifestRecord[] = [...train, ...val];
  opts.log(`measuring ${chosen.length} clips (${train.length} train, ${val.length} val)`);
  const t0 = Date.now();
  const rows: ClipMeasures[] = [];
  for (const [i, r] of chosen.entries()) {
    const x = decodeWavTo16kMono(readFileSync(join(opts.dir, r.path)));
    rows.push({ id: r.id, emotion: r.emotion, voice: r.voice, split: r.split, ...measureClip(x, r.text) });
    if ((i + 1) % 500 === 0) opts.log(`${i + 1}/${chosen.length} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  }
  const ok = rows.filter((r) => Number.isFinite(r.f0) && Number.isFinite(r.f0Range) && Number.isFinite(r.rate));

  // F0 relative to the same voice's neutral clips: voices differ by an octave, emotions by a few semitones.
  const neutralSt = new Map<string, number>();
  for (const v of new Set(ok.map((r) => r.voice))) {
    const n = ok.filter((r) => r.voice === v && r.emotion === 'neutral').map((r) => 12 * Math.log2(r.f0));
    neutralSt.set(v, mean(n));
  }
  const feats = ok.map((r) => ({ ...r, f0Rel: 12 * Math.log2(r.f0) - neutralSt.get(r.voice)! }));

  const fmt = (v: number[], d = 1) => `${mean(v).toFixed(d)} ± ${sdev(v).toFixed(d)}`;
  const lines: string[] = [];
  lines.push(
    `Measured on ${feats.length} clips (${train.length} train sampled with seed "measure", all ${val.length} val); mean ± sd over clips.`,
  );
  lines.push('');
  lines.push(
    '| emotion | clips | mean F0 (Hz) | F0 vs voice neutral (st) | F0 range p10–p90 (st) | syllable rate (syl/s) | speech level (dBFS) | alpha ratio (dB) |',
  );
  lines.push('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const e of EMOTIONS) {
    const g = feats.filter((r) => r.emotion === e);
    lines.push(
      `| ${e} | ${g.length} | ${fmt(
        g.map((r) => r.f0),
        0,
      )} | ${fmt(g.map((r) => r.f0Rel))} | ${fmt(g.map((r) => r.f0Range))} | ` +
        `${fmt(
          g.map((r) => r.rate),
          2,
        )} | ${fmt(g.map((r) => r.level))} | ${fmt(g.map((r) => r.tilt))} |`,
    );
  }
  lines.push('');
  lines.push("Per voice: F0 vs the voice's neutral (st) / F0 range (st), mean over clips");
  lines.push('');
  lines.push(`| voice | ${EMOTIONS.join(' | ')} |`);
  lines.push(`| --- | ${EMOTIONS.map(() => '---').join(' | ')} |`);
  for (const v of [...neutralSt.keys()].sort()) {
    const cells = EMOTIONS.map((e) => {
      const g = feats.filter((r) => r.voice === v && r.emotion === e);
      return g.length ? `${mean(g.map((r) => r.f0Rel)).toFixed(1)} / ${mean(g.map((r) => r.f0Range)).toFixed(1)}` : '–';
    });
    lines.push(`| ${v} | ${cells.join(' | ')} |`);
  }
  const tr = feats.filter((r) => r.split === 'train');
  const va = feats.filter((r) => r.split === 'val');
  const loud = nearestMean(tr, va, ['level']);
  const single = FEATURES.map((f) => [f, nearestMean(tr, va, [f])] as const);
  const all = nearestMean(tr, va, FEATURES);
  lines.push('');
  lines.push(
    'Sanity classifiers (nearest class mean on z-scored features, fitted on the train sample, scored on val; chance = 25%):',
  );
  lines.push('');
  lines.push('| features | val WA | val UA |');
  lines.push('| --- | --- | --- |');
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  lines.push(`| loudness only (speech level) | ${pct(loud.wa)} | ${pct(loud.ua)} |`);
  for (const [f, r] of single) if (f !== 'level') lines.push(`| ${f} only | ${pct(r.wa)} | ${pct(r.ua)} |`);
  lines.push(`| all five cues | ${pct(all.wa)} | ${pct(all.ua)} |`);
  const md = lines.join('\n');
  writeFileSync(join(opts.dir, 'measurements.md'), md + '\n');
  writeFileSync(
    join(opts.dir, 'measurements.json'),
    JSON.stringify(
      { clips: feats.length, loudnessOnly: loud, allCues: all, single: Object.fromEntries(single), rows: feats },
      null,
      0,
    ) + '\n',
  );
  console.log(md);
  opts.log(`measured in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}
