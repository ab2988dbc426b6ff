/**
 * npm run train:adversarial -- [--rounds 1] [--config configs/aclipse.ensemble.json] [--init public/models/aclipse]
 *     [--out runs/adversarial] [--seed 0] [--attacker-clips 1200] [--attacker-epochs 2] [--attacker-lr 3e-4]
 *     [--attacker-batch 16] [--attacker-val 200] [--attacker-weight 1] [--attacker-beam] [--only-last-attacker]
 *     [--epochs1 N] [--epochs2 N] [--subset N] [--batch N] [--batch-seconds S]
 *     [--readback sync|async]
 *
 * Issue 19: alternates the generator with the adaptive attacker. Round k:
 *  (a) attacker: a copy of the shipped ASR (<models>/asr) fine-tuned on --attacker-clips train-split clips protected
 *      by the current generator at the config's budget (round 1: --init; round k: round k-1's generator), its WER
 *      measured on --attacker-val clips of the val split only; saved to <out>/round-k/attacker/ (an ASR model folder);
 *  (b) generator: train-aclipse from the current generator against the config's ensemble (shipped ASR + ASR-B)
 *      plus that attacker and every earlier round's (not with --only-last-attacker), through the config's EOT
 *      transforms; the derived config is <out>/round-k/config.json
 *      (tag adversarial-rk), the weights end in <out>/round-k/adversarial-rk/seed-<seed>/final/;
 *  (c) the wall time of each part goes to the log and to <out>/round-k/summary.json (all rounds: <out>/rounds.json).
 * A part whose output exists is skipped, and train-aclipse resumes an unfinished generator part from its last epoch,
 * so a killed run picks up where it stopped when started again with the same flags.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { initTf } from '../../src/core/node/tf';
import type { AttackerConfig, AttackerResult } from './attacker';
import { loadCorpus, log } from './common';
import { loadAclipseConfig } from './config';
import { numberFlag, parseFlags, stringFlag } from '../flags';
import {
  attackerDone,
  deriveRoundConfig,
  earlierAttackers,
  generatorDone,
  roundPaths,
  runAttackerPart,
  type RawRunConfig,
  type RoundPaths,
} from './rounds';

interface RoundSummary {
  round: number;
  init: string;
  attacker: { dir: string; seconds: number | null; result: AttackerResult | null };
  generator: { dir: string; config: string; seconds: number | null; epochs1: number; epochs2: number };
}

const TAG = 'adversarial';
const minutes = (s: number | null) => (s === null ? '–' : `${(s / 60).toFixed(1)} min`);
const pct = (x: number | null | undefined) => (x === null || x === undefined ? '–' : `${(x * 100).toFixed(1)}%`);

function readSummary(p: RoundPaths): Partial<RoundSummary> {
  return existsSync(p.summary) ? (JSON.parse(readFileSync(p.summary, 'utf8')) as Partial<RoundSummary>) : {};
}

/** Runs train-aclipse in a child process (its own memory; its log lines go to ours); resolves with the wall time. */
function trainGenerator(args: string[]): Promise<number> {
  const t0 = performance.now();
  const tsx = path.join('node_modules', 'tsx', 'dist', 'cli.mjs');
  const child = spawn(process.execPath, [tsx, path.join('scripts', 'train-aclipse.ts'), ...args], {
    stdio: 'inherit',
  });
  const forward = (sig: NodeJS.Signals) => () => child.kill(sig);
  const onInt = forward('SIGINT');
  const onTerm = forward('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      if (code === 0) resolve((performance.now() - t0) / 1000);
      else reject(new Error(`train-aclipse ${args.join(' ')} ended with ${signal ?? `exit code ${code}`}`));
    });
  });
}

