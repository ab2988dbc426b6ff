import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initTf } from '../node/tf';
import { ctcForwardBackward, ctcLoss, ctcLossAndGrad, ctcSurrogate } from './ctc';
import { makeRng, gaussian } from './nn';

beforeAll(async () => {
  await initTf('cpu');
});

function randomLogits(n: number, seed: number): Float32Array {
  const rng = makeRng(seed);
  return Float32Array.from({ length: n }, () => 2 * gaussian(rng));
}

/** Sums the probability of every alignment path of length T that collapses to `label`. */
function bruteForceNll(logits: Float32Array, t: number, v: number, label: number[], blank = 0): number {
  const lp: number[][] = [];
  for (let i = 0; i < t; i++) {
    const row = Array.from(logits.slice(i * v, (i + 1) * v));
    const m = Math.max(...row);
    const z = Math.log(row.reduce((a, x) => a + Math.exp(x - m), 0)) + m;
    lp.push(row.map((x) => x - z));
  }
  let total = 0;
  const path = new Array<number>(t).fill(0);
  const rec = (i: number, logp: number): void => {
    if (i === t) {
      const out: number[] = [];
      let prev = -1;
      for (const s of path) {
        if (s !== prev && s !== blank) out.push(s);
        prev = s;
      }
      if (out.length === label.length && out.every((x, k) => x === label[k])) total += Math.exp(logp);
      return;
    }
    for (let s = 0; s < v; s++) {
      path[i] = s;
      rec(i + 1, logp + lp[i][s]);
    }
  };
  rec(0, 0);
  return -Math.log(total);
}

describe('CTC loss', () => {
  const cases: { t: number; v: number; label: number[] }[] = [
    { t: 4, v: 3, label: [1, 2] },
    { t: 5, v: 3, label: [1, 1] }, // repeat needs a blank between
    { t: 3, v: 4, label: [] },
    { t: 6, v: 4, label: [3, 1, 3] },
    { t: 2, v: 3, label: [2, 2] }, // infeasible: needs 3 frames
  ];

  it('matches brute-force enumeration of all alignments', () => {
    cases.forEach(({ t, v, label }, k) => {
      const logits = randomLogits(t * v, 11 + k);
      const r = ctcForwardBackward(logits, [1, t, v], [label], [t], { zeroInfinity: false });
      const bf = bruteForceNll(logits, t, v, label);
      if (Number.isFinite(bf)) expect(r.losses[0]).toBeCloseTo(bf, 6);
      else expect(r.losses[0]).toBe(Infinity);
    });
  });

  it('handles a padded batch: each row equals its own unpadded loss, padding frames get zero gradient', () => {
    const v = 4;
    const tMax = 7;
    const rows = [
      { t: 7, label: [1, 2, 3] },
      { t: 4, label: [2] },
      { t: 5, label: [3, 3] },
    ];
    const logits = randomLogits(rows.length * tMax * v, 5);
    const r = ctcForwardBackward(
      logits,
      [rows.length, tMax, v],
      rows.map((x) => x.label),
      rows.map((x) => x.t),
      { reduction: 'sum' },
    );
    rows.forEach((row, b) => {
      const own = logits.slice(b * tMax * v, b * tMax * v + row.t * v);
      expect(r.losses[b]).toBeCloseTo(bruteForceNll(own, row.t, v, row.label), 5);
      for (let i = row.t * v; i < tMax * v; i++) expect(r.grad![b * tMax * v + i]).toBe(0);
    });
    expect(r.loss).toBeCloseTo(r.losses[0] + r.losses[1] + r.losses[2], 6);
  });

  it('gradient matches central finite differences', () => {
    const [b, t, v] = [2, 6, 5];
    const labels = [[1, 2, 2], [4]];
    const lens = [6, 4];
    for (const reduction of ['mean', 'sum', 'meanPerLabel'] as const) {
      const logits = randomLogits(b * t * v, 99);
      const r = ctcForwardBackward(logits, [b, t, v], labels, lens, { reduction });
      const eps = 1e-2;
      for (let i = 0; i < logits.length; i++) {
        const p = logits.slice();
        p[i] += eps;
        const m = logits.slice();
        m[i] -= eps;
        const fd =
          (ctcForwardBackward(p, [b, t, v], labels, lens, { reduction, grad: false }).loss -
            ctcForwardBackward(m, [b, t, v], labels, lens, { reduction, grad: false }).loss) /
          (2 * eps);
        expect(Math.abs(fd - r.grad![i])).toBeLessThan(2e-3);
      }
    }
  });

  it('zeroInfinity drops infeasible rows from loss and gradient', () => {
    const logits = randomLogits(2 * 3 * 4, 3);
    const r = ctcForwardBackward(logits, [2, 3, 4], [[1, 1, 1], [2]], [3, 3], { reduction: 'sum' });
    expect(r.infeasible).toBe(1);
    expect(r.losses[0]).toBe(Infinity);
    expect(r.loss).toBeCloseTo(r.losses[1], 6);
    for (let i = 0; i < 12; i++) expect(r.grad![i]).toBe(0);
  });

  it('tf customGrad loss (with a coefficient) and the async two-pass surrogate give the same value and gradients', async () => {
    const [b, t, v] = [3, 8, 6];
    const labels = [[1, 2, 3], [5, 5], [4]];
    const lens = [8, 6, 3];
    const x = tf.tensor3d(randomLogits(b * t * v, 21), [b, t, v]);
    const coef = -0.7;
    const g1 = tf.grad((z: tf.Tensor) => tf.mul(ctcLoss(z as tf.Tensor3D, labels, lens), coef))(x);
    const pass1 = await ctcLossAndGrad(x, labels, lens);
    const g2 = tf.grad((z: tf.Tensor) => tf.mul(ctcSurrogate(z as tf.Tensor3D, pass1), coef))(x);
    const js = ctcForwardBackward(x.dataSync() as Float32Array, [b, t, v], labels, lens);
    expect(tf.max(tf.abs(tf.sub(g1, g2))).dataSync()[0]).toBeLessThan(1e-6);
    const g1d = g1.dataSync();
    for (let i = 0; i < g1d.length; i++) expect(g1d[i]).toBeCloseTo(coef * js.grad![i], 5);
    const l1 = ctcLoss(x, labels, lens).dataSync()[0];
    const l2 = tf.tidy(() => ctcSurrogate(x, pass1).dataSync()[0]);
    expect(l1).toBeCloseTo(js.loss, 4);
    expect(l2).toBeCloseTo(js.loss, 3);
    // a nonlinear function of the loss (stage 2 uses 1/(λ·L)) gets the chain rule through both paths
    const g3 = tf.grad((z: tf.Tensor) => tf.div(1, ctcLoss(z as tf.Tensor3D, labels, lens)))(x);
    const g4 = tf.grad((z: tf.Tensor) => tf.div(1, ctcSurrogate(z as tf.Tensor3D, pass1)))(x);
    expect(tf.max(tf.abs(tf.sub(g3, g4))).dataSync()[0]).toBeLessThan(1e-5);
    tf.dispose([x, g1, g2, g3, g4]);
  });
});
