import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snrDb } from '../analysis';
import { initTf } from '../node/tf';
import { BandedGenerator } from './banded';
import { DEFAULT_MODULE_CONFIG } from './generator';
import { AclipseGenerator } from './model';

beforeAll(async () => {
  await initTf('wasm');
});

describe('a generator with weights by budget', () => {
  const cfg = { ...DEFAULT_MODULE_CONFIG, hidden: 8 };
  const make = (seed: number) => {
    const g = new AclipseGenerator({ so: cfg, er: cfg, budgetDb: 10 }, seed);
    // random heads, so each weight set perturbs, and differently
    tf.tidy(() => {
      for (const m of [g.weights.so, g.weights.er])
        m['head/w'].assign(tf.randomNormal(m['head/w'].shape, 0, 0.5, 'float32', seed));
    });
    return g;
  };
  let base: AclipseGenerator;
  let high: AclipseGenerator;
  let banded: BandedGenerator;
  const x = Float32Array.from({ length: 8000 }, (_, i) => 0.3 * Math.sin(i / 7) * Math.sin(i / 900));
  beforeAll(() => {
    base = make(1);
    high = make(2);
    banded = new BandedGenerator(base, [{ fromDb: 15, path: 'high/', label: 'high', why: 'val', generator: high }]);
  });
  afterAll(() => banded.dispose());

  it('protects each clip with the weights of its budget, held to that budget', async () => {
    for (const [budget, own] of [
      [10, () => base],
      [14.5, () => base],
      [15, () => high],
      [20, () => high],
    ] as const) {
      const got = await banded.protect(x, budget);
      const want = await own().protect(x, budget);
      expect(got.wave).toEqual(want.wave);
      expect(snrDb(x, got.wave)).toBeGreaterThanOrEqual(budget - 1e-3);
    }
    // and the two weight sets really differ, so the comparison above could fail
    const a = await base.protect(x, 20);
    const b = await high.protect(x, 20);
    expect(a.wave).not.toEqual(b.wave);
  });

  it('names the band that serves a budget', () => {
    expect(banded.weightsFor(12).band).toBeNull();
    expect(banded.weightsFor(16).band?.label).toBe('high');
  });

  it('releases every weight set it holds', () => {
    const before = tf.memory().numTensors;
    const g = new BandedGenerator(make(3), [{ fromDb: 15, path: 'h/', label: 'h', why: 'v', generator: make(4) }]);
    expect(tf.memory().numTensors).toBeGreaterThan(before);
    g.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