async function main(): Promise<void> {
  const { flags } = parseFlags(process.argv.slice(2));
  const rounds = numberFlag(flags, 'rounds') ?? 1;
  const configFile = stringFlag(flags, 'config') ?? 'configs/aclipse.ensemble.json';
  const out = stringFlag(flags, 'out') ?? 'runs/adversarial';
  const init = stringFlag(flags, 'init') ?? 'public/models/aclipse';
  const base = JSON.parse(readFileSync(configFile, 'utf8')) as RawRunConfig;
  const loaded = loadAclipseConfig(configFile);
  const seed = numberFlag(flags, 'seed') ?? loaded.seeds[0] ?? 0;
  const attacker: AttackerConfig = {
    trainClips: numberFlag(flags, 'attacker-clips') ?? 1200,
    epochs: numberFlag(flags, 'attacker-epochs') ?? 2,
    learningRate: numberFlag(flags, 'attacker-lr') ?? 3e-4,
    budgetDb: loaded.train.budgetDb,
    maxBatch: numberFlag(flags, 'attacker-batch') ?? 16,
  };
  const valClips = numberFlag(flags, 'attacker-val') ?? 200;
  const attackerWeight = numberFlag(flags, 'attacker-weight') ?? 1;
  const keepEarlier = flags['only-last-attacker'] !== true;
  const epochs1 = numberFlag(flags, 'epochs1');
  const epochs2 = numberFlag(flags, 'epochs2');
  const subset = numberFlag(flags, 'subset');
  const batch = numberFlag(flags, 'batch');
  const batchSeconds = numberFlag(flags, 'batch-seconds');
  const readback = stringFlag(flags, 'readback');
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds takes a whole number ≥ 1');
  if (!existsSync(path.join(init, 'model.json'))) throw new Error(`--init ${init} has no model.json`);
  const command = `npm run train:adversarial -- ${process.argv.slice(2).join(' ')}`.trim();
  const asrDir = path.join(loaded.models, 'asr');
  mkdirSync(out, { recursive: true });
  log(
    TAG,
    `${rounds} round(s) from ${init}; base config ${configFile}; attacker ${attacker.trainClips} train clips × ${attacker.epochs} epoch(s), WER on ${valClips} val clips; generator epochs ${epochs1 ?? loaded.train.stage1.epochs} + ${epochs2 ?? loaded.train.stage2.epochs}`,
  );

  await initTf('wasm');
  const corpus = await loadCorpus(loaded.corpus);
  const all: RoundSummary[] = [];
  let current = init;
  for (let round = 1; round <= rounds; round++) {
    const p = roundPaths(out, round, seed);
    mkdirSync(p.root, { recursive: true });
    const prev = readSummary(p);
    const summary: RoundSummary = {
      round,
      init: current,
      attacker: { dir: p.attacker, seconds: prev.attacker?.seconds ?? null, result: prev.attacker?.result ?? null },
      generator: {
        dir: p.generator,
        config: p.config,
        seconds: prev.generator?.seconds ?? null,
        epochs1: epochs1 ?? loaded.train.stage1.epochs,
        epochs2: epochs2 ?? loaded.train.stage2.epochs,
      },
    };
    const save = () => writeFileSync(p.summary, JSON.stringify(summary, null, 1) + '\n');
    const tag = `${TAG} r${round}`;

    // (a) the attacker
    if (attackerDone(p)) {
      if (!summary.attacker.result) {
        // killed between saving the attacker and the summary: its model.json has both
        const json = JSON.parse(readFileSync(path.join(p.attacker, 'model.json'), 'utf8')) as {
          metrics?: { attacker?: AttackerResult };
          trainedWith?: { seconds?: number };
        };
        summary.attacker.result = json.metrics?.attacker ?? null;
        summary.attacker.seconds = json.trainedWith?.seconds ?? null;
      }
      log(tag, `attacker: ${p.attacker} exists, skipped (${minutes(summary.attacker.seconds)} when it ran)`);
    } else {
      log(tag, `attacker: fine-tuning a copy of ${asrDir} on clips protected by ${current}`);
      const part = await runAttackerPart({
        corpus,
        asrDir,
        generatorDir: current,
        attacker,
        valClips,
        beam: flags['attacker-beam'] === true,
        seed,
        round,
        out: p.attacker,
        trainedWith: { command },
        log: (m) => log(tag, m),
      });
      part.asr.dispose();
      summary.attacker = { dir: p.attacker, seconds: part.seconds, result: part.result };
      save();
      const r = part.result;
      log(
        tag,
        `attacker saved to ${p.attacker} after ${r.steps} steps: greedy WER on protected val ${pct(r.werProtectedBefore.greedy)} → ${pct(r.werProtectedAfter.greedy)}, on original val ${pct(r.werOriginalBefore.greedy)} → ${pct(r.werOriginalAfter.greedy)} (${minutes(part.seconds)})`,
      );
    }

    // (b) the generator against shipped ASR + the config's members + this round's attacker
    if (generatorDone(p)) {
      log(tag, `generator: ${p.generator} exists, skipped (${minutes(summary.generator.seconds)} when it ran)`);
    } else {
      const earlier = keepEarlier ? earlierAttackers(out, round, seed) : [];
      const missing = earlier.filter((a) => !existsSync(path.join(a.dir, 'model.json')));
      if (missing.length) throw new Error(`earlier attackers missing: ${missing.map((a) => a.dir).join(', ')}`);
      const cfg = deriveRoundConfig(base, {
        round,
        paths: p,
        attackerWeight,
        seed,
        epochs1,
        epochs2,
        subset,
        batch,
        batchSeconds,
        earlier,
      });
      writeFileSync(p.config, JSON.stringify(cfg, null, 1) + '\n');
      log(
        tag,
        `generator: ${p.config} (ensemble: ${cfg.ensemble?.members.map((m) => m.name).join(', ')}), init ${current}`,
      );
      const seconds = await trainGenerator([
        '--config',
        p.config,
        '--init',
        current,
        ...(readback ? ['--readback', readback] : []),
      ]);
      summary.generator.seconds = seconds;
      save();
      log(tag, `generator: ${p.generator} (${minutes(seconds)})`);
    }
    save();
    // (c) the round's cost
    log(
      tag,
      `round ${round} done: attacker ${minutes(summary.attacker.seconds)}, generator ${minutes(summary.generator.seconds)}`,
    );
    all.push(summary);
    writeFileSync(path.join(out, 'rounds.json'), JSON.stringify({ command, rounds: all }, null, 1) + '\n');
    current = p.generator;
  }
  log(TAG, `final generator: ${current}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
