import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { PR_HOP, prFrameCount, prIstft, prStft } from './spectral';
import {
  DEFAULT_MODULE_CONFIG,
  createModuleWeights,
  projectToBudget,
  runCascade,
  sampleMaskFor,
  type CascadeWeights,
} from './generator';
import { snrDb } from '../analysis';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('perfect-reconstruction STFT', () => {
  it('round-trips a signal of awkward length exactly', () => {
    const n = 3 * PR_HOP + 37;
    const x = tf.randomNormal([2, n], 0, 0.3, 'float32', 7) as tf.Tensor2D;
    const spec = prStft(x);
    expect(spec.re.shape).toEqual([2, prFrameCount(n), 257]);
    const y = prIstft(spec, n);
    const err = tf.max(tf.abs(tf.sub(x, y))).dataSync()[0];
    expect(err).toBeLessThan(1e-5);
    tf.dispose([x, spec.re, spec.im, y]);
  });

  it('puts a 1 kHz sine in bin 32', () => {
    const n = 4096;
    const data = new Float32Array(n).map((_, i) => Math.sin((2 * Math.PI * 1000 * i) / 16000));
    const spec = prStft(tf.tensor2d(data, [1, n]));
    const mag = tf.sqrt(tf.add(tf.square(spec.re), tf.square(spec.im)));
    const mid = tf.slice(mag, [0, 5, 0], [1, 1, 257]).dataSync();
    let best = 0;
    for (let k = 1; k < 257; k++) if (mid[k] > mid[best]) best = k;
    expect(best).toBe(32);
  });
});

describe('budget projection', () => {
  const cases: Array<[string, (i: number) => number]> = [
    ['loud', (i) => 0.99 * Math.sin(i / 3)],
    ['clipped', (i) => Math.max(-1, Math.min(1, 4 * Math.sin(i / 5)))],
    ['quiet', (i) => 1e-4 * Math.sin(i / 7)],
  ];
  for (const [name, f] of cases) {
    it(`holds the minimum SNR on a ${name} input with an adversarial residual`, () => {
      const n = 2000;
      const x = new Float32Array(n).map((_, i) => f(i));
      // A residual 100× the signal: the projection must pull it back to the budget exactly.
      const y = new Float32Array(n).map((_, i) => x[i] + 100 * Math.cos(i));
      for (const budget of [5, 10, 20]) {
        const out = projectToBudget(tf.tensor2d(x, [1, n]), tf.tensor2d(y, [1, n]), sampleMaskFor([n], n), budget);
        const snr = snrDb(x, out.dataSync() as Float32Array);
        expect(snr).toBeGreaterThanOrEqual(budget);
        expect(snr).toBeLessThan(budget + 0.01);
      }
    });
  }

  it('leaves a residual inside the budget untouched', () => {
    const n = 1000;
    const x = new Float32Array(n).map((_, i) => Math.sin(i / 9));
    const y = x.map((v, i) => v + 0.001 * Math.cos(i));
    const out = projectToBudget(tf.tensor2d(x, [1, n]), tf.tensor2d(y, [1, n]), sampleMaskFor([n], n), 10);
    const o = out.dataSync();
    for (let i = 0; i < n; i += 97) expect(o[i]).toBeCloseTo(y[i], 6);
  });

  it('gives silence back as silence (no budget to spend)', () => {
    const n = 800;
    const out = projectToBudget(
      tf.zeros([1, n]) as tf.Tensor2D,
      tf.randomNormal([1, n]) as tf.Tensor2D,
      sampleMaskFor([n], n),
      10,
    );
    expect(tf.max(tf.abs(out)).dataSync()[0]).toBe(0);
  });
});

describe('cascade', () => {
  function randomWeights(seed: number): CascadeWeights {
    const w = {
      so: createModuleWeights(DEFAULT_MODULE_CONFIG, seed),
      er: createModuleWeights(DEFAULT_MODULE_CONFIG, seed + 1),
    };
    // Give the zero-initialised heads random values so the cascade really perturbs.
    for (const m of [w.so, w.er]) m['head/w'].assign(tf.randomNormal(m['head/w'].shape, 0, 0.5, 'float32', seed));
    return w;
  }

  it('is the identity when freshly initialised', () => {
    const w = { so: createModuleWeights(DEFAULT_MODULE_CONFIG, 1), er: createModuleWeights(DEFAULT_MODULE_CONFIG, 2) };
    const n = 1600;
    const x = tf.randomNormal([1, n], 0, 0.2, 'float32', 3) as tf.Tensor2D;
    const out = runCascade(w, { so: DEFAULT_MODULE_CONFIG, er: DEFAULT_MODULE_CONFIG }, x, [n], 10, {
      training: false,
    });
    expect(tf.max(tf.abs(tf.sub(out.protectedWave, x))).dataSync()[0]).toBeLessThan(1e-4);
  });

  it('keeps every clip of a padded batch within the budget and zero on padding', () => {
    const w = randomWeights(11);
    const n = 4000;
    const lengths = [4000, 2500];
    const xData = new Float32Array(2 * n);
    for (let b = 0; b < 2; b++)
      for (let i = 0; i < lengths[b]; i++) xData[b * n + i] = 0.5 * Math.sin(i / (4 + b)) * Math.sin(i / 300);
    const out = runCascade(
      w,
      { so: DEFAULT_MODULE_CONFIG, er: DEFAULT_MODULE_CONFIG },
      tf.tensor2d(xData, [2, n]),
      lengths,
      12,
      {
        training: false,
      },
    );
    const y = out.protectedWave.dataSync() as Float32Array;
    for (let b = 0; b < 2; b++) {
      const xs = xData.subarray(b * n, b * n + lengths[b]);
      const ys = y.subarray(b * n, b * n + lengths[b]);
      expect(snrDb(xs, ys)).toBeGreaterThanOrEqual(12);
      expect(snrDb(xs, ys)).toBeLessThan(40); // it did perturb
    }
    for (let i = lengths[1]; i < n; i += 50) expect(y[n + i]).toBe(0);
  });

  it('does not leak tensors across repeated calls', () => {
    const w = randomWeights(5);
    const x = tf.randomNormal([1, 3000]) as tf.Tensor2D;
    const run = () =>
      tf.tidy(
        () =>
          runCascade(w, { so: DEFAULT_MODULE_CONFIG, er: DEFAULT_MODULE_CONFIG }, x, [3000], 10, {
            training: true,
            seed: 3,
          }).protectedWave,
      );
    run().dispose();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) run().dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
