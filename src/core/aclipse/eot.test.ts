import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeWav } from '../audio';
import { mulberry32 } from '../data/random';
import { initTf } from '../node/tf';
import {
  DEFAULT_EOT_CONFIG,
  EOT_TRANSFORMS,
  addNoise,
  applyEot,
  codecNoise,
  gain,
  lowpass,
  resample8k,
  reverb,
  sampleEot,
  syntheticRir,
  timeShift,
  type EotConfig,
} from './eot';
import { PR_BINS, prBinOf, prStft } from './spectral';

const FS = 16000;
const speech = decodeWav(readFileSync('tests/fixtures/corpus10/clips/s0533_festival_slt_hts.wav')).channels[0]!;
const ALL_ON: EotConfig = { ...DEFAULT_EOT_CONFIG, p: Object.fromEntries(EOT_TRANSFORMS.map((t) => [t, 1])) };

function tone(hz: number, n = FS, amp = 0.3): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * hz * i) / FS));
}

/** Runs f on one clip (a [1, N] batch) and returns the samples. */
function run1(x: Float32Array, f: (t: tf.Tensor2D) => tf.Tensor2D): Float32Array {
  const t = tf.tensor2d(x, [1, x.length]);
  const y = f(t);
  const out = y.dataSync() as Float32Array;
  tf.dispose([t, y]);
  return out;
}

const energy = (x: Float32Array, a = 0, b = x.length) => {
  let e = 0;
  for (let i = a; i < b; i++) e += x[i]! * x[i]!;
  return e;
};
const snrDb = (x: Float32Array, y: Float32Array) => 10 * Math.log10(energy(x) / energy(x.map((v, i) => y[i]! - v)));
// Interior of a 1 s signal, away from the filters' edge transients.
const [A, B] = [1600, 14400];

const transforms: [string, (x: tf.Tensor2D) => tf.Tensor2D][] = [
  ['lowpass 4 kHz', (x) => lowpass(x, 4000)],
  ['resample 8 kHz', resample8k],
  ['noise', (x) => addNoise(x, [25, 35], 7)],
  ['gain', (x) => gain(x, [-3, 4])],
  ['shift +', (x) => timeShift(x, 40)],
  ['shift −', (x) => timeShift(x, -25)],
  ['reverb', (x) => reverb(x, syntheticRir(0.3, 50, 11))],
  ['codec', (x) => codecNoise(x, 12, 3)],
  ['applyEot (all on)', (x) => applyEot(x, mulberry32(5), ALL_ON)],
];

describe('gradients on cpu and wasm', () => {
  // Odd length: resampling pads to even and must cut back.
  const n = 2001;
  const input = Float32Array.from(
    { length: 2 * n },
    (_, i) => 0.3 * Math.sin(i / 7) * Math.sin(i / 300) + 0.01 * Math.sin(i * 1.3),
  );
  const weights = Float32Array.from({ length: 2 * n }, (_, i) => Math.cos(i * 0.37));
  const grads = new Map<string, Float32Array>();

  afterAll(async () => {
    await initTf('wasm');
  });

  for (const backend of ['cpu', 'wasm'] as const) {
    it(`every transform keeps [B, N] and has finite, non-zero input gradients on ${backend}`, async () => {
      await initTf(backend);
      const x = tf.tensor2d(input, [2, n]);
      const w = tf.tensor2d(weights, [2, n]);
      for (const [name, f] of transforms) {
        const y = f(x);
        expect(y.shape, name).toEqual([2, n]);
        const g = tf.grad((z: tf.Tensor) => tf.sum(tf.mul(f(z as tf.Tensor2D), w)))(x);
        const gv = g.dataSync() as Float32Array;
        expect(gv.every(Number.isFinite), name).toBe(true);
        expect(Math.max(...gv.map(Math.abs)), name).toBeGreaterThan(1e-3);
        const other = grads.get(name);
        if (other) {
          // The same draw gives the same gradient on both backends (random draws are seeded in JS).
          let err = 0;
          let scale = 0;
          for (let i = 0; i < gv.length; i++) {
            err = Math.max(err, Math.abs(gv[i]! - other[i]!));
            scale = Math.max(scale, Math.abs(other[i]!));
          }
          expect(err, name).toBeLessThan(1e-3 * scale);
        } else grads.set(name, gv.slice());
        tf.dispose([y, g]);
      }
      tf.dispose([x, w]);
    }, 120_000);
  }
});

