/**
 * npm run evaluators:level-probe -- [--model public/models/ser] [--manifest data/corpus-x3/manifest.jsonl]
 *                                           [--split val] [--folds 5]
 *
 * Would the SER gain from knowing the speech-active level? A probe, not a model: k-fold cross-validated multinomial
 * logistic regression on one split, from the SER's log-probabilities alone and from them plus one extra cue per
 * clip (the loud level, see models.ts loudLevel, or the plain mean log-mel the SER already gets). If the extra cue
 * lifts the cross-validated accuracy, the SER leaves that information unused. Read val, never test.
 */
import * as tf from '@tensorflow/tfjs';
import { EMOTIONS } from '../../src/core/data/emotions';
import { loudLevel, type SerModel } from '../../src/core/ml/models';
import { makeRng } from '../../src/core/ml/nn';
import { serMetrics } from '../../src/core/ml/train';
import { predictSer } from '../../src/core/ml/predict';
import { modelFromArtifacts } from '../../src/core/ml/weights';
import { readModelDir } from '../../src/core/node/io';
import { initTf } from '../../src/core/node/tf';
import type { CorpusSplit } from '../../src/core/data/types';
import { argOr as arg } from '../flags';
import { loadSplit } from './data';

/** Standardised features → softmax regression (Adam, L2) → accuracy on the held-out rows. */
function fitAndScore(x: number[][], y: number[], train: number[], test: number[], classes: number): number {
  const d = x[0]!.length;
  const mu = Array.from({ length: d }, (_, j) => train.reduce((s, i) => s + x[i]![j]!, 0) / train.length);
  const sd = Array.from(
    { length: d },
    (_, j) => Math.sqrt(train.reduce((s, i) => s + (x[i]![j]! - mu[j]!) ** 2, 0) / train.length) + 1e-9,
  );
  const row = (i: number) => [...x[i]!.map((v, j) => (v - mu[j]!) / sd[j]!), 1];
  const w = Array.from({ length: (d + 1) * classes }, () => 0);
  const m = w.map(() => 0);
  const v = w.map(() => 0);
  const logits = (r: number[]) =>
    Array.from({ length: classes }, (_, c) => r.reduce((s, xv, j) => s + xv * w[j * classes + c]!, 0));
  const rows = train.map(row);
  for (let t = 1; t <= 1500; t++) {
    const g = w.map((wv) => 1e-2 * wv);
    rows.forEach((r, n) => {
      const z = logits(r);
      const zmax = Math.max(...z);
      const e = z.map((zv) => Math.exp(zv - zmax));
      const sum = e.reduce((a, b) => a + b, 0);
      for (let c = 0; c < classes; c++) {
        const err = (e[c]! / sum - (y[train[n]!] === c ? 1 : 0)) / rows.length;
        for (let j = 0; j <= d; j++) g[j * classes + c]! += r[j]! * err;
      }
    });
    for (let k = 0; k < w.length; k++) {
      m[k] = 0.9 * m[k]! + 0.1 * g[k]!;
      v[k] = 0.999 * v[k]! + 0.001 * g[k]! ** 2;
      w[k]! -= (0.05 * (m[k]! / (1 - 0.9 ** t))) / (Math.sqrt(v[k]! / (1 - 0.999 ** t)) + 1e-8);
    }
  }
  const right = test.filter((i) => {
    const z = logits(row(i));
    return z.indexOf(Math.max(...z)) === y[i];
  });
  return right.length / test.length;
}

async function main(): Promise<void> {
  const modelDir = arg('model', 'public/models/ser');
  const manifest = arg('manifest', 'data/corpus-x3/manifest.jsonl');
  const split = arg('split', 'val') as CorpusSplit;
  const folds = Number(arg('folds', '5'));
  await initTf('wasm');
  const ser = modelFromArtifacts(await readModelDir(modelDir), 'ser') as SerModel;
  const clips = loadSplit(manifest, split, null);
  const probs = await predictSer(
    ser,
    clips.map((c) => c.samples),
  );
  const nMels = ser.config.frontend.nMels;
  const levels = clips.map((c) =>
    tf.tidy(() => {
      const feats = ser.features(tf.tensor2d(c.samples, [1, c.samples.length]));
      const mel = tf.slice(feats, [0, 0, 0], [1, feats.shape[1], nMels]) as tf.Tensor3D;
      return [loudLevel(mel, tf.ones([1, feats.shape[1], 1])).dataSync()[0]!, tf.mean(mel).dataSync()[0]!];
    }),
  );
  const y = clips.map((c) => c.emotion ?? 0);
  const logp = probs.map((p) => Array.from(p, (q) => Math.log(q + 1e-6)));
  const rng = makeRng(7);
  const order = clips.map((_, i) => i).sort(() => rng() - 0.5);
  const cv = (x: number[][]) => {
    let acc = 0;
    for (let k = 0; k < folds; k++) {
      const test = order.filter((_, n) => n % folds === k);
      const train = order.filter((_, n) => n % folds !== k);
      acc += fitAndScore(x, y, train, test, EMOTIONS.length) / folds;
    }
    return (100 * acc).toFixed(2);
  };
  const wa = (100 * serMetrics(y, probs, EMOTIONS.length).wa).toFixed(2);
  console.log(`${modelDir} on ${split} (${clips.length} clips): SER WA ${wa} %; ${folds}-fold cross-validated probe:`);
  console.log(`  log-probs              ${cv(logp)} %`);
  console.log(`  + loud level           ${cv(logp.map((r, i) => [...r, levels[i]![0]!]))} %`);
  console.log(`  + mean log-mel level   ${cv(logp.map((r, i) => [...r, levels[i]![1]!]))} %`);
  ser.dispose();
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
