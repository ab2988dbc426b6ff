/**
 * The engine check against its float64 reference: wasm and cpu pass every check at n = 16 (the UI's size) and 7,
 * and a value off by more than its tolerance fails.
 */
import { describe, expect, it } from 'vitest';
import { initTf } from '../src/core/node/tf';
import { JobRegistry } from './jobs';
import { runSelfTest } from './selftest';
import { selfTestChecks, selfTestReference, SELF_TEST_RTOL } from './selftest-reference';

const registry = new JobRegistry();
let id = 0;

describe('engine self-check', () => {
  for (const backend of ['wasm', 'cpu'] as const) {
    it(`passes every check on ${backend}`, async () => {
      await initTf(backend);
      for (const size of [16, 7]) {
        const r = await registry.run(`s${++id}`, null, (ctx) => runSelfTest({ size }, ctx));
        expect(r.backend).toBe(backend);
        expect(r.checks.map((c) => c.name).sort()).toEqual(Object.keys(r.values).sort());
        for (const c of r.checks) expect(c, `${c.name} on ${backend}, n = ${size}`).toMatchObject({ pass: true });
        // The tolerance is tight: the values agree with float64 far better than it requires.
        for (const c of r.checks) expect(Math.abs(c.value - c.expected)).toBeLessThan(c.tolerance);
      }
    }, 60_000);
  }

  it('fails a value outside its tolerance, and a missing one', () => {
    const expected = selfTestReference(4);
    const values = { ...expected, gradNorm: expected.gradNorm! * (1 + 3 * SELF_TEST_RTOL) };
    delete (values as Record<string, number>).logSumExp;
    const checks = selfTestChecks(values, expected);
    expect(
      checks
        .filter((c) => !c.pass)
        .map((c) => c.name)
        .sort(),
    ).toEqual(['gradNorm', 'logSumExp']);
    expect(checks.find((c) => c.name === 'matMulSum')!.pass).toBe(true);
  });
});