describe('each transform does what its parameters say (wasm)', () => {
  beforeAll(async () => {
    await initTf('wasm');
  });

  it('the low-pass removes energy above its cutoff and keeps what is below', () => {
    for (const cutoff of [3400, 5000, 7000]) {
      const hi = tone(cutoff + 800);
      const lo = tone(cutoff - 800);
      const yHi = run1(hi, (x) => lowpass(x, cutoff));
      const yLo = run1(lo, (x) => lowpass(x, cutoff));
      expect(10 * Math.log10(energy(yHi, A, B) / energy(hi, A, B))).toBeLessThan(-50);
      expect(Math.abs(10 * Math.log10(energy(yLo, A, B) / energy(lo, A, B)))).toBeLessThan(0.1);
    }
    // 8 kHz is the whole band: nothing changes.
    expect(run1(speech, (x) => lowpass(x, 8000))).toEqual(speech);
  });

  it('resampling to 8 kHz and back keeps 1 kHz in phase and drops 5 and 6 kHz', () => {
    const lo = tone(1000);
    const y = run1(lo, resample8k);
    expect(snrDb(lo.subarray(A, B), y.subarray(A, B))).toBeGreaterThan(30);
    for (const hz of [4200, 5000, 6000]) {
      const hi = tone(hz);
      expect(10 * Math.log10(energy(run1(hi, resample8k), A, B) / energy(hi, A, B))).toBeLessThan(-40);
    }
  });

  it('noise lands at the requested SNR of each clip', () => {
    const snrs = [20, 31.5, 40];
    const rows = [speech, tone(440, speech.length, 0.05), tone(3000, speech.length, 0.5)];
    const flat = new Float32Array(rows.length * speech.length);
    rows.forEach((r, i) => flat.set(r, i * speech.length));
    const x = tf.tensor2d(flat, [rows.length, speech.length]);
    const y = addNoise(x, snrs, 42);
    const yv = y.dataSync() as Float32Array;
    rows.forEach((r, i) =>
      expect(Math.abs(snrDb(r, yv.subarray(i * speech.length, (i + 1) * speech.length)) - snrs[i]!)).toBeLessThan(1),
    );
    tf.dispose([x, y]);
  });

  it('the shift moves a click by the requested samples; gain scales by its dB', () => {
    const click = new Float32Array(4000);
    click[1000] = 1;
    for (const s of [37, -23, 80]) {
      const y = run1(click, (x) => timeShift(x, s));
      expect(y.length).toBe(click.length);
      expect(y.indexOf(1)).toBe(1000 + s);
      expect(energy(y)).toBe(1);
    }
    const y = run1(speech, (x) => gain(x, [-6]));
    expect(10 * Math.log10(energy(y) / energy(speech))).toBeCloseTo(-6, 3);
  });

  it('reverberation convolves with the room response, decaying by its RT60', () => {
    const rir = syntheticRir(0.3, 50, 9);
    const click = new Float32Array(3000);
    click[500] = 1;
    const y = run1(click, (x) => reverb(x, rir));
    for (let i = 0; i < 500; i++) expect(y[i]).toBe(0);
    let err = 0;
    for (let k = 0; k < rir.length; k++) err = Math.max(err, Math.abs(y[500 + k]! - rir[k]!));
    expect(err).toBeLessThan(1e-6);
    expect(energy(rir)).toBeCloseTo(1, 5);
    // A longer RT60 puts more of the response's energy in its second half.
    const late = (h: Float32Array) => energy(h, h.length / 2) / energy(h, 32);
    expect(late(syntheticRir(0.5, 50, 9))).toBeGreaterThan(2 * late(syntheticRir(0.1, 50, 9)));
  });

  it('the coding stand-in adds noise at the requested SNR that follows the spectrum band by band', () => {
    for (const s of [8, 15])
      expect(
        Math.abs(
          snrDb(
            speech,
            run1(speech, (x) => codecNoise(x, s, 5)),
          ) - s,
        ),
      ).toBeLessThan(1);
    // A 1 kHz tone: its noise stays in the tone's 500 Hz band; white noise at the same SNR would put ~80 % above it.
    const t = tone(1000);
    const y = run1(t, (x) => codecNoise(x, 10, 6));
    const e = tf.tensor2d(
      y.map((v, i) => v - t[i]!),
      [1, t.length],
    );
    const { re, im } = prStft(e);
    const p = tf.add(tf.square(re), tf.square(im));
    const perBin = tf.sum(p, [0, 1]).dataSync() as Float32Array;
    tf.dispose([e, re, im, p]);
    let above = 0;
    let total = 0;
    for (let k = 0; k < PR_BINS; k++) {
      total += perBin[k]!;
      if (k >= prBinOf(2000)) above += perBin[k]!;
    }
    expect(above / total).toBeLessThan(1e-3);
  });
});

