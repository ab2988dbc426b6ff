/**
 * npm run eval:robust -- <report dir> [<report dir> …] [--against <report dir>] [--out file.md]
 *
 * Reads the per-clip CSVs an external report wrote (`clips-<set>.csv`, in the folder or its `external/`) and prints,
 * per set, condition and attacker, the gain over noise three ways: the plain mean over clips with its standard
 * error, the same with each clip's WER capped at 100 %, and the median. Whisper can loop on a protected clip ("the
 * the the …") and reach thousands of % WER on it, so one clip can carry the plain mean; the capped mean is the
 * share of words hidden beyond noise, which no single clip can inflate past 1/n. Reports written before these
 * columns existed are read from their CSVs, so their figures need no new run. With `--against`, each condition's
 * capped gain is also compared clip by clip with the same condition of another report on the same clips (the
 * difference's mean ± standard error), as variants of one setting are compared.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { gainOverNoiseStats, meanSd } from '../../src/core/evaluation';
import { wer } from '../../src/core/metrics/scores';
import { median } from '../../src/core/stats';
import { parseFlags, stringFlag } from '../flags';

export interface RobustGain {
  set: string;
  method: string;
  budgetDb: string;
  attacker: string;
  clips: number;
  /** Points (100 = one word in error per reference word). */
  mean: number;
  se: number;
  capped: number;
  median: number;
  /** Per clip: the capped gain (points), by clip id. */
  cappedByClip: Map<string, number>;
}

type CsvRow = Record<string, string>;

/** The gains of every condition with matched-noise transcripts in one clips CSV. */
export function robustGains(set: string, csv: string): RobustGain[] {
  const rows = parse(csv, { columns: true, skip_empty_lines: true }) as CsvRow[];
  if (rows.length === 0) return [];
  const attackers = Object.keys(rows[0]!)
    .filter((k) => k.endsWith('_noise_transcript'))
    .map((k) => k.slice(0, -'_noise_transcript'.length))
    .filter((id) => id !== '');
  // A row with a noise twin was read by every attacker, twin included; an empty transcript there is what the
  // recognizer heard (nothing), not a missing one.
  const groups = new Map<string, CsvRow[]>();
  for (const r of rows) {
    if (!r.reference || r.noise_snr_db === '') continue;
    const key = `${r.method}\u0000${r.budget_db}`;
    const g = groups.get(key);
    if (g) g.push(r);
    else groups.set(key, [r]);
  }
  const out: RobustGain[] = [];
  for (const [key, read] of groups) {
    const [method, budgetDb] = key.split('\u0000') as [string, string];
    for (const id of attackers) {
      const pairs = read.map((r) => {
        const clip = (hyp: string) => wer([r.reference!], [hyp]).rate;
        return [clip(r[`${id}_transcript`]!), clip(r[`${id}_noise_transcript`]!)] as const;
      });
      // the report's own statistics (src/core/evaluation.ts), in points
      const stats = gainOverNoiseStats(pairs);
      out.push({
        set,
        method,
        budgetDb,
        attacker: id,
        clips: pairs.length,
        mean: 100 * stats.mean!,
        se: stats.se === null ? NaN : 100 * stats.se,
        capped: 100 * stats.capped!,
        median: median(pairs.map(([p, n]) => 100 * (p - n))),
        cappedByClip: new Map(read.map((r, i) => [r.clip!, 100 * gainOverNoiseStats([pairs[i]!]).capped!])),
      });
    }
  }
  return out;
}

function clipsFiles(dir: string): { set: string; file: string }[] {
  const where = existsSync(path.join(dir, 'external')) ? path.join(dir, 'external') : dir;
  return readdirSync(where)
    .filter((f) => /^clips-.+\.csv$/.test(f))
    .sort()
    .map((f) => ({ set: f.slice('clips-'.length, -'.csv'.length), file: path.join(where, f) }));
}

const signed = (x: number) => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${x.toFixed(1)}` : '–');

function reportGains(dir: string): RobustGain[] {
  const files = clipsFiles(dir);
  if (files.length === 0) throw new Error(`${dir}: no clips-<set>.csv here or in external/`);
  return files.flatMap(({ set, file }) => robustGains(set, readFileSync(file, 'utf8')));
}

/** Mean ± standard error over the clips both have of (capped gain here − capped gain there). */
export function pairedCapped(g: RobustGain, base: RobustGain): { mean: number; se: number; clips: number } {
  const d = [...g.cappedByClip].flatMap(([clip, v]) => {
    const b = base.cappedByClip.get(clip);
    return b === undefined ? [] : [v - b];
  });
  const { mean, sd } = meanSd(d);
  return { mean, se: d.length > 1 ? sd / Math.sqrt(d.length) : NaN, clips: d.length };
}

export function robustMarkdown(dirs: string[], against?: string): string {
  const base = against ? reportGains(against) : [];
  const lines = [
    '| report | set | method | budget dB | attacker | clips | gain over noise (pts ± se) | gain, WER capped at 100 % (pts) | median gain (pts) |' +
      (against ? ` capped gain − ${against}'s, paired (pts ± se) |` : ''),
    '|---|---|---|---|---|---|---|---|---|' + (against ? '---|' : ''),
  ];
  for (const dir of dirs) {
    for (const g of reportGains(dir)) {
      const b = base.find(
        (x) => x.set === g.set && x.method === g.method && x.budgetDb === g.budgetDb && x.attacker === g.attacker,
      );
      const p = b ? pairedCapped(g, b) : null;
      lines.push(
        `| ${dir} | ${g.set} | ${g.method} | ${g.budgetDb || '–'} | ${g.attacker} | ${g.clips} | ${signed(g.mean)} ± ${g.se.toFixed(1)} | ${signed(g.capped)} | ${signed(g.median)} |` +
          (against ? ` ${p && p.clips ? `${signed(p.mean)} ± ${p.se.toFixed(1)} (${p.clips} clips)` : '–'} |` : ''),
      );
    }
  }
  return lines.join('\n') + '\n';
}

async function main() {
  const { flags, positional: dirs } = parseFlags(process.argv.slice(2));
  if (dirs.length === 0) throw new Error('usage: npm run eval:robust -- <report dir> [<report dir> …] [--out file.md]');
  const md = robustMarkdown(dirs, stringFlag(flags, 'against'));
  const out = stringFlag(flags, 'out');
  if (out) writeFileSync(out, `Produced by \`npm run eval:robust -- ${process.argv.slice(2).join(' ')}\`.\n\n${md}`);
  process.stdout.write(md);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
