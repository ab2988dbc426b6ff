import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initTf } from '../node/tf';
import { alphaRatioDb } from '../cues/level';
import { activeFrames, cueKeepLoss, type CueKeepConfig } from './cuekeep';
import { prFrameCount } from './spectral';

const SR = 16000;
const ALL: CueKeepConfig = { pitch: 1, tilt: 1, level: 1 };

/** A voiced vowel-like tone: harmonics of f0 with a 1/h roll-off, and a little noise (seeded). */
function vowel(f0: number, seconds = 0.5, amp = 0.2, seed = 1): Float32Array {
  const n = Math.round(seconds * SR);
  const x = new Float32Array(n);
  let s = seed;
  for (let t = 0; t < n; t++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    let v = 0;
    for (let h = 1; f0 * h < 4000; h++) v += Math.sin((2 * Math.PI * f0 * h * t) / SR) / h;
    x[t] = amp * v + 0.002 * (s / 2147483648 - 0.5);
  }
  return x;
}

/** y[n] = x[n] − a·x[n−1]: a brighter copy (more high-frequency energy), same pitch. */
function preEmphasis(x: Float32Array, a: number): Float32Array {
  const y = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) y[i] = x[i]! - a * (i > 0 ? x[i - 1]! : 0);
  return y;
}

function parts(input: Float32Array, output: Float32Array, cfg = ALL): { pitch: number; tilt: number; level: number } {
  return tf.tidy(() => {
    const x = tf.tensor2d(input, [1, input.length]);
    const y = tf.tensor2d(output, [1, output.length]);
    const p = cueKeepLoss(x, y, activeFrames([input], input.length), cfg);
    return { pitch: p.pitch.dataSync()[0]!, tilt: p.tilt.dataSync()[0]!, level: p.level.dataSync()[0]! };
  });
}

beforeAll(async () => {
  await initTf('wasm');
});

describe('cue-keeping term', () => {
  it('is zero when the clip comes back unchanged', () => {
    const x = vowel(140);
    const p = parts(x, x);
    expect(p.pitch).toBeLessThan(1e-9);
    expect(p.tilt).toBeLessThan(1e-9);
    expect(p.level).toBeLessThan(1e-9);
  });

  it('reads a gain change as level only: +6 dB is (6/3)² = 4, pitch and tilt stay near 0', () => {
    const x = vowel(140);
    const y = x.map((v) => v * 10 ** (6 / 20));
    const p = parts(x, y);
    expect(p.level).toBeCloseTo(4, 2);
    expect(p.pitch).toBeLessThan(1e-6);
    expect(p.tilt).toBeLessThan(1e-6);
  });

  it('reads a new pitch as pitch, far above what 30 dB of noise does to the same clip', () => {
    const x = vowel(140);
    let s = 7;
    const noisy = x.map((v) => {
      s = (s * 1103515245 + 12345) % 2147483648;
      return v + 0.2 * 10 ** (-30 / 20) * (s / 2147483648 - 0.5) * Math.sqrt(12);
    });
    const shifted = parts(x, vowel(200)).pitch;
    const noise = parts(x, noisy).pitch;
    expect(shifted).toBeGreaterThan(0.01);
    expect(shifted).toBeGreaterThan(20 * noise);
  });

  it('follows the alpha ratio that the cue reader measures, in units of 3 dB', () => {
    const x = vowel(140);
    const y = preEmphasis(x, 0.9);
    const change = alphaRatioDb(y) - alphaRatioDb(x);
    expect(change).toBeGreaterThan(3);
    const p = parts(x, y);
    // Same band edges and gate as level.ts, a different window and hop: within 10 % of the reader's change.
    expect(Math.sqrt(p.tilt) * 3).toBeGreaterThan(0.9 * change);
    expect(Math.sqrt(p.tilt) * 3).toBeLessThan(1.1 * change);
    // Brightening reweights the harmonics under 1 kHz a little, but the period stays: a tenth of a pitch change.
    expect(p.pitch).toBeLessThan(parts(x, vowel(200)).pitch / 10);
  });

  it('has a finite, non-zero gradient with respect to the protected clip, and releases its tensors', () => {
    const xs = vowel(140);
    const ys = vowel(180, 0.5, 0.15, 3);
    const mask = activeFrames([xs], xs.length);
    const x = tf.tensor2d(xs, [1, xs.length]);
    const y = tf.tensor2d(ys, [1, ys.length]);
    const before = tf.memory().numTensors;
    const g = tf.grad((out: tf.Tensor) => cueKeepLoss(x, out as tf.Tensor2D, mask, ALL).total)(y);
    const values = g.dataSync();
    expect(values.every((v) => Number.isFinite(v))).toBe(true);
    expect(values.some((v) => Math.abs(v) > 1e-6)).toBe(true);
    g.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, y]);
  });

  it('counts only frames of speech inside each clip: silence and padding are left out', () => {
    const speech = vowel(140, 0.3);
    const clip = new Float32Array(SR); // 0.3 s of vowel, then 0.7 s of digital silence
    clip.set(speech);
    const short = vowel(140, 0.2);
    const padded = SR;
    const mask = activeFrames([clip, short], padded);
    const frames = prFrameCount(padded);
    expect(mask).toHaveLength(2 * frames);
    const on = (b: number): number => mask.slice(b * frames, (b + 1) * frames).reduce((a, v) => a + v, 0);
    // Frame t covers samples [256(t−1), 256(t+1)): the 0.3 s vowel touches frames 0..19.
    expect(on(0)).toBe(Math.ceil((0.3 * SR) / 256) + 1);
    expect(on(1)).toBe(Math.ceil((0.2 * SR) / 256) + 1);
    expect(mask[frames - 1]).toBe(0);
  });
});
