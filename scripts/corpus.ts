/**
 * npm run corpus — builds the synthetic emotional speech corpus (docs/corpus.md).
 *
 *   npm run corpus                                   full corpus into data/corpus (resumes if interrupted)
 *   npm run corpus -- --out DIR --seed N --sentences N --limit N --jobs N --espeak
 *   npm run corpus -- --out data/corpus-voices --espeak --piper   ... plus the neural voice (npm run setup:voices first)
 *   npm run corpus -- --out data/corpus-x --extra-train 3200   same corpus plus 3200 more training sentences
 *   npm run corpus -- --out data/corpus-x3 --extra-train 6000 --extra-renderings 1
 *                                             ... and one more rendering (new voice, new emotion) of every train sentence
 *   npm run corpus -- --check                        only check (and as root install) the Debian packages
 *   npm run corpus -- --measure [--dir DIR] [--per-emotion N]   measure prosody per emotion (table for the docs)
 *   npm run corpus -- --ceiling [--dir DIR]           the prosody oracle's WA per split (the ceiling for any SER)
 *   npm run corpus -- --demo [--demo-train 8 --demo-val 3]  copy demo clips (test + a small train/val split per emotion) into public/demo
 *   npm run corpus -- --inspect DIR                  load any dataset folder (our corpus, IEMOCAP, CSV/JSONL manifest)
 *                                                    with the shared loader and print its summary and skip report
 *   npm run corpus -- --fixture                      regenerate the 10-clip test fixture (tests/fixtures/corpus10)
 */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CONFIG, type CorpusConfig } from './corpus/plan';
import { ensurePackages, ensureVoicesVenv } from './corpus/deps';
import { VOICES_PYTHON } from './corpus/render';
import { generateCorpus } from './corpus/generate';
import { numberFlag, parseFlags, type Flags } from './flags';

/** Flags only: this command takes no positional arguments. */
function parseArgs(argv: string[]): Flags {
  const { flags, positional } = parseFlags(argv);
  if (positional.length > 0) throw new Error(`Unexpected argument ${positional[0]}`);
  return flags;
}

function num(args: Flags, key: string, fallback: number): number {
  return numberFlag(args, key) ?? fallback;
}

const log = (s: string) => console.log(`[corpus ${new Date().toISOString().slice(11, 19)}] ${s}`);

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.ceiling) {
    const { ceilingCommand } = await import('./corpus/ceiling');
    ceilingCommand({ dir: String(args.dir ?? 'data/corpus'), log: console.log });
    return;
  }
  if (args.measure) {
    const { measureCommand } = await import('./corpus/measure');
    await measureCommand({ dir: String(args.dir ?? 'data/corpus'), perEmotion: num(args, 'per-emotion', 400), log });
    return;
  }
  if (typeof args.inspect === 'string') {
    const { inspectDataset } = await import('./corpus/inspect');
    await inspectDataset(args.inspect, args.decode === undefined ? 3 : num(args, 'decode', 3));
    return;
  }
  if (args.demo) {
    const { buildDemo } = await import('./corpus/demo');
    buildDemo({
      from: String(args.dir ?? 'data/corpus'),
      to: String(args.to ?? 'public/demo'),
      trainPerEmotion: num(args, 'demo-train', 8),
      valPerEmotion: num(args, 'demo-val', 3),
      log,
    });
    return;
  }
  const espeak = Boolean(args.espeak);
  if (args.fixture) {
    ensurePackages(false, log);
    const { exportClips, readManifest } = await import('./corpus/demo');
    const tmp = join(tmpdir(), `aclipse-fixture-${process.pid}`);
    await generateCorpus({ out: tmp, config: DEFAULT_CONFIG, limit: 10, jobs: 1, log });
    exportClips(tmp, String(args.to ?? 'tests/fixtures/corpus10'), readManifest(tmp));
    rmSync(tmp, { recursive: true, force: true });
    log('fixture written');
    return;
  }
  ensurePackages(espeak, log);
  const piper = Boolean(args.piper);
  if (piper) ensureVoicesVenv(VOICES_PYTHON);
  if (args.check) {
    log('all packages present');
    return;
  }
  const config: CorpusConfig = {
    ...DEFAULT_CONFIG,
    seed: num(args, 'seed', DEFAULT_CONFIG.seed),
    sentences: num(args, 'sentences', DEFAULT_CONFIG.sentences),
    espeak,
    ...(piper ? { piper: true } : {}),
  };
  const extra = num(args, 'extra-train', 0);
  if (extra > 0) config.extraTrainSentences = extra;
  const renderings = num(args, 'extra-renderings', 0);
  if (renderings > 0) config.extraRenderings = renderings;
  const limit = args.limit === undefined ? undefined : num(args, 'limit', 0);
  const summary = await generateCorpus({
    out: String(args.out ?? 'data/corpus'),
    config,
    limit,
    jobs: num(args, 'jobs', 2),
    log,
  });
  log(
    `done in ${summary.seconds.toFixed(0)} s: ${summary.planned} planned, ${summary.skipped} reused, ` +
      `${summary.rendered} rendered, ${summary.failed.length} failed; manifest ${summary.manifest}`,
  );
  if (summary.failed.length) process.exitCode = 1;
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
