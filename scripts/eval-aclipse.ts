/**
 * npm run eval:aclipse -- [--config configs/aclipse.json] [--tag main[,other-tag…]] [--splits test,test_speaker]
 *     [--limit N] [--model <generator dir>] [--out results/aclipse]
 *
 * The paper's Table I on the held-out splits: the frozen SER and ASR on the original clips, after stage 1 and after
 * stage 2, as mean ± sd over the seeds trained by `npm run train:aclipse` (runs/aclipse/<tag>/seed-*), with the
 * achieved SNR and where the perturbation landed (share of its energy above 2 kHz). WER is reported for greedy
 * decoding (the frozen evaluator) and for its beam search (word list + n-gram LM, settings chosen on val). Writes <out>/<tag>.json
 * and <out>/<tag>.md. Further tags (comma-separated) add their stage-2 rows, e.g. a stage-2 variant started from the
 * main run's stage-1 weights. --model evaluates one generator folder instead (e.g. the shipped public/models/aclipse).
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { EMOTIONS, bySplit } from '../src/core/data';
import { meanSd, type MethodSummary } from '../src/core/evaluation';
import { initTf } from '../src/core/node/tf';
import { loadAclipseConfig } from './aclipse/config';
import {
  evalClips,
  evaluateInNode,
  loadCorpus,
  loadEvaluatorsFromDisk,
  log,
  nodeReaders,
  readGeneratorDir,
  spread,
} from './aclipse/common';
import { numberFlag, parseFlags, stringFlag } from './flags';

interface SystemRow {
  split: string;
  system: string;
  seeds: number;
  summaries: MethodSummary[];
}

const pct = (x: number) => (x * 100).toFixed(2);

function cell(rows: MethodSummary[], pick: (s: MethodSummary) => number | null, scale = 100, digits = 2): string {
  const xs = rows.map(pick).filter((x): x is number => x !== null && Number.isFinite(x));
  if (xs.length === 0) return '–';
  const { mean, sd } = meanSd(xs.map((x) => x * scale));
  return rows.length > 1 ? `${mean.toFixed(digits)} ± ${sd.toFixed(digits)}` : mean.toFixed(digits);
}

function markdownTable(rows: SystemRow[]): string {
  const head =
    '| split | system | seeds | WA % | UA % | WER % (greedy) | CER % (greedy) | WER % (beam) | SNR dB | perturbation ≥ 2 kHz % |\n' +
    '|---|---|---|---|---|---|---|---|---|---|\n';
  return (
    head +
    rows
      .map((r) =>
        [
          r.split,
          r.system,
          r.seeds,
          cell(r.summaries, (s) => s.wa),
          cell(r.summaries, (s) => s.ua),
          cell(r.summaries, (s) => s.werGreedy.rate),
          cell(r.summaries, (s) => s.cerGreedy.rate),
          cell(r.summaries, (s) => s.werBeam?.rate ?? null),
          r.system === 'original' ? '∞' : cell(r.summaries, (s) => s.meanSnrDb, 1),
          r.system === 'original' ? '–' : cell(r.summaries, (s) => s.meanPerturbationHighShare, 100, 1),
        ].join(' | '),
      )
      .map((l) => `| ${l} |`)
      .join('\n') +
    '\n'
  );
}

function confusionMd(title: string, m: number[][]): string {
  const lines = [
    `**${title}** (rows: true, columns: predicted)`,
    '',
    `| | ${EMOTIONS.join(' | ')} |`,
    `|---|${EMOTIONS.map(() => '---').join('|')}|`,
  ];
  m.forEach((row, i) => {
    const total = row.reduce((a, b) => a + b, 0) || 1;
    lines.push(`| ${EMOTIONS[i]} | ${row.map((c) => `${c} (${((c / total) * 100).toFixed(0)}%)`).join(' | ')} |`);
  });
  return lines.join('\n') + '\n';
}

async function main(): Promise<void> {
  const { flags } = parseFlags(process.argv.slice(2));
  const cfg = loadAclipseConfig(stringFlag(flags, 'config') ?? 'configs/aclipse.json');
  const tags = (stringFlag(flags, 'tag') ?? cfg.name).split(',');
  const tag = tags.join('+');
  const splits = (stringFlag(flags, 'splits') ?? 'test,test_speaker').split(',');
  const limit = numberFlag(flags, 'limit');
  const outDir = stringFlag(flags, 'out') ?? 'results/aclipse';
  const single = stringFlag(flags, 'model');
  await initTf('wasm');

  const ev = await loadEvaluatorsFromDisk(cfg.models);
  const corpus = await loadCorpus(cfg.corpus);
  const systems: { name: string; dirs: string[] }[] = [];
  if (single) systems.push({ name: `generator (${single})`, dirs: [single] });
  else {
    tags.forEach((t, i) => {
      const runDir = path.join(cfg.runDir, t);
      if (!existsSync(runDir)) throw new Error(`No runs in ${runDir}: train first with npm run train:aclipse`);
      const seeds = readdirSync(runDir)
        .filter((d) => d.startsWith('seed-') && existsSync(path.join(runDir, d, 'final', 'model.json')))
        .sort();
      if (seeds.length === 0) throw new Error(`No finished seeds in ${runDir}`);
      const suffix = i === 0 ? '' : ` (${t})`;
      const stage1 = seeds.filter((sd) => existsSync(path.join(runDir, sd, 'stage1', 'model.json')));
      if (stage1.length)
        systems.push({ name: `after stage 1${suffix}`, dirs: stage1.map((sd) => path.join(runDir, sd, 'stage1')) });
      systems.push({ name: `after stage 2${suffix}`, dirs: seeds.map((sd) => path.join(runDir, sd, 'final')) });
    });
  }

  const rows: SystemRow[] = [];
  const confusions: Record<string, number[][]> = {};
  for (const split of splits) {
    const clips = evalClips(
      spread(
        bySplit(corpus.entries, split).filter((e) => e.emotion && e.text),
        limit,
      ),
    );
    if (clips.length === 0) throw new Error(`Split ${split} has no labelled clips`);
    log('eval', `${split}: ${clips.length} clips`);
    const [original] = (
      await evaluateInNode(clips, [{ method: 'original', budgetDb: cfg.train.budgetDb }], nodeReaders(ev.scoring, null))
    ).summaries;
    rows.push({ split, system: 'original', seeds: 1, summaries: [original] });
    confusions[`${split} original`] = original.confusion;
    log(
      'eval',
      `${split} original: WA ${pct(original.wa)} WER ${pct(original.werGreedy.rate)} (beam ${original.werBeam === null ? '–' : pct(original.werBeam.rate)})`,
    );
    for (const sys of systems) {
      const summaries: MethodSummary[] = [];
      for (const dir of sys.dirs) {
        const gen = await readGeneratorDir(dir);
        const budget = gen.config.budgetDb;
        const [s] = (
          await evaluateInNode(clips, [{ method: 'aclipse', budgetDb: budget }], nodeReaders(ev.scoring, gen))
        ).summaries;
        gen.dispose();
        summaries.push(s);
        log(
          'eval',
          `${split} ${sys.name} ${dir}: WA ${pct(s.wa)} WER ${pct(s.werGreedy.rate)} SNR ${(s.meanSnrDb ?? NaN).toFixed(2)} dB`,
        );
      }
      rows.push({ split, system: sys.name, seeds: summaries.length, summaries });
      // Confusion summed over seeds (the paper shows one matrix per system).
      const sum = EMOTIONS.map((_, i) => EMOTIONS.map((__, j) => summaries.reduce((a, s) => a + s.confusion[i][j], 0)));
      confusions[`${split} ${sys.name}`] = sum;
    }
  }

  const table = markdownTable(rows);
  console.log('\n' + table);
  mkdirSync(outDir, { recursive: true });
  const cmd = `npm run eval:aclipse -- ${process.argv.slice(2).join(' ')}`.trim();
  const md =
    `# Aclipse results: ${tag}\n\nProduced by \`${cmd}\` from the runs of \`npm run train:aclipse\` (config: ${stringFlag(flags, 'config') ?? 'configs/aclipse.json'}).\n\n` +
    table +
    '\n## Confusion matrices (summed over seeds)\n\n' +
    Object.entries(confusions)
      .map(([k, m]) => confusionMd(k, m))
      .join('\n');
  writeFileSync(path.join(outDir, `${tag}.md`), md);
  writeFileSync(path.join(outDir, `${tag}.json`), JSON.stringify({ command: cmd, tag, rows, confusions }, null, 1));
  log('eval', `wrote ${path.join(outDir, tag)}.{md,json}`);
  ev.dispose();
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
