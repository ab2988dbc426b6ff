/**
 * npm run eval -- [--config configs/eval.json] [--limit N] [--out dir] [--parts main,pgd,attacker,transfer,external]
 *     [--attackers whisper,pocketsphinx] [--external-methods aclipse,noise] [--external-snrs 10,20] [--external-limit N]
 *     [--real data/real|none] [--real-limit N] [--external-codecs mp3-64,opus-24,aac-64,mulaw-8k|all|none]
 *     [--external-live [--live-hop s] [--live-look-ahead s] [--live-context s] [--live-cap dB]]
 *     [--split test|val|test_speaker] [--speakers a,b] [--corpus dir] [--generator <model dir>]
 * npm run eval -- --replot [--out dir]   (redraws frontier.svg from an existing report.json, no evaluation)
 *
 * The external part needs the attackers' environment (npm run setup:attackers) and the real-speech set
 * (npm run corpus:real).
 *
 * Runs every protection method (Aclipse, white noise, low-pass 2/4 kHz, pitch shift, McAdams, PGD) at matched SNRs
 * on the held-out test split, plus the adaptive attacker and the transfer ASR, and writes the report (report.md,
 * report.json, clips.csv, frontier.svg, confusion-*.svg) to results/eval/.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ATTACKER_KINDS, type AttackerKind } from '../src/core/node/attackers';
import { initTf } from '../src/core/node/tf';
import { numberFlag, numberList, parseFlags, stringFlag } from './flags';
import { parseCodecList } from './eval/external';
import {
  DEFAULT_EVAL_CONFIG,
  REPORT_PARTS,
  frontierFigure,
  runReport,
  type EvalReport,
  type EvalReportConfig,
  type ReportPart,
} from './eval/report';

async function main(): Promise<void> {
  const { flags } = parseFlags(process.argv.slice(2));
  const file = stringFlag(flags, 'config') ?? 'configs/eval.json';
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Partial<EvalReportConfig>;
  const cfg: EvalReportConfig = {
    ...DEFAULT_EVAL_CONFIG,
    ...raw,
    pgd: { ...DEFAULT_EVAL_CONFIG.pgd, ...raw.pgd },
    attacker: { ...DEFAULT_EVAL_CONFIG.attacker, ...raw.attacker },
    external: { ...DEFAULT_EVAL_CONFIG.external, ...raw.external },
  };
  const parts = stringFlag(flags, 'parts');
  if (parts) {
    const bad = parts.split(',').filter((p) => !(REPORT_PARTS as readonly string[]).includes(p));
    if (bad.length) throw new Error(`--parts: unknown ${bad.join(', ')} (one of ${REPORT_PARTS.join(', ')})`);
    cfg.parts = parts.split(',') as ReportPart[];
  }
  const xa = stringFlag(flags, 'attackers');
  if (xa) {
    const bad = xa.split(',').filter((a) => !(ATTACKER_KINDS as readonly string[]).includes(a));
    if (bad.length) throw new Error(`--attackers: unknown ${bad.join(', ')} (one of ${ATTACKER_KINDS.join(', ')})`);
    cfg.external.attackers = xa.split(',') as AttackerKind[];
  }
  const xm = stringFlag(flags, 'external-methods');
  if (xm) cfg.external.methods = xm.split(',') as EvalReportConfig['external']['methods'];
  cfg.external.snrs = numberList(flags, 'external-snrs') ?? cfg.external.snrs;
  cfg.external.limit = numberFlag(flags, 'external-limit') ?? cfg.external.limit;
  cfg.external.realLimit = numberFlag(flags, 'real-limit') ?? cfg.external.realLimit;
  const xc = stringFlag(flags, 'external-codecs');
  if (xc) cfg.external.codecs = parseCodecList(xc);
  if (flags['external-live'] === true) cfg.external.live = true;
  const liveFlags = {
    hopS: 'live-hop',
    lookAheadS: 'live-look-ahead',
    contextS: 'live-context',
    localCapDb: 'live-cap',
  };
  for (const [key, flag] of Object.entries(liveFlags) as [keyof typeof liveFlags, string][]) {
    const v = numberFlag(flags, flag);
    if (v === undefined) continue;
    if (!cfg.external.live) throw new Error(`--${flag} needs --external-live`);
    if (!(v >= 0)) throw new Error(`--${flag} must be ≥ 0`);
    cfg.external.liveOptions = { ...cfg.external.liveOptions, [key]: v };
  }
  const real = stringFlag(flags, 'real');
  if (real) cfg.external.real = real === 'none' ? null : real;
  const limit = numberFlag(flags, 'limit');
  if (limit !== undefined) cfg.limit = limit;
  // Selection reads candidates on val (--split val --generator runs/…/final); test and the real set stay unseen.
  cfg.split = stringFlag(flags, 'split') ?? cfg.split;
  const speakers = stringFlag(flags, 'speakers');
  if (speakers) cfg.speakers = speakers.split(',');
  cfg.corpus = stringFlag(flags, 'corpus') ?? cfg.corpus;
  cfg.generator = stringFlag(flags, 'generator') ?? cfg.generator;
  cfg.out = stringFlag(flags, 'out') ?? cfg.out;
  if (flags.replot !== undefined) {
    const report = JSON.parse(readFileSync(path.join(cfg.out, 'report.json'), 'utf8')) as EvalReport;
    const original = report.rows.find((r) => r.budgetDb === null);
    if (!original) throw new Error(`${cfg.out}/report.json has no row for the original clips`);
    writeFileSync(
      path.join(cfg.out, 'frontier.svg'),
      frontierFigure(report.rows, report.config.split, report.clips, { wa: original.wa, wer: original.werGreedy.rate }),
    );
    console.log(`redrew ${cfg.out}/frontier.svg from report.json`);
    return;
  }
  await initTf('wasm');
  const args = process.argv.slice(2).join(' ');
  const command = args ? `npm run eval -- ${args}` : 'npm run eval';
  const report = await runReport(cfg, command, (m) =>
    console.log(`[${new Date().toISOString().slice(11, 19)} eval] ${m}`),
  );
  console.log(`wrote ${report.files.map((f) => `${cfg.out}/${f}`).join(', ')}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
