/**
 * The privacy–utility report behind `npm run eval`: every protection method at matched SNRs on a held-out split,
 * a white-box PGD bound, an adaptive attacker (an ASR fine-tuned on protected clips) and a second, independently
 * trained ASR architecture (transfer). Writes Markdown + JSON + CSV + SVG figures.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pgdAttack } from '../../src/core/aclipse/pgd';
import { BASELINE_IDS, BASELINES } from '../../src/core/baselines';
import { EMOTIONS, bySplit, stratifiedSubset } from '../../src/core/data';
import {
  conditionKey,
  evaluateClips,
  protectWith,
  rowsToCsv,
  summarizeRows,
  type Condition,
  type ClipRef,
  type EvaluationReaders,
  type EvaluationRow,
  type MethodId,
  type MethodSummary,
} from '../../src/core/evaluation';
import { modelFromArtifacts } from '../../src/core/ml/weights';
import { asrMetrics } from '../../src/core/ml/train';
import { predictAsr } from '../../src/core/ml/predict';
import { readModelDir } from '../../src/core/node/io';
import {
  evalClips,
  evaluateInNode,
  loadCorpus,
  loadEvaluatorsFromDisk,
  nodeReaders,
  readProtectorDir,
  spread,
  toClips,
} from '../aclipse/common';
import {
  DEFAULT_EVAL_GENERATOR,
  DEFAULT_EXTERNAL_CONFIG,
  runExternal,
  type ExternalConfig,
  type ExternalReport,
} from './external';
import { readDecoder } from '../evaluators/data';
import { fineTuneAttacker, type AttackerConfig, type AttackerResult } from '../aclipse/attacker';

export type { AttackerResult, WerPair } from '../aclipse/attacker';
import { confusionSvg, frontierSvg, type FrontierSeries } from './svg';

export interface EvalReportConfig {
  corpus: string;
  models: string;
  generator: string;
  /** Second ASR architecture trained independently (transfer attacker); skipped when missing. */
  asrB: string | null;
  split: string;
  /** Only these speakers of the split (null or absent: all of them). */
  speakers?: string[] | null;
  limit: number | null;
  snrs: number[];
  methods: (MethodId | 'pgd')[];
  pgd: { steps: number; limit: number; snrs: number[] };
  attacker: AttackerConfig & { enabled: boolean };
  /** Which parts run: the frozen evaluators' table, PGD, the adaptive attacker, the transfer ASR, the external attackers. */
  parts: ReportPart[];
  external: ExternalConfig;
  out: string;
  seed: number;
}

export const REPORT_PARTS = ['main', 'pgd', 'attacker', 'transfer', 'external'] as const;
export type ReportPart = (typeof REPORT_PARTS)[number];

export const DEFAULT_EVAL_CONFIG: EvalReportConfig = {
  corpus: 'data/corpus',
  models: 'public/models',
  generator: DEFAULT_EVAL_GENERATOR,
  asrB: 'public/models/asr-b',
  split: 'test',
  limit: null,
  snrs: [10, 15, 20, 25],
  methods: ['aclipse', ...BASELINE_IDS, 'pgd'],
  pgd: { steps: 20, limit: 96, snrs: [10, 20] },
  attacker: { enabled: true, trainClips: 1200, epochs: 2, learningRate: 3e-4, budgetDb: 10, maxBatch: 16 },
  parts: [...REPORT_PARTS],
  external: DEFAULT_EXTERNAL_CONFIG,
  out: 'results/eval',
  seed: 7,
};

export interface MethodRow extends MethodSummary {
  label: string;
}

export interface TransferResult {
  model: string;
  /** the transfer ASR's decoder, in words */
  decoder: string;
  rows: {
    method: string;
    targetSnrDb: number | null;
    wer: number;
    cer: number;
    werBeam: number | null;
    cerBeam: number | null;
  }[];
}

export interface EvalReport {
  command: string;
  config: EvalReportConfig;
  clips: number;
  rows: MethodRow[];
  pgdClips: number;
  /** the frozen ASR's beam decoder, in words ('greedy only' without a word list) */
  decoder: string;
  attacker: AttackerResult | null;
  transfer: TransferResult | null;
  external: ExternalReport | null;
  files: string[];
}

