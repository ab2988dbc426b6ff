import { describe, expect, it } from 'vitest';
import { editCounts } from './scores';
import { normalizeText } from '../text/normalize';
import { trackPitch } from '../cues';
import { alignWords, computeSpectra, intelligibility } from './measure';

describe('alignWords', () => {
  it('marks equal, substituted, deleted and inserted words', () => {
    expect(alignWords('the cat sat on the mat', 'the bat sat the mat today')).toEqual([
      { op: 'equal', ref: 'the', hyp: 'the' },
      { op: 'sub', ref: 'cat', hyp: 'bat' },
      { op: 'equal', ref: 'sat', hyp: 'sat' },
      { op: 'del', ref: 'on', hyp: null },
      { op: 'equal', ref: 'the', hyp: 'the' },
      { op: 'equal', ref: 'mat', hyp: 'mat' },
      { op: 'ins', ref: null, hyp: 'today' },
    ]);
    expect(alignWords('', 'a b')).toEqual([
      { op: 'ins', ref: null, hyp: 'a' },
      { op: 'ins', ref: null, hyp: 'b' },
    ]);
    expect(alignWords('a b', '')).toEqual([
      { op: 'del', ref: 'a', hyp: null },
      { op: 'del', ref: 'b', hyp: null },
    ]);
  });

  it('agrees with the WER counts on random pairs and spells both sentences', () => {
    let s = 5;
    const rand = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
    const vocab = ['a', 'b', 'c', 'dd', 'e'];
    const sentence = () =>
      Array.from({ length: Math.floor(rand() * 7) }, () => vocab[Math.floor(rand() * vocab.length)]).join(' ');
    for (let k = 0; k < 300; k++) {
      const ref = sentence();
      const hyp = sentence();
      const ops = alignWords(ref, hyp);
      const c = editCounts(ref ? ref.split(' ') : [], hyp ? hyp.split(' ') : []);
      expect(ops.filter((o) => o.op === 'sub').length).toBe(c.substitutions);
      expect(ops.filter((o) => o.op === 'del').length).toBe(c.deletions);
      expect(ops.filter((o) => o.op === 'ins').length).toBe(c.insertions);
      expect(ops.flatMap((o) => (o.ref === null ? [] : [o.ref])).join(' ')).toBe(ref);
      expect(ops.flatMap((o) => (o.hyp === null ? [] : [o.hyp])).join(' ')).toBe(hyp);
    }
  });

  it('reports WER/CER on normalised text', () => {
    const r = intelligibility('The cat, sat!', 'original-transcript', 'the hat sat');
    expect(r.reference).toBe(normalizeText('The cat, sat!'));
    expect(r.wer.rate).toBeCloseTo(1 / 3, 12);
    expect(r.cer.substitutions).toBe(1);
  });
});

describe('computeSpectra', () => {
  const tone = (n: number, hz: number, amp: number) =>
    Float32Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * hz * i) / 16000));

  it('puts a tone in its bin, the perturbation in the difference, all on one clamped scale', () => {
    const x = tone(16000, 1000, 0.5);
    const y = Float32Array.from(x, (v, i) => v + 0.05 * Math.sin((2 * Math.PI * 4000 * i) / 16000));
    const s = computeSpectra(x, y, { maxFrames: 50 });
    expect(s.bins).toBe(257);
    expect(s.binHz).toBe(31.25);
    expect(s.frames).toBeLessThanOrEqual(50);
    expect(s.original).toHaveLength(s.frames * s.bins);
    expect(s.maxDb - s.minDb).toBe(90);
    const col = (a: Float32Array, f: number) => a.subarray(f * s.bins, (f + 1) * s.bins);
    const peak = (a: Float32Array) => a.indexOf(Math.max(...a));
    const mid = Math.floor(s.frames / 2);
    expect(peak(col(s.original, mid))).toBe(32); // 1000 Hz / 31.25 Hz
    expect(peak(col(s.difference, mid))).toBe(128); // 4000 Hz
    for (const a of [s.original, s.protected, s.difference]) {
      expect(Math.max(...a)).toBeLessThanOrEqual(s.maxDb);
      expect(Math.min(...a)).toBeGreaterThanOrEqual(s.minDb);
    }
    expect(s.durationSeconds).toBe(1);
  });

  it('stays bounded for a 10-minute clip', () => {
    const n = 600 * 16000;
    const x = tone(n, 440, 0.3);
    const t0 = performance.now();
    const s = computeSpectra(x, x, { maxFrames: 400 });
    expect(s.frames).toBeLessThanOrEqual(400);
    expect(s.frames).toBeGreaterThan(390);
    expect(s.secondsPerFrame * s.frames).toBeGreaterThan(599);
    expect(s.difference.every((v) => v === s.minDb)).toBe(true);
    // The F0 overlay is bounded too, and still reads the tone.
    expect(s.f0.original.length).toBeLessThanOrEqual(800);
    expect(s.f0.hopS * s.f0.original.length).toBeGreaterThan(599);
    expect(s.f0.original[Math.floor(s.f0.original.length / 2)]).toBeCloseTo(440, 0);
    expect(performance.now() - t0).toBeLessThan(20_000);
  }, 30_000);

  it('carries both F0 contours on one grid, reusing pitch tracks it is given', () => {
    const x = tone(16000, 200, 0.3);
    const y = tone(16000, 200 * 2 ** (3 / 12), 0.3);
    const s = computeSpectra(x, y, { maxFrames: 50 });
    expect(s.f0.hopS).toBeCloseTo(0.01, 12);
    expect(s.f0.original).toHaveLength(100);
    expect(s.f0.protected).toHaveLength(100);
    expect([s.f0.minHz, s.f0.maxHz]).toEqual([50, 500]);
    expect(s.f0.original[50]).toBeCloseTo(200, 0);
    expect(s.f0.protected[50]).toBeCloseTo(200 * 2 ** (3 / 12), 0);
    // Given tracks are used as they are (here deliberately swapped), not recomputed.
    const tx = trackPitch(x);
    const ty = trackPitch(y);
    const swapped = computeSpectra(x, y, { maxFrames: 50 }, 16000, { original: ty, protected: tx });
    expect(swapped.f0.original).toEqual(ty.f0Hz);
    expect(swapped.f0.protected).toEqual(tx.f0Hz);
  });
});
