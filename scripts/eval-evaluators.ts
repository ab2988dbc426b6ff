/**
 * npm run eval:evaluators -- [--models public/models] [--manifest data/corpus/manifest.jsonl]
 *                            [--splits test,test_speaker] [--limit N] [--write] [--backend wasm|cpu]
 *                            [--by voice|speaker|emotion]
 *
 * Prints WA, UA (SER) and WER, CER (ASR; greedy and lexicon beam search) of the shipped evaluators on the
 * sentence-held-out `test` split and the speaker-held-out `test_speaker` split, plus the SER confusion matrices.
 * --write stores the numbers in public/models/<kind>/eval.json.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EMOTIONS } from '../src/core/data/emotions';
import type { CorpusSplit } from '../src/core/data/types';
import { asrMetrics, predictAsr, predictSer, serMetrics, type AsrMetrics, type SerMetrics } from '../src/core/ml/train';
import { modelFromArtifacts } from '../src/core/ml/weights';
import { readModelDir } from '../src/core/node/io';
import { initTf, type NodeBackend } from '../src/core/node/tf';
import { loadSplit, pct, readDecoder, readManifest } from './evaluators/data';
import { argOr as arg } from './flags';

async function main(): Promise<void> {
  const modelsDir = arg('models', 'public/models');
  const manifest = arg('manifest', 'data/corpus/manifest.jsonl');
  const splits = arg('splits', 'test,test_speaker').split(',') as CorpusSplit[];
  const limit = Number(arg('limit', '0')) || null;
  const write = arg('write', 'false') === 'true';
  const by = arg('by', '') || null;
  if (by && !['voice', 'speaker', 'emotion'].includes(by)) throw new Error('--by takes voice, speaker or emotion');
  const field = by ? new Map(readManifest(manifest).map((r) => [r.id, String(r[by as keyof typeof r] ?? '?')])) : null;
  const tf = await initTf(arg('backend', 'wasm') as NodeBackend);
  const serArt = await readModelDir(path.join(modelsDir, 'ser'));
  const asrArt = await readModelDir(path.join(modelsDir, 'asr'));
  const ser = modelFromArtifacts(serArt, 'ser');
  const asr = modelFromArtifacts(asrArt, 'asr');
  const decoder = readDecoder(path.join(modelsDir, 'asr'), asrArt.modelJson);
  console.log(`backend ${tf.getBackend()}; SER ${ser.parameterCount()} params, ASR ${asr.parameterCount()} params; ${decoder?.describe ?? 'no lexicon (greedy only)'}`);
  const results: Record<string, { ser: SerMetrics; asr: AsrMetrics }> = {};
  for (const split of splits) {
    const clips = loadSplit(manifest, split, limit);
    if (!clips.length) throw new Error(`split ${split} is empty in ${manifest}`);
    const t0 = Date.now();
    const waves = clips.map((c) => c.samples);
    const serProbs = await predictSer(ser, waves);
    const asrPreds = await predictAsr(asr, waves, decoder ?? {});
    const s = serMetrics(clips.map((c) => c.emotion ?? 0), serProbs, EMOTIONS.length);
    const a = asrMetrics(clips.map((c) => c.text ?? ''), asrPreds);
    results[split] = { ser: s, asr: a };
    console.log(`\n== ${split} (${clips.length} clips, ${((Date.now() - t0) / 1000).toFixed(0)} s)`);
    console.log(`SER  WA ${pct(s.wa)}  UA ${pct(s.ua)}`);
    console.log(`ASR  greedy: WER ${pct(a.werGreedy)}  CER ${pct(a.cerGreedy)}   beam: WER ${pct(a.werBeam)}  CER ${pct(a.cerBeam)}`);
    console.log(`confusion (rows = true, cols = predicted; ${EMOTIONS.join(', ')}):`);
    s.confusion.forEach((row, i) => console.log(`  ${EMOTIONS[i].padEnd(8)} ${row.map((v) => String(v).padStart(5)).join('')}`));
    if (by && field) {
      // per voice or emotion (manifest field): where the errors are, not only how many
      const groups = new Map<string, number[]>();
      clips.forEach((c, i) => {
        const g = field.get(c.id) ?? '?';
        groups.set(g, [...(groups.get(g) ?? []), i]);
      });
      console.log(`by ${by}:`);
      for (const [g, idx] of [...groups].sort()) {
        const gs = serMetrics(idx.map((i) => clips[i].emotion ?? 0), idx.map((i) => serProbs[i]), EMOTIONS.length);
        const ga = asrMetrics(idx.map((i) => clips[i].text ?? ''), idx.map((i) => asrPreds[i]));
        console.log(`  ${g.padEnd(18)} ${String(idx.length).padStart(4)} clips  SER WA ${pct(gs.wa)}  ASR greedy CER ${pct(ga.cerGreedy)} WER ${pct(ga.werGreedy)}  beam WER ${pct(ga.werBeam)}`);
      }
    }
  }
  if (write) {
    const stamp = { command: `npm run eval:evaluators -- --write${limit ? ` --limit ${limit}` : ''}`, manifest, date: new Date().toISOString() };
    await writeFile(path.join(modelsDir, 'ser', 'eval.json'),
      JSON.stringify({ ...stamp, splits: Object.fromEntries(Object.entries(results).map(([k, v]) => [k, v.ser])) }, null, 1) + '\n');
    await writeFile(path.join(modelsDir, 'asr', 'eval.json'),
      JSON.stringify({ ...stamp, splits: Object.fromEntries(Object.entries(results).map(([k, v]) => [k, v.asr])) }, null, 1) + '\n');
    console.log(`\nwrote ${modelsDir}/{ser,asr}/eval.json`);
  }
  ser.dispose();
  asr.dispose();
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack ?? e.message : e);
  process.exit(1);
});
