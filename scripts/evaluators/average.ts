/**
 * npm run evaluators:average -- --models dirA,dirB[,...] --out DIR [--manifest M] [--split val] [--limit N]
 *
 * Checkpoint averaging: writes the element-wise mean of same-config SER (or ASR) checkpoints to DIR and prints the
 * score of every input and of the average on one split (val by default: the choice between them must not see test).
 * SER: WA and UA; ASR: greedy WER and CER.
 */
import path from 'node:path';
import { EMOTIONS } from '../../src/core/data/emotions';
import type { CorpusSplit } from '../../src/core/data/types';
import type { LabelledClip } from '../../src/core/data/clip';
import { asrMetrics, serMetrics } from '../../src/core/ml/train';
import { predictAsr, predictSer } from '../../src/core/ml/predict';
import { averageArtifacts, modelFromArtifacts, type ModelArtifacts } from '../../src/core/ml/weights';
import { readModelDir, writeModelDir } from '../../src/core/node/io';
import { initTf } from '../../src/core/node/tf';
import { argOr as arg } from '../flags';
import { loadSplit, pct } from './data';

async function score(
  art: ModelArtifacts,
  clips: LabelledClip[],
): Promise<{ line: string; metrics: Record<string, number> }> {
  if (art.modelJson.config.kind === 'ser') {
    const model = modelFromArtifacts(art, 'ser');
    const m = serMetrics(
      clips.map((c) => c.emotion ?? 0),
      await predictSer(
        model,
        clips.map((c) => c.samples),
      ),
      EMOTIONS.length,
    );
    model.dispose();
    return { line: `WA ${pct(m.wa)}  UA ${pct(m.ua)}`, metrics: { n: m.n, wa: m.wa, ua: m.ua } };
  }
  const model = modelFromArtifacts(art, 'asr');
  const m = asrMetrics(
    clips.map((c) => c.text ?? ''),
    await predictAsr(
      model,
      clips.map((c) => c.samples),
    ),
  );
  model.dispose();
  return {
    line: `greedy WER ${pct(m.werGreedy)}  CER ${pct(m.cerGreedy)}`,
    metrics: { n: m.n, werGreedy: m.werGreedy, cerGreedy: m.cerGreedy },
  };
}

async function main(): Promise<void> {
  const dirs = arg('models', '').split(',').filter(Boolean);
  const out = arg('out', '');
  if (dirs.length < 2 || !out) throw new Error('usage: --models dirA,dirB[,...] --out DIR');
  const split = arg('split', 'val') as CorpusSplit;
  const manifest = arg('manifest', 'data/corpus/manifest.jsonl');
  await initTf('wasm');
  const arts = await Promise.all(dirs.map((d) => readModelDir(d)));
  const mean = await averageArtifacts(arts);
  mean.modelJson.trainedWith = {
    command: `npm run evaluators:average -- --models ${dirs.join(',')} --out ${out}`,
    averageOf: dirs.map((dir, k) => ({ dir, trainedWith: arts[k].modelJson.trainedWith })),
  };
  const clips = loadSplit(manifest, split, Number(arg('limit', '0')) || null);
  console.log(`${split}: ${clips.length} clips from ${manifest}`);
  for (const [k, d] of dirs.entries()) console.log(`  ${d.padEnd(40)} ${(await score(arts[k], clips)).line}`);
  const s = await score(mean, clips);
  console.log(`  ${'average'.padEnd(40)} ${s.line}`);
  mean.modelJson.metrics = { [split]: s.metrics };
  await writeModelDir(out, mean);
  console.log(`wrote ${path.join(out, 'model.json')}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