const LABELS: Record<string, string> = {
  original: 'original',
  aclipse: 'Aclipse (stage 2)',
  pgd: 'PGD (white-box)',
  ...Object.fromEntries(BASELINES.map((b) => [b.id, b.label])),
};
const COLOURS: Record<string, string> = {
  aclipse: '#d62728',
  noise: '#7f7f7f',
  lowpass2k: '#1f77b4',
  lowpass4k: '#17becf',
  pitch: '#2ca02c',
  mcadams: '#9467bd',
  pgd: '#ff7f0e',
};

type Log = (msg: string) => void;

const pct = (x: number | null) => (x === null || !Number.isFinite(x) ? '–' : (x * 100).toFixed(1));
const db = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '∞');

export function reportMarkdown(r: EvalReport): string {
  const lines: string[] = [
    `# Privacy–utility report`,
    '',
    `Produced by \`${r.command}\` on the \`${r.config.split}\` split (${r.clips} clips; PGD on ${r.pgdClips}). ` +
      `WA/UA: frozen SER; WER/CER: frozen ASR with greedy decoding; "beam" is its beam search (a stronger decoder: ${r.decoder}). ` +
      'Every method is held to the same budget: the residual is scaled onto ‖y − x‖ ≤ 10^(−SNR/20)·‖x‖ when its full effect is larger.',
    '',
    '![privacy–utility frontier](frontier.svg)',
    '',
    '"SER read changed" is the share of clips whose predicted emotion differs from the prediction on the original clip.',
    '',
    '| method | target SNR dB | achieved SNR dB | WA % | UA % | SER read changed % | WER % | CER % | WER % (beam) | perturbation ≥ 2 kHz % | Δ energy < 2 kHz dB | Δ energy ≥ 2 kHz dB |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...r.rows.map(
      (m) =>
        `| ${m.label} | ${m.budgetDb ?? '–'} | ${db(m.meanSnrDb ?? Infinity)} | ${pct(m.wa)} | ${pct(m.ua)} | ${m.serChanged === null ? '–' : pct(m.serChanged)} | ${pct(m.werGreedy.rate)} | ${pct(m.cerGreedy.rate)} | ${pct(m.werBeam?.rate ?? null)} | ${m.method === 'original' ? '–' : pct(m.meanPerturbationHighShare)} | ${(m.meanLowChangeDb ?? 0).toFixed(2)} | ${(m.meanHighChangeDb ?? 0).toFixed(2)} |`,
    ),
    '',
  ];
  if (r.attacker) {
    const a = r.attacker;
    lines.push(
      '## Adaptive attacker',
      '',
      `A copy of the ASR fine-tuned for ${a.steps} steps on ${a.trainClips} training clips protected by Aclipse at ${a.budgetDb} dB (the attacker has the protector).`,
      '',
      '| | WER % before fine-tuning (greedy) | WER % after (greedy) | WER % before (beam) | WER % after (beam) |',
      '|---|---|---|---|---|',
      `| protected test clips | ${pct(a.werProtectedBefore.greedy)} | ${pct(a.werProtectedAfter.greedy)} | ${pct(a.werProtectedBefore.beam)} | ${pct(a.werProtectedAfter.beam)} |`,
      `| original test clips | ${pct(a.werOriginalBefore.greedy)} | ${pct(a.werOriginalAfter.greedy)} | ${pct(a.werOriginalBefore.beam)} | ${pct(a.werOriginalAfter.beam)} |`,
      '',
    );
  }
  if (r.transfer) {
    lines.push(
      '## Transfer to an independently trained ASR',
      '',
      `\`${r.transfer.model}\`: a different architecture, trained separately; the generator never saw it. Beam: ${r.transfer.decoder}.`,
      '',
      '| method | target SNR dB | WER % | CER % | WER % (beam) | CER % (beam) |',
      '|---|---|---|---|---|---|',
      ...r.transfer.rows.map(
        (t) =>
          `| ${t.method} | ${t.targetSnrDb ?? '–'} | ${pct(t.wer)} | ${pct(t.cer)} | ${pct(t.werBeam)} | ${pct(t.cerBeam)} |`,
      ),
      '',
    );
  }
  lines.push(
    '## Confusion matrices',
    '',
    ...r.files.filter((f) => f.startsWith('confusion-')).map((f) => `![${f}](${f})`),
    '',
  );
  return lines.join('\n');
}

