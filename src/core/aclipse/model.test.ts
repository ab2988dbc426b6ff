import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAbortError } from '../abort';
import { snrDb } from '../analysis';
import { initTf } from '../node/tf';
import { DEFAULT_MODULE_CONFIG } from './generator';
import { AclipseGenerator, PROTECT_CHUNK_SAMPLES } from './model';

beforeAll(async () => {
  await initTf('wasm');
});

describe('generator protect of a long clip', () => {
  const cfg = { ...DEFAULT_MODULE_CONFIG, hidden: 8 };
  let gen: AclipseGenerator;
  beforeAll(() => {
    gen = new AclipseGenerator({ so: cfg, er: cfg, budgetDb: 10 }, 3);
    // random heads, so the generator really perturbs
    for (const m of [gen.weights.so, gen.weights.er])
      m['head/w'].assign(tf.randomNormal(m['head/w'].shape, 0, 0.5, 'float32', 7));
  });
  afterAll(() => gen.dispose());
  const n = 2 * PROTECT_CHUNK_SAMPLES + 8000;
  const x = Float32Array.from(
    { length: n },
    (_, i) => 0.3 * Math.sin(i / 7) * Math.sin(i / 900) + 0.05 * Math.sin(i / 3.1),
  );

  it('goes in pieces, each held to the budget, reporting progress; the same as protecting the pieces one by one', async () => {
    const fractions: number[] = [];
    const whole = await gen.protect(x, 10, { onProgress: (f) => fractions.push(f) });
    expect(fractions).toEqual([PROTECT_CHUNK_SAMPLES / n, (2 * PROTECT_CHUNK_SAMPLES) / n, 1]);
    for (let s = 0; s < n; s += PROTECT_CHUNK_SAMPLES) {
      const piece = x.subarray(s, Math.min(n, s + PROTECT_CHUNK_SAMPLES));
      const one = await gen.protect(piece, 10);
      expect(whole.wave.subarray(s, s + piece.length)).toEqual(one.wave);
      expect(snrDb(piece, one.wave)).toBeGreaterThanOrEqual(10 - 1e-3);
    }
    expect(whole.snrDb).toBeGreaterThanOrEqual(10 - 1e-3);
    expect(whole.snrDb).toBeLessThan(40);
  }, 60_000); // 3 pieces of 20 s each on wasm: seconds alone, more on a busy machine

  it('stops before the next piece once the signal is aborted', async () => {
    const ctrl = new AbortController();
    const fractions: number[] = [];
    const err = await gen
      .protect(x, 10, {
        signal: ctrl.signal,
        onProgress: (f) => {
          fractions.push(f);
          ctrl.abort();
        },
      })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(isAbortError(err)).toBe(true);
    expect(fractions).toHaveLength(1);
  });
});
