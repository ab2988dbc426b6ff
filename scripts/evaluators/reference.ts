/**
 * Writes reference outputs of the shipped evaluators on one demo clip, so the e2e can check that the same weights
 * give the same predictions in the browser worker (webgpu) as in Node (wasm), within a tolerance.
 *
 *   npm run evaluators:reference -- [--models public/models] [--demo public/demo/manifest.jsonl]
 *                                           [--clip ID] [--out tests/fixtures/evaluator-reference.json]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { decodeWavTo16kMono } from '../../src/core/audio';
import { EMOTIONS } from '../../src/core/data/emotions';
import { greedyDecode } from '../../src/core/text/decoders';
import { modelFromArtifacts } from '../../src/core/ml/weights';
import { readModelDir, writeAtomic } from '../../src/core/node/io';
import { initTf } from '../../src/core/node/tf';
import { argOr as arg } from '../flags';

const round = (x: ArrayLike<number>) => Array.from(x, (v) => Math.round(v * 1e5) / 1e5);

async function main(): Promise<void> {
  const modelsDir = arg('models', 'public/models');
  const demo = arg('demo', 'public/demo/manifest.jsonl');
  const out = arg('out', 'tests/fixtures/evaluator-reference.json');
  const recs = readFileSync(demo, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as { id: string; path: string; text: string; emotion: string });
  const wanted = arg('clip', recs[0].id);
  const rec = recs.find((r) => r.id === wanted);
  if (!rec) throw new Error(`clip ${wanted} not in ${demo}`);
  const tf = await initTf('wasm');
  const samples = decodeWavTo16kMono(readFileSync(path.join(path.dirname(demo), rec.path)));
  const serArt = await readModelDir(path.join(modelsDir, 'ser'));
  const asrArt = await readModelDir(path.join(modelsDir, 'asr'));
  const ser = modelFromArtifacts(serArt, 'ser');
  const asr = modelFromArtifacts(asrArt, 'asr');
  const wave = tf.tensor2d(samples, [1, samples.length]);
  const serLogits = tf.tidy(() => ser.forward(wave, [samples.length]));
  const probs = tf.tidy(() => tf.softmax(serLogits));
  const { logits, outLengths } = asr.forward(wave, [samples.length]);
  const [, t, v] = logits.shape;
  const asrData = (await logits.data()) as Float32Array;
  const reference = {
    note:
      'Outputs of public/models/{ser,asr} on one demo clip, on the tfjs wasm backend in Node (scripts/evaluators/reference.ts). ' +
      'Compare another backend with: max |Δ ser.logits| and max |Δ asr.logits| below tolerance, same emotion, same greedy transcript.',
    backend: tf.getBackend(),
    tolerance: { serLogits: 1e-2, asrLogits: 5e-2 },
    clip: {
      id: rec.id,
      path: path.join(path.dirname(demo), rec.path),
      samples: samples.length,
      text: rec.text,
      emotion: rec.emotion,
    },
    models: { ser: serArt.modelJson.trainedWith.command ?? null, asr: asrArt.modelJson.trainedWith.command ?? null },
    ser: {
      logits: round(await serLogits.data()),
      probabilities: round(await probs.data()),
      emotion: EMOTIONS[(await probs.data()).indexOf(Math.max(...(await probs.data())))],
    },
    asr: {
      shape: [1, t, v],
      outLength: outLengths[0],
      logits: round(asrData),
      greedy: greedyDecode(asrData, outLengths[0], v),
    },
  };
  await writeAtomic(out, JSON.stringify(reference) + '\n');
  console.log(
    `wrote ${out}: emotion ${reference.ser.emotion} (true ${rec.emotion}), transcript "${reference.asr.greedy}" (ref "${rec.text}")`,
  );
  tf.dispose([wave, serLogits, probs, logits]);
  ser.dispose();
  asr.dispose();
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