export async function runReport(
  cfg: EvalReportConfig,
  command: string,
  log: Log = () => undefined,
): Promise<EvalReport> {
  const ev = await loadEvaluatorsFromDisk(cfg.models);
  // As the app protects: with the weights each budget chooses when the folder has bands.
  const gen = existsSync(path.join(cfg.generator, 'model.json')) ? await readProtectorDir(cfg.generator) : null;
  const corpus = await loadCorpus(cfg.corpus);
  const entries = spread(
    bySplit(corpus.entries, cfg.split, cfg.speakers).filter((e) => e.emotion && e.text),
    cfg.limit ?? undefined,
  );
  if (entries.length === 0)
    throw new Error(
      `No labelled clips in split ${cfg.split}${cfg.speakers?.length ? ` by ${cfg.speakers.join(', ')}` : ''}`,
    );
  const clips: ClipRef[] = evalClips(entries);
  const wants = (p: ReportPart) => cfg.parts.includes(p);
  mkdirSync(cfg.out, { recursive: true });
  const rows: MethodRow[] = [];
  const allRows: EvaluationRow[] = [];
  const confusions: Record<string, number[][]> = {};
  const readers = nodeReaders(ev.scoring, gen);
  const summarise = (label: string, s: MethodSummary) => {
    rows.push({ ...s, label });
    log(
      `${label}${s.budgetDb !== null ? ` @ ${s.budgetDb} dB` : ''}: WA ${pct(s.wa)} WER ${pct(s.werGreedy.rate)} SNR ${db(s.meanSnrDb ?? Infinity)}`,
    );
  };

  let originalRow: MethodSummary | null = null;
  if (wants('main') || wants('pgd')) {
    const conditions: Condition[] = [{ method: 'original', budgetDb: 0 }];
    if (wants('main')) {
      for (const method of cfg.methods) {
        if (method === 'original' || method === 'pgd') continue;
        if (method === 'aclipse' && !gen) {
          log(`skipping aclipse: no generator at ${cfg.generator}`);
          continue;
        }
        for (const snr of cfg.snrs) conditions.push({ method, budgetDb: snr });
      }
    }
    const { run, summaries } = await evaluateInNode(clips, conditions, readers, { seed: cfg.seed });
    allRows.push(...run.rows);
    for (const s of summaries) {
      // a row made with weights that its budget chose from the generator's bands says which
      const band = s.method === 'aclipse' && gen && s.budgetDb !== null ? gen.weightsFor(s.budgetDb).band : null;
      summarise(`${LABELS[s.method] ?? s.method}${band ? ` (${band.label})` : ''}`, s);
      if (s.method === 'original' || s.budgetDb === cfg.snrs[0]) confusions[s.method] = s.confusion;
    }
    originalRow = summaries[0]!;
  }

  let pgdClips = 0;
  if (wants('pgd') && cfg.methods.includes('pgd')) {
    const subset = await toClips(entries.slice(0, cfg.pgd.limit));
    pgdClips = subset.length;
    const originals = allRows.filter((r) => r.method === 'original');
    const pgdClipList: ClipRef[] = subset.map((c) => ({
      id: c.id,
      emotion: EMOTIONS[c.emotion]!,
      text: c.text,
      load: () => c.samples,
    }));
    for (const snr of cfg.pgd.snrs) {
      // The attack is computed per batch of 8 first; the pipeline then reads and scores it like every other method.
      const attacked = new Map<Float32Array, Float32Array>();
      for (let i = 0; i < subset.length; i += 8) {
        const part = subset.slice(i, i + 8);
        const out = await pgdAttack(ev.frozen, part, { budgetDb: snr, steps: cfg.pgd.steps, readback: 'sync' });
        part.forEach((c, k) => attacked.set(c.samples, out[k]!));
      }
      const pgdReaders: EvaluationReaders = {
        ...readers,
        protect: async (_m, wave) => ({ wave: attacked.get(wave)!, snrDb: null }),
      };
      const cond: Condition = { method: 'aclipse', budgetDb: snr };
      const run = await evaluateClips(pgdClipList, [cond], pgdReaders, { batchSize: 16, seed: cfg.seed });
      summarise(LABELS.pgd!, summarizeRows(cond, run.rows, run.seconds.get(conditionKey(cond)), originals));
      allRows.push(...run.rows.map((r) => ({ ...r, method: 'pgd' as MethodId })));
    }
  }

  let attacker: AttackerResult | null = null;
  if (wants('attacker') && cfg.attacker.enabled && gen) {
    const train = await toClips(
      stratifiedSubset(bySplit(corpus.entries, 'train'), cfg.attacker.trainClips, `attacker-${cfg.seed}`),
    );
    const tuned = await fineTuneAttacker(
      { asrDir: path.join(cfg.models, 'asr'), attacker: cfg.attacker, seed: cfg.seed },
      gen,
      ev.scoring.beam ?? null,
      train,
      await toClips(entries),
      log,
    );
    tuned.asr.dispose();
    attacker = tuned.result;
  }

  let transfer: TransferResult | null = null;
  if (wants('transfer') && cfg.asrB && existsSync(path.join(cfg.asrB, 'model.json'))) {
    const artB = await readModelDir(cfg.asrB);
    const asrB = modelFromArtifacts(artB, 'asr');
    const decoderB = readDecoder(cfg.asrB, artB.modelJson);
    const testClips = await toClips(entries);
    const refs = testClips.map((c) => c.text);
    const score = async (method: MethodId, snr: number | null) => {
      const waves: Float32Array[] = [];
      for (const c of testClips)
        waves.push((await protectWith(method, c.samples, { budgetDb: snr ?? 0, generator: gen, seed: cfg.seed })).wave);
      const m = asrMetrics(refs, await predictAsr(asrB, waves, decoderB ?? {}));
      return {
        method: LABELS[method] ?? method,
        targetSnrDb: snr,
        wer: m.werGreedy,
        cer: m.cerGreedy,
        werBeam: m.werBeam ?? null,
        cerBeam: m.cerBeam ?? null,
      };
    };
    const trows = [await score('original', null)];
    for (const m of cfg.methods) {
      if (m === 'original' || m === 'pgd' || (m === 'aclipse' && !gen)) continue;
      trows.push(await score(m, cfg.snrs[0]!));
    }
    transfer = { model: cfg.asrB, decoder: decoderB?.describe ?? 'greedy only', rows: trows };
    asrB.dispose();
    log(`transfer ASR-B: ${trows.map((t) => `${t.method} ${pct(t.wer)}`).join(', ')}`);
  }

  const external =
    wants('external') && cfg.external.enabled ? await runExternal(cfg, corpus, ev, gen, log, command) : null;

  const files: string[] = [];
  const write = (name: string, data: string) => {
    writeFileSync(path.join(cfg.out, name), data);
    files.push(name);
  };
  if (originalRow) {
    write(
      'frontier.svg',
      frontierFigure(rows, cfg.split, clips.length, { wa: originalRow.wa, wer: originalRow.werGreedy.rate }),
    );
    for (const [name, m] of Object.entries(confusions)) {
      const title = name === 'original' ? 'Original clips' : `${LABELS[name] ?? name} @ ${cfg.snrs[0]} dB`;
      write(`confusion-${name}.svg`, confusionSvg(m, EMOTIONS, title));
    }
    write('clips.csv', rowsToCsv(allRows));
  }
  const report: EvalReport = {
    command,
    config: cfg,
    clips: clips.length,
    rows,
    pgdClips,
    decoder: ev.decoder,
    attacker,
    transfer,
    external,
    files: [],
  };
  // A run of the external part alone leaves the main report of an earlier full run as it was.
  if (rows.length > 0 || attacker || transfer) {
    report.files = [...files, 'report.json', 'report.md'];
    write(
      'report.json',
      JSON.stringify(report, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 1),
    );
    write('report.md', reportMarkdown(report));
  }
  if (external) report.files.push(...external.files.map((f) => `external/${f}`));
  gen?.dispose();
  ev.dispose();
  return report;
}

/** The WER-vs-WA frontier of a report's rows, one line per method joined by increasing SNR. */
export function frontierFigure(
  rows: MethodRow[],
  split: string,
  clips: number,
  original: { wa: number; wer: number },
): string {
  const series: FrontierSeries[] = [...new Set(rows.filter((r) => r.budgetDb !== null).map((r) => r.label))].map(
    (label) => {
      const rs = rows.filter((r) => r.label === label).sort((a, b) => (a.budgetDb ?? 0) - (b.budgetDb ?? 0));
      const method = rows.find((r) => r.label === label)?.method ?? 'noise';
      const key = label === LABELS.pgd ? 'pgd' : method;
      return {
        label,
        colour: COLOURS[key] ?? '#333',
        points: rs.map((r) => ({ wa: r.wa, wer: r.werGreedy.rate, label: `${r.budgetDb} dB` })),
      };
    },
  );
  return frontierSvg(series, `Privacy–utility frontier (${split}, ${clips} clips)`, {
    wa: original.wa,
    wer: original.wer,
  });
}
