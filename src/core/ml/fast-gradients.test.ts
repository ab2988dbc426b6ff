import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { installFastMatMulGradient } from './fast-gradients';
import { initTf } from '../node/tf';

beforeAll(async () => {
  await initTf('wasm');
  installFastMatMulGradient();
});

describe('fast matMul gradient', () => {
  for (const [ta, tb] of [
    [false, false],
    [false, true],
    [true, false],
    [true, true],
  ] as const) {
    it(`matches finite differences (transposeA=${ta}, transposeB=${tb}), 2-D and batched`, () => {
      for (const batch of [null, 2]) {
        const sa = ta ? [4, 3] : [3, 4];
        const sb = tb ? [5, 4] : [4, 5];
        const a = tf.randomNormal(batch ? [batch, ...sa] : sa, 0, 1, 'float32', 1);
        const b = tf.randomNormal(batch ? [batch, ...sb] : sb, 0, 1, 'float32', 2);
        const w = tf.randomNormal(batch ? [batch, 3, 5] : [3, 5], 0, 1, 'float32', 3);
        const f = (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, y, ta, tb), w));
        const [ga, gb] = tf.grads(f)([a, b]);
        // Analytic check by perturbing each entry (float64 in JS).
        const check = (t: tf.Tensor, g: tf.Tensor, which: 0 | 1) => {
          const base = t.dataSync();
          const gv = g.dataSync();
          for (let i = 0; i < base.length; i += 3) {
            const p = base.slice();
            p[i] += 1e-2;
            const tp = tf.tensor(p, t.shape);
            const up = (which === 0 ? f(tp, b) : f(a, tp)).dataSync()[0];
            p[i] -= 2e-2;
            const tm = tf.tensor(p, t.shape);
            const dn = (which === 0 ? f(tm, b) : f(a, tm)).dataSync()[0];
            expect(gv[i]).toBeCloseTo((up - dn) / 2e-2, 2);
          }
        };
        check(a, ga, 0);
        check(b, gb, 1);
      }
    });
  }
});
