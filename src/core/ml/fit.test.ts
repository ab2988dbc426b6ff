import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initTf } from '../node/tf';
import { DEFAULT_AUGMENT } from '../augment';
import { isAbortError } from '../abort';
import { fit, type FitClip, type FitOptions } from './fit';
import { DEFAULT_SER_CONFIG, SerModel } from './models';
import { makeRng } from './nn';

beforeAll(async () => {
  await initTf('wasm');
});

const tone = (n: number, f: number) =>
  Float32Array.from({ length: n }, (_, i) => 0.3 * Math.sin((2 * Math.PI * f * i) / 16000));
const clips: FitClip[] = Array.from({ length: 6 }, (_, i) => ({
  samples: tone(3000 + 400 * i, 150 + 90 * i),
  emotion: i % 4,
}));
const newModel = () => new SerModel({ ...DEFAULT_SER_CONFIG, channels: 16, blocks: 1, hidden: 8 }, 5);
const opts: FitOptions = {
  epochs: 2,
  maxBatch: 2,
  maxSamples: 16000,
  rng: (epoch) => makeRng(11 + epoch),
  lr: (step) => 1e-3 / (1 + step),
  augment: DEFAULT_AUGMENT,
  augmentProb: 0.5,
  clipNorm: 5,
};
const weights = (m: SerModel) => m.trainableVariables().map((v) => Array.from(v.dataSync()));

describe('fit, the evaluator training loop', () => {
  it('resumed from its epoch-end position, trains to the same weights as one uninterrupted run', async () => {
    const a = newModel();
    const optA = tf.train.adam(1e-3);
    const epochs: number[] = [];
    const doneA = await fit(a, optA, clips, { ...opts, onEpochEnd: (e) => void epochs.push(e.step) });
    expect(doneA).toMatchObject({ epoch: 2, step: epochs[1] });

    const b = newModel();
    const optB = tf.train.adam(1e-3);
    const first = await fit(b, optB, clips, { ...opts, epochs: 1 });
    expect(first.step).toBe(epochs[0]);
    const steps: number[] = [];
    await fit(b, optB, clips, {
      ...opts,
      start: { epoch: 1, step: first.step },
      onStep: (s) => void steps.push(s.step),
    });
    expect(steps[0]).toBe(first.step + 1);
    expect(weights(b)).toEqual(weights(a));
    [a, b, optA, optB].forEach((x) => x.dispose());
  });

  it('stops before the next step once the signal is aborted, with an AbortError', async () => {
    const m = newModel();
    const opt = tf.train.adam(1e-3);
    const ctrl = new AbortController();
    let steps = 0;
    const run = fit(m, opt, clips, {
      ...opts,
      signal: ctrl.signal,
      onStep: () => {
        if (++steps === 2) ctrl.abort();
      },
    });
    const err = await run.then(
      () => null,
      (e: unknown) => e,
    );
    expect(isAbortError(err)).toBe(true);
    expect(steps).toBe(2);
    m.dispose();
    opt.dispose();
  });
});
