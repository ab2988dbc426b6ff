import { describe, expect, it } from 'vitest';
import { resample } from './resample';
import { StreamResampler } from './stream-resample';

function feed(r: StreamResampler, x: Float32Array, seed: number): Float32Array {
  let s = seed;
  const parts: Float32Array[] = [];
  for (let i = 0; i < x.length;) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const n = 1 + (s % 700);
    parts.push(r.push(x.subarray(i, i + n)));
    i += n;
  }
  parts.push(r.flush());
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

describe('StreamResampler', () => {
  for (const from of [48000, 44100]) {
    it(`streams ${from} → 16000 Hz in random blocks exactly like the whole-signal resampler`, () => {
      const x = Float32Array.from({ length: from }, (_, i) => Math.sin(i * 0.05) * 0.5 + Math.sin(i * 1.3) * 0.2);
      const want = resample(x, from, 16000, { zeroCrossings: 16 });
      const got = feed(new StreamResampler(from, 16000, { zeroCrossings: 16 }), x, from);
      expect(got.length).toBe(want.length);
      let maxErr = 0;
      for (let i = 0; i < want.length; i++) maxErr = Math.max(maxErr, Math.abs(got[i]! - want[i]!));
      expect(maxErr).toBeLessThan(1e-6);
    });
  }
});
