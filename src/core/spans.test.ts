import { describe, expect, it } from 'vitest';
import { snrDb } from './analysis';
import { applyBaseline } from './baselines';
import { mixSpans, normalizeSpans, parseSpans, protectSpans } from './spans';

const SR = 16000;
function speechLike(seconds: number): Float32Array {
  return Float32Array.from({ length: Math.round(seconds * SR) }, (_, i) => {
    const t = i / SR;
    return (
      0.3 * Math.sin(2 * Math.PI * 140 * t) * (0.6 + 0.4 * Math.sin(2 * Math.PI * 3 * t)) +
      0.1 * Math.sin(2 * Math.PI * 900 * t)
    );
  });
}
/** A stand-in protector that changes everything it gets a lot (white noise far above any budget). */
const loud = async (x: Float32Array) =>
  Float32Array.from(x, (v, i) => v + 0.5 * Math.sin(i * 12.9898) * Math.cos(i * 4.1414));

describe('spans', () => {
  it('parses and normalises: sorted, merged, clipped; bad input refused with a reason', () => {
    expect(parseSpans('3.0-3.4, 1.2-1.9')).toEqual([
      { start: 3, end: 3.4 },
      { start: 1.2, end: 1.9 },
    ]);
    expect(() => parseSpans('1.2')).toThrow(/not a span/);
    expect(
      normalizeSpans(
        [
          { start: 3, end: 3.4 },
          { start: 1.2, end: 1.9 },
          { start: 1.8, end: 2.2 },
          { start: 3.3, end: 9 },
        ],
        4,
      ),
    ).toEqual([
      { start: 1.2, end: 2.2 },
      { start: 3, end: 4 },
    ]);
    expect(() => normalizeSpans([{ start: 2, end: 1 }], 4)).toThrow(/ends before it starts/);
    expect(() => normalizeSpans([{ start: 5, end: 6 }], 4)).toThrow(/after the clip ends/);
    expect(() => normalizeSpans([{ start: 1, end: 1.03 }], 4)).toThrow(/shorter than its two 20 ms fades/);
    expect(() => normalizeSpans([], 4)).toThrow(/at least one/);
  });

  it('leaves every sample outside the spans bit for bit, and holds the budget inside each span', async () => {
    const x = speechLike(4);
    const spans = [
      { start: 0.5, end: 1.1 },
      { start: 2.0, end: 2.8 },
    ];
    const r = await protectSpans(x, spans, loud, { budgetDb: 10 });
    const inside = (i: number) => spans.some((s) => i >= Math.round(s.start * SR) && i < Math.round(s.end * SR));
    let changedOutside = 0;
    let changedInside = 0;
    for (let i = 0; i < x.length; i++) {
      if (inside(i)) changedInside += r.wave[i] !== x[i] ? 1 : 0;
      else changedOutside += r.wave[i] !== x[i] ? 1 : 0;
    }
    expect(changedOutside).toBe(0);
    expect(changedInside).toBeGreaterThan(0.9 * (0.6 + 0.8) * SR);
    for (const s of r.spans) {
      expect(s.snrDb).toBeGreaterThanOrEqual(10 - 1e-3);
      expect(s.scaled).toBe(true);
      const a = Math.round(s.start * SR);
      const b = Math.round(s.end * SR);
      expect(snrDb(x.subarray(a, b), r.wave.subarray(a, b))).toBeCloseTo(s.snrDb, 6);
    }
    expect(r.snrDb).toBeGreaterThan(Math.min(...r.spans.map((s) => s.snrDb)));
  });

  it('fades in and out: no step at the edges bigger than the signal’s own local range', async () => {
    const x = speechLike(2);
    const r = await protectSpans(x, [{ start: 0.5, end: 1.0 }], loud, { budgetDb: 5 });
    const localStep = (w: Float32Array, i: number) => Math.abs(w[i]! - w[i - 1]!);
    let maxOrig = 0;
    for (let i = 1; i < x.length; i++) maxOrig = Math.max(maxOrig, localStep(x, i));
    for (const edge of [0.5, 1.0]) {
      const e = Math.round(edge * SR);
      for (let i = e - 40; i < e + 40; i++) expect(localStep(r.wave, i)).toBeLessThanOrEqual(maxOrig + 1e-6);
    }
  });

  it('does not touch a span whose protection is already within budget, and mixes a real baseline too', async () => {
    const x = speechLike(2);
    const quiet = async (p: Float32Array) => applyBaseline('noise', p, { minSnrDb: 30, seed: 3 }).y;
    const r = await protectSpans(x, [{ start: 0.4, end: 1.4 }], quiet, { budgetDb: 10 });
    expect(r.spans[0]!.scaled).toBe(false);
    expect(r.spans[0]!.snrDb).toBeGreaterThan(25);
    expect(() => mixSpans(x, x.subarray(1), [{ start: 0, end: 1 }], { budgetDb: 10 })).toThrow(/original length/);
  });
});