describe('applyEot', () => {
  beforeAll(async () => {
    await initTf('wasm');
  });

  it('keeps [B, N], repeats a draw for the same seed, differs for another, and releases its tensors', () => {
    const x = tf.tensor2d([...speech.subarray(0, 8000), ...speech.subarray(8000, 16000)], [2, 8000]);
    const a = applyEot(x, mulberry32(3), ALL_ON);
    const b = applyEot(x, mulberry32(3), ALL_ON);
    const c = applyEot(x, mulberry32(4), ALL_ON);
    expect(a.shape).toEqual([2, 8000]);
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    expect(Array.from(a.dataSync())).not.toEqual(Array.from(c.dataSync()));
    tf.dispose([a, b, c]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) applyEot(x, mulberry32(i), ALL_ON).dispose();
    // The gradient path too: tf.grad must not leave anything behind.
    for (let i = 0; i < 2; i++)
      tf.grad((z: tf.Tensor) => tf.sum(applyEot(z as tf.Tensor2D, mulberry32(i), ALL_ON)))(x).dispose();
    expect(tf.memory().numTensors).toBe(before);
    // Nothing drawn: the clip passes unchanged (as a new tensor the caller owns).
    const off = applyEot(x, mulberry32(1), { ...DEFAULT_EOT_CONFIG, p: {} });
    expect(Array.from(off.dataSync())).toEqual(Array.from(x.dataSync()));
    tf.dispose([off, x]);
  });

  it('draws every transform about as often as its probability says, within its ranges', () => {
    const rng = mulberry32(11);
    const counts = Object.fromEntries(EOT_TRANSFORMS.map((t) => [t, 0])) as Record<
      (typeof EOT_TRANSFORMS)[number],
      number
    >;
    const n = 2000;
    for (let i = 0; i < n; i++) {
      const d = sampleEot(rng, DEFAULT_EOT_CONFIG, 2);
      if (d.reverb) counts.reverb++;
      if (d.shift !== null) {
        counts.shift++;
        expect(Math.abs(d.shift)).toBeLessThanOrEqual(80);
      }
      if (d.gainDb) counts.gain++;
      if (d.noise) {
        counts.noise++;
        for (const s of d.noise.snrDb) expect(s >= 20 && s <= 40).toBe(true);
      }
      if (d.lowpassHz !== null) {
        counts.lowpass++;
        expect(d.lowpassHz >= 3400 && d.lowpassHz <= 8000).toBe(true);
      }
      if (d.resample8k) counts.resample8k++;
      if (d.codec) counts.codec++;
    }
    for (const t of EOT_TRANSFORMS) expect(Math.abs(counts[t] / n - DEFAULT_EOT_CONFIG.p[t]!)).toBeLessThan(0.04);
  });
});
