/**
 * npm run train:evaluators -- --config configs/evaluators.full.json [--only asr|ser] [--fresh] [--finish] [--backend wasm|cpu]
 *
 * --finish exports the best checkpoint so far without training further (trainedWith records epochs vs plannedEpochs).
 *
 * Trains the frozen evaluators (SER: cross-entropy, ASR: CTC) on the corpus in Node with the tfjs wasm backend.
 * Resumes from runs/<name>/<kind>/ unless --fresh; logs one line per epoch; picks the checkpoint on val only and
 * writes public/models/<kind>/ (model.json + weights.bin, config, val metrics, history; the ASR also words.txt).
 */
import { initTf, type NodeBackend } from '../src/core/node/tf';
import { loadRunConfig } from './evaluators/config';
import { finishEarly, trainKind } from './evaluators/trainer';
import { parseFlags, stringFlag } from './flags';

async function main(): Promise<void> {
  const { flags } = parseFlags(process.argv.slice(2));
  const configFile = stringFlag(flags, 'config') ?? 'configs/evaluators.full.json';
  const cfg = loadRunConfig(configFile);
  await initTf((stringFlag(flags, 'backend') as NodeBackend | undefined) ?? 'wasm');
  const only = stringFlag(flags, 'only');
  if (only && only !== 'asr' && only !== 'ser') throw new Error('--only takes asr or ser');
  const kinds = only ? [only as 'asr' | 'ser'] : (['ser', 'asr'] as const).filter((k) => cfg[k]);
  for (const kind of kinds) {
    if (flags.finish === true) await finishEarly(cfg, kind, configFile);
    else await trainKind(cfg, kind, flags.fresh === true, configFile);
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
