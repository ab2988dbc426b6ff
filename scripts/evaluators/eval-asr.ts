/**
 * npm run evaluators:eval-asr -- [--asr public/models/asr-b] [--manifest data/corpus/manifest.jsonl]
 *                                        [--splits test,test_speaker] [--limit N] [--write] [--backend wasm|cpu]
 *
 * WER and CER (greedy and lexicon beam search with the decoder settings chosen on val at training time) of one
 * ASR model folder, any architecture, on the held-out splits. `npm run eval:evaluators` does the same for the
 * shipped SER + ASR pair; this one exists for the second ASR (the privacy evaluation's transfer attacker).
 * --write stores the numbers in <asr>/eval.json.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CorpusSplit } from '../../src/core/data/types';
import { asrMetrics, type AsrMetrics } from '../../src/core/ml/train';
import { predictAsr } from '../../src/core/ml/predict';
import { modelFromArtifacts } from '../../src/core/ml/weights';
import { readModelDir } from '../../src/core/node/io';
import { initTf, type NodeBackend } from '../../src/core/node/tf';
import { argOr as arg } from '../flags';
import { loadSplit, pct, readDecoder } from './data';

async function main(): Promise<void> {
  const dir = arg('asr', 'public/models/asr-b');
  const manifest = arg('manifest', 'data/corpus/manifest.jsonl');
  const splits = arg('splits', 'test,test_speaker').split(',') as CorpusSplit[];
  const limit = Number(arg('limit', '0')) || null;
  const write = arg('write', 'false') === 'true';
  const tf = await initTf(arg('backend', 'wasm') as NodeBackend);
  const art = await readModelDir(dir);
  const asr = modelFromArtifacts(art, 'asr');
  const decoder = readDecoder(dir, art.modelJson);
  const c = asr.config;
  console.log(
    `backend ${tf.getBackend()}; ${dir}: ${c.arch ?? 'conv'} ASR, ${asr.parameterCount()} params, ${c.frontend.nMels} mels; ${decoder?.describe ?? 'no lexicon (greedy only)'}`,
  );
  const results: Record<string, AsrMetrics> = {};
  for (const split of splits) {
    const clips = loadSplit(manifest, split, limit);
    if (!clips.length) throw new Error(`split ${split} is empty in ${manifest}`);
    const t0 = Date.now();
    const a = asrMetrics(
      clips.map((x) => x.text ?? ''),
      await predictAsr(
        asr,
        clips.map((x) => x.samples),
        decoder ?? {},
      ),
    );
    results[split] = a;
    console.log(
      `== ${split} (${clips.length} clips, ${((Date.now() - t0) / 1000).toFixed(0)} s)  greedy: WER ${pct(a.werGreedy)}  CER ${pct(a.cerGreedy)}   beam: WER ${pct(a.werBeam)}  CER ${pct(a.cerBeam)}`,
    );
  }
  if (write) {
    const command = `npm run evaluators:eval-asr -- --asr ${dir} --write${limit ? ` --limit ${limit}` : ''}`;
    await writeFile(
      path.join(dir, 'eval.json'),
      JSON.stringify({ command, manifest, date: new Date().toISOString(), splits: results }, null, 1) + '\n',
    );
    console.log(`wrote ${dir}/eval.json`);
  }
  asr.dispose();
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
