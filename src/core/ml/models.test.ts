import * as tf from '@tensorflow/tfjs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../data/random';
import { DEFAULT_FRONTEND, DEFAULT_LOW_BAND, LogMelFrontend, LowBandFrontend } from '../dsp/frontend';
import { readModelDir, writeModelDir } from '../node/io';
import { initTf } from '../node/tf';
import {
  AsrModel,
  DEFAULT_ASR_CONFIG,
  DEFAULT_SER_CONFIG,
  growFrom,
  loudLevel,
  relativeLevels,
  sameWeights,
  SerModel,
  type AsrConfig,
  type SerConfig,
} from './models';
import {
  bmm,
  conv1d,
  depthwise,
  depthwiseNative,
  downsample,
  downsample2,
  gaussian,
  keyPaddingBias,
  makeRng,
} from './nn';
import { asrTrainStep, serTrainStep } from './train';
import { padBatch } from './batch';
import { averageArtifacts, exportModel, loadModel, modelFromArtifacts } from './weights';

const TINY_ASR: AsrConfig = { ...DEFAULT_ASR_CONFIG, channels: 32, blocks: 2, kernel: 5 };
const TINY_SER: SerConfig = { ...DEFAULT_SER_CONFIG, channels: 24, blocks: 2, hidden: 16, downsampleAfter: 1 };
const TINY_SER_LB: SerConfig = { ...TINY_SER, lowBand: DEFAULT_LOW_BAND };

function noise(n: number, seed: number, amp = 0.1): Float32Array {
  const rng = makeRng(seed);
  return Float32Array.from({ length: n }, () => amp * gaussian(rng));
}

/** A chirp with a few harmonics: a voiced-like signal whose spectrum moves. */
function chirp(n: number, f0: number, f1: number): Float32Array {
  const out = new Float32Array(n);
  let ph = 0;
  for (let i = 0; i < n; i++) {
    ph += (2 * Math.PI * (f0 + ((f1 - f0) * i) / n)) / 16000;
    out[i] = 0.3 * Math.sin(ph) + 0.1 * Math.sin(2 * ph) + 0.05 * Math.sin(3 * ph);
  }
  return out;
}

/** Largest element-wise difference of two equally long arrays. */
function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

beforeAll(async () => {
  await initTf('wasm');
});

describe('log-mel front end', () => {
  it('power spectrum matches tf.signal.stft (cpu) on the same frames', async () => {
    const fe = new LogMelFrontend({ ...DEFAULT_FRONTEND, nFft: 512, frameLength: 512 });
    const x = chirp(4000, 200, 3000);
    const ours = tf.tidy(() => fe.power(tf.tensor2d(x, [1, x.length])));
    const oursData = ours.dataSync();
    const [, f, bins] = ours.shape;
    await tf.setBackend('cpu');
    const ref = tf.tidy(() => {
      const s = tf.signal.stft(tf.tensor1d(x), 512, 160, 512, (l) => tf.signal.hannWindow(l));
      const re = tf.real(s),
        im = tf.imag(s);
      return tf.add(tf.square(re), tf.square(im));
    });
    const refData = ref.dataSync();
    const nRef = ref.shape[0];
    await initTf('wasm');
    let maxErr = 0,
      maxVal = 0;
    for (let i = 0; i < Math.min(f, nRef); i++) {
      for (let k = 0; k < bins; k++) {
        maxErr = Math.max(maxErr, Math.abs(oursData[i * bins + k] - refData[i * bins + k]));
        maxVal = Math.max(maxVal, refData[i * bins + k]);
      }
    }
    expect(maxErr / maxVal).toBeLessThan(1e-4);
    ours.dispose();
    ref.dispose();
    fe.dispose();
  });

  it('is differentiable w.r.t. the waveform (finite-difference check)', () => {
    const fe = new LogMelFrontend();
    const x = noise(1600, 3);
    const f = (w: tf.Tensor) => tf.sum(tf.mul(fe.logMel(w as tf.Tensor2D), 0.01));
    const xt = tf.tensor2d(x, [1, x.length]);
    const g = tf.grad(f)(xt).dataSync();
    for (const i of [100, 555, 1200]) {
      const eps = 1e-3;
      const p = x.slice();
      p[i] += eps;
      const m = x.slice();
      m[i] -= eps;
      const fd = tf.tidy(
        () =>
          (f(tf.tensor2d(p, [1, x.length])).dataSync()[0] - f(tf.tensor2d(m, [1, x.length])).dataSync()[0]) / (2 * eps),
      );
      expect(Math.abs(fd - g[i])).toBeLessThan(0.02 * Math.max(1, Math.abs(fd)));
    }
    xt.dispose();
    fe.dispose();
  });
});

describe('nn blocks', () => {
  it('im2col conv1d and slice depthwise match tf.conv1d / depthwiseConv2d (cpu)', async () => {
    const rng = makeRng(4);
    const [b, t, c, k, co] = [2, 9, 3, 5, 4];
    const x = Float32Array.from({ length: b * t * c }, () => gaussian(rng));
    const w = Float32Array.from({ length: k * c * co }, () => gaussian(rng));
    const dw = Float32Array.from({ length: k * c }, () => gaussian(rng));
    const ours = tf.tidy(() => [
      conv1d(tf.tensor3d(x, [b, t, c]), tf.tensor2d(w, [k * c, co]), null, k).dataSync(),
      depthwise(tf.tensor3d(x, [b, t, c]), tf.tensor2d(dw, [k, c])).dataSync(),
    ]);
    await tf.setBackend('cpu');
    const ref = tf.tidy(() => [
      tf.conv1d(tf.tensor3d(x, [b, t, c]), tf.tensor3d(w, [k, c, co]), 1, 'same').dataSync(),
      tf.depthwiseConv2d(tf.tensor4d(x, [b, 1, t, c]), tf.tensor4d(dw, [1, k, c, 1]), 1, 'same').dataSync(),
    ]);
    await initTf('wasm');
    for (let j = 0; j < 2; j++) for (let i = 0; i < ref[j].length; i++) expect(ours[j][i]).toBeCloseTo(ref[j][i], 4);
  });

  it('native depthwise (customGrad) equals the slice sum in value and gradients', () => {
    const rng = makeRng(8);
    const [b, t, c, k] = [3, 17, 5, 7];
    const x = tf.tensor3d(
      Float32Array.from({ length: b * t * c }, () => gaussian(rng)),
      [b, t, c],
    );
    const w = tf.tensor2d(
      Float32Array.from({ length: k * c }, () => gaussian(rng)),
      [k, c],
    );
    const up = tf.tensor3d(
      Float32Array.from({ length: b * t * c }, () => gaussian(rng)),
      [b, t, c],
    );
    const loss = (f: typeof depthwise) => (a: tf.Tensor, v: tf.Tensor) =>
      tf.sum(tf.mul(f(a as tf.Tensor3D, v as tf.Tensor2D), up));
    const [gx1, gw1] = tf.grads(loss(depthwise))([x, w]);
    const [gx2, gw2] = tf.grads(loss(depthwiseNative))([x, w]);
    const d = (p: tf.Tensor, q: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(p, q))).dataSync()[0]);
    expect(d(depthwise(x, w), depthwiseNative(x, w))).toBeLessThan(1e-4);
    expect(d(gx1, gx2)).toBeLessThan(1e-4);
    expect(d(gw1, gw2)).toBeLessThan(1e-3);
    tf.dispose([x, w, up, gx1, gw1, gx2, gw2]);
  });

  it('downsample2 folds pairs of frames (odd lengths padded)', () => {
    const y = tf.tidy(() =>
      downsample2(tf.tensor3d([1, 2, 3], [1, 3, 1]), tf.tensor2d([1, 10], [2, 1]), null).dataSync(),
    );
    expect(Array.from(y)).toEqual([21, 3]);
  });

  it('downsample folds runs of k frames (the end zero-padded)', () => {
    const y = tf.tidy(() =>
      downsample(tf.tensor3d([1, 2, 3, 4], [1, 4, 1]), 3, tf.tensor2d([1, 10, 100], [3, 1]), null).dataSync(),
    );
    expect(Array.from(y)).toEqual([321, 4]);
  });

  it('bmm matches tf.matMul in value and gradients', () => {
    const a = tf.tensor3d(noise(2 * 3 * 4, 31, 1), [2, 3, 4]);
    const b = tf.tensor3d(noise(2 * 4 * 5, 32, 1), [2, 4, 5]);
    const w = tf.tensor3d(noise(2 * 3 * 5, 33, 1), [2, 3, 5]);
    const f = (op: (x: tf.Tensor3D, y: tf.Tensor3D) => tf.Tensor) =>
      tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(op(x as tf.Tensor3D, y as tf.Tensor3D), w)));
    const [ga, gb] = f(bmm)([a, b]);
    const [ra, rb] = f((x, y) => tf.matMul(x, y))([a, b]);
    const close = (x: tf.Tensor, y: tf.Tensor) => expect(tf.max(tf.abs(tf.sub(x, y))).dataSync()[0]).toBeLessThan(1e-5);
    close(bmm(a, b), tf.matMul(a, b));
    close(ga, ra);
    close(gb, rb);
    tf.dispose([a, b, w, ga, gb, ra, rb]);
  });

  it('keyPaddingBias gives padded keys zero attention weight', () => {
    const p = tf.tidy(() => tf.softmax(tf.add(tf.zeros([2, 1, 1, 4]), keyPaddingBias([4, 2], 4))).dataSync());
    expect(Array.from(p)).toEqual([0.25, 0.25, 0.25, 0.25, 0.5, 0.5, 0, 0]);
  });
});

describe('low-band front end (pitch-resolving bins beside the log-mel)', () => {
  it('matches tf.signal.stft (cpu) with a 1024-sample window on frames centred like the log-mel', async () => {
    const lb = new LowBandFrontend(DEFAULT_LOW_BAND);
    const x = chirp(6000, 120, 700);
    const ours = tf.tidy(() => lb.logPower(tf.tensor2d(x, [1, x.length])));
    const oursData = ours.dataSync();
    const [, f, bands] = ours.shape;
    expect(f).toBe(new LogMelFrontend().numFrames(x.length));
    const pad = (1024 - DEFAULT_FRONTEND.frameLength) / 2;
    await tf.setBackend('cpu');
    const ref = tf.tidy(() => {
      const padded = tf.concat<tf.Tensor1D>([tf.zeros([pad]), tf.tensor1d(x), tf.zeros([1024])]);
      const s = tf.signal.stft(padded, 1024, 160, 1024, (l) => tf.signal.hannWindow(l));
      const p = tf.add(tf.square(tf.real(s)), tf.square(tf.imag(s)));
      return tf.log(tf.add(tf.slice(p, [0, DEFAULT_LOW_BAND.binLo], [f, bands]), DEFAULT_FRONTEND.logFloor));
    });
    const refData = ref.dataSync();
    await initTf('wasm');
    let maxErr = 0;
    for (let i = 0; i < oursData.length; i++)
      if (refData[i] > -5) maxErr = Math.max(maxErr, Math.abs(oursData[i] - refData[i]));
    expect(maxErr).toBeLessThan(1e-2);
    ours.dispose();
    ref.dispose();
    lb.dispose();
  });

  it('separates a voice one semitone apart at 110 Hz (log-mel bins cannot)', () => {
    const lb = new LowBandFrontend(DEFAULT_LOW_BAND);
    const voiced = (f0: number) =>
      Float32Array.from({ length: 8000 }, (_, i) => {
        let v = 0;
        for (let h = 1; h <= 10; h++) v += Math.sin((2 * Math.PI * h * f0 * i) / 16000) / h;
        return 0.1 * v;
      });
    // the 8th harmonic's peak bin moves with pitch: 880 Hz → bin 56, 932 Hz → bin 60
    const peak = (f0: number) =>
      tf.tidy(() => {
        const p = lb.logPower(tf.tensor2d(voiced(f0), [1, 8000]));
        const mid = tf.slice(p, [0, 20, 0], [1, 1, lb.bands]).dataSync();
        let best = -1,
          bv = -Infinity;
        for (let k = 0; k < mid.length; k++) {
          const bin = k + DEFAULT_LOW_BAND.binLo;
          if (bin >= 54 && bin <= 64 && mid[k] > bv) {
            bv = mid[k];
            best = bin;
          }
        }
        return best;
      });
    expect(peak(110)).toBe(56);
    expect(peak(110 * 2 ** (1 / 12))).toBe(60);
    lb.dispose();
  });

  it('SER with low-band features: padding invariant, differentiable w.r.t. the wave, round trip exact', async () => {
    const ser = new SerModel(TINY_SER_LB, 9);
    expect(ser.featureDim).toBe(80 + DEFAULT_LOW_BAND.binHi - DEFAULT_LOW_BAND.binLo);
    const a = chirp(5000, 150, 900);
    const b = noise(9000, 8);
    const { wave, lengths } = padBatch([a, b]);
    const s1 = tf.tidy(() => ser.forward(tf.tensor2d(a, [1, a.length]), [a.length]).dataSync());
    const s2 = tf.tidy(() => ser.forward(wave, lengths).dataSync());
    for (let i = 0; i < 4; i++) expect(Math.abs(s1[i] - s2[i])).toBeLessThan(1e-4);
    const g = tf.tidy(
      () =>
        tf
          .grad((w: tf.Tensor) => tf.sum(ser.forward(w as tf.Tensor2D, lengths)))(wave)
          .abs()
          .sum()
          .dataSync()[0],
    );
    expect(g).toBeGreaterThan(0);
    const back = modelFromArtifacts(await exportModel(ser), 'ser') as SerModel;
    expect(back.config.lowBand).toEqual(DEFAULT_LOW_BAND);
    const s3 = tf.tidy(() => back.forward(wave, lengths).dataSync());
    for (let i = 0; i < s3.length; i++) expect(s3[i]).toBe(s2[i]);
    wave.dispose();
    ser.dispose();
    back.dispose();
  });
});

describe('evaluator models', () => {
  it('give the same output for a clip alone and padded in a batch', () => {
    const asr = new AsrModel(TINY_ASR, 3);
    const ser = new SerModel(TINY_SER, 4);
    const a = chirp(5000, 150, 900);
    const b = noise(9000, 8);
    tf.tidy(() => {
      const alone = asr.forward(tf.tensor2d(a, [1, a.length]), [a.length]);
      const { wave, lengths } = padBatch([a, b]);
      const both = asr.forward(wave, lengths);
      expect(both.outLengths[0]).toBe(alone.outLengths[0]);
      const t = alone.outLengths[0];
      const x = alone.logits.dataSync();
      const y = tf.slice(both.logits, [0, 0, 0], [1, t, 29]).dataSync();
      for (let i = 0; i < x.length; i++) expect(Math.abs(x[i] - y[i])).toBeLessThan(1e-4);
      const s1 = ser.forward(tf.tensor2d(a, [1, a.length]), [a.length]).dataSync();
      const s2 = ser.forward(wave, lengths).dataSync();
      for (let i = 0; i < 4; i++) expect(Math.abs(s1[i] - s2[i])).toBeLessThan(1e-4);
    });
    asr.dispose();
    ser.dispose();
  });

  it('wasm and cpu backends agree on the same weights (as webgpu must, within a tolerance)', async () => {
    const asr = new AsrModel(TINY_ASR, 21);
    const ser = new SerModel(TINY_SER, 22);
    const x = chirp(7000, 250, 1200);
    const run = () =>
      tf.tidy(() => {
        const w = tf.tensor2d(x, [1, x.length]);
        return [asr.forward(w, [x.length]).logits.dataSync(), ser.forward(w, [x.length]).dataSync()];
      });
    const [a1, s1] = run();
    await tf.setBackend('cpu');
    const [a2, s2] = run();
    await initTf('wasm');
    expect(Math.max(maxAbsDiff(a1, a2), maxAbsDiff(s1, s2))).toBeLessThan(1e-3);
    asr.dispose();
    ser.dispose();
  });

  it('repeated predict and train steps keep the tensor count stable', async () => {
    const asr = new AsrModel(TINY_ASR, 5);
    const ser = new SerModel(TINY_SER, 6);
    const opt = tf.train.adam(1e-3);
    const opt2 = tf.train.adam(1e-3);
    const waves = [chirp(4000, 200, 800), noise(3000, 2)];
    const step = async () => {
      tf.tidy(() => {
        const { wave, lengths } = padBatch(waves);
        asr.forward(wave, lengths).logits.dataSync();
        ser.forward(wave, lengths).dataSync();
      });
      await asrTrainStep(asr, opt, waves, ['ab', 'c'], { clipNorm: 5 });
      await asrTrainStep(asr, opt, waves, ['ab', 'c'], { ctcMode: 'async', clipNorm: 5 });
      await serTrainStep(ser, opt2, waves, [1, 2], { clipNorm: 5, labelSmoothing: 0.1 });
    };
    await step(); // creates optimizer slots
    const n0 = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await step();
    expect(tf.memory().numTensors).toBe(n0);
    opt.dispose();
    opt2.dispose();
    asr.dispose();
    ser.dispose();
  });

  it('sync (customGrad) and async (two-pass surrogate) ASR steps make the same update', async () => {
    const waves = [chirp(6000, 200, 700), chirp(4000, 500, 300)];
    const texts = ['abc', 'de'];
    const run = async (mode: 'sync' | 'async') => {
      const m = new AsrModel(TINY_ASR, 9);
      const opt = tf.train.sgd(0.05);
      const r = await asrTrainStep(m, opt, waves, texts, { ctcMode: mode, seed: 123 });
      const w = m.params.get('b0_pw').dataSync().slice();
      m.dispose();
      opt.dispose();
      return { loss: r.loss, w };
    };
    const a = await run('sync');
    const b = await run('async');
    expect(a.loss).toBeCloseTo(b.loss, 3);
    expect(maxAbsDiff(a.w, b.w)).toBeLessThan(1e-5);
  });

  it('loss falls when training on a handful of clips', async () => {
    const clips = [chirp(6000, 150, 600), chirp(6000, 600, 150), noise(6000, 1, 0.05), chirp(6000, 1000, 2000)];
    const texts = ['up', 'down', 'hiss', 'high'];
    const asr = new AsrModel(TINY_ASR, 11);
    const ser = new SerModel(TINY_SER, 12);
    const o1 = tf.train.adam(3e-3);
    const o2 = tf.train.adam(3e-3);
    const asrLoss: number[] = [];
    const serLoss: number[] = [];
    for (let i = 0; i < 25; i++) {
      asrLoss.push((await asrTrainStep(asr, o1, clips, texts, { clipNorm: 5, seed: i })).loss);
      serLoss.push((await serTrainStep(ser, o2, clips, [0, 1, 2, 3], { clipNorm: 5, seed: i })).loss);
    }
    const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
    expect(mean(asrLoss.slice(-5))).toBeLessThan(0.6 * mean(asrLoss.slice(0, 5)));
    expect(mean(serLoss.slice(-5))).toBeLessThan(0.5 * mean(serLoss.slice(0, 5)));
    tf.dispose([o1, o2] as unknown as tf.Tensor[]);
    asr.dispose();
    ser.dispose();
  });

  it('round-trips through model.json + weights.bin (memory and disk) with identical outputs', async () => {
    const asr = new AsrModel(TINY_ASR, 13);
    const x = chirp(4000, 300, 600);
    const before = tf.tidy(() => asr.forward(tf.tensor2d(x, [1, x.length]), [x.length]).logits.dataSync());
    const art = await exportModel(asr, { val: { cer: 0.5 } }, { command: 'test' });
    expect(art.modelJson.format).toBe('aclipse-fn/1');
    expect(art.modelJson.weightsManifest[0].paths).toEqual(['weights.bin']);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'aclipse-model-'));
    await writeModelDir(dir, art);
    const back = modelFromArtifacts(await readModelDir(dir), 'asr');
    const after = tf.tidy(() => back.forward(tf.tensor2d(x, [1, x.length]), [x.length]).logits.dataSync());
    expect(Array.from(after)).toEqual(Array.from(before));
    const mem = await loadModel(art, 'asr');
    expect(mem.parameterCount()).toBe(asr.parameterCount());
    expect(() => modelFromArtifacts(art, 'ser')).toThrow(/expected a ser model/);
    const ser = new SerModel(TINY_SER, 1);
    const sArt = await exportModel(ser);
    const sBack = modelFromArtifacts(sArt, 'ser');
    const s1 = tf.tidy(() => ser.forward(tf.tensor2d(x, [1, x.length]), [x.length]).dataSync());
    const s2 = tf.tidy(() => sBack.forward(tf.tensor2d(x, [1, x.length]), [x.length]).dataSync());
    expect(Array.from(s2)).toEqual(Array.from(s1));
    [asr, back, mem, ser, sBack].forEach((m) => m.dispose());
  });

  it('averages the weights of same-architecture models element-wise (dropout may differ) and refuses other architectures', async () => {
    const a = new SerModel(TINY_SER, 1);
    const b = new SerModel(TINY_SER, 2);
    const [artA, artB] = [await exportModel(a), await exportModel(b)];
    const mean = modelFromArtifacts(await averageArtifacts([artA, artB]), 'ser');
    const names = [...a.params.vars.keys()];
    expect([...mean.params.vars.keys()].sort()).toEqual([...names].sort());
    for (const name of names) {
      const [va, vb, vm] = [a, b, mean].map((m) => m.params.vars.get(name)!.dataSync());
      expect(
        maxAbsDiff(
          vm,
          Array.from(va, (v, i) => (v + vb[i]) / 2),
        ),
      ).toBeLessThan(1e-6);
    }
    const self = modelFromArtifacts(await averageArtifacts([artA, artA, artA]), 'ser');
    const x = chirp(4000, 200, 400);
    const [pa, ps] = [a, self].map((m) =>
      tf.tidy(() => m.forward(tf.tensor2d(x, [1, x.length]), [x.length]).dataSync()),
    );
    expect(maxAbsDiff(ps, pa)).toBeLessThan(1e-5);
    const lessDropout = new SerModel({ ...TINY_SER, dropout: 0.01 }, 3);
    const mixed = modelFromArtifacts(await averageArtifacts([artA, await exportModel(lessDropout)]), 'ser');
    expect(mixed.config.dropout).toBe(TINY_SER.dropout);
    const name = names[0];
    const [va, vd, vx] = [a, lessDropout, mixed].map((m) => m.params.vars.get(name)!.dataSync());
    expect(
      maxAbsDiff(
        vx,
        Array.from(va, (v, i) => (v + vd[i]) / 2),
      ),
    ).toBeLessThan(1e-6);
    const wider = await exportModel(new SerModel({ ...TINY_SER, channels: 32 }, 1));
    await expect(averageArtifacts([artA, wider])).rejects.toThrow(/different architectures/);
    await expect(averageArtifacts([])).rejects.toThrow(/nothing to average/);
    [a, b, mean, self, lessDropout, mixed].forEach((m) => m.dispose());
  });
});

describe('transformer ASR (arch: transformer, the second ASR)', () => {
  const TINY_TF: AsrConfig = {
    ...DEFAULT_ASR_CONFIG,
    arch: 'transformer',
    frontend: { ...DEFAULT_FRONTEND, nMels: 64 },
    channels: 32,
    blocks: 2,
    kernel: 5,
    heads: 4,
    ffn: 48,
    subsample: 3,
  };

  it('resolves its defaults, has its own variables and 30 ms output frames', () => {
    const m = new AsrModel({ ...TINY_TF, heads: undefined, ffn: undefined, subsample: undefined }, 1);
    expect(m.config).toMatchObject({ arch: 'transformer', heads: 4, ffn: 64, subsample: 3 });
    expect([...m.params.vars.keys()]).toEqual(expect.arrayContaining(['t0_qkv_w', 't1_ff2_w', 'sub_w', 'out_w']));
    expect([...m.params.vars.keys()].some((k) => k.startsWith('b0_'))).toBe(false);
    const x = chirp(8000, 200, 900); // 50 frames of 10 ms → 17 frames of 30 ms
    const { logits, outLengths } = m.forward(tf.tensor2d(x, [1, x.length]), [x.length]);
    expect(logits.shape).toEqual([1, 17, 29]);
    expect(outLengths).toEqual([17]);
    expect(m.outputLength(x.length)).toBe(17);
    logits.dispose();
    m.dispose();
    expect(() => new AsrModel({ ...TINY_TF, heads: 5 })).toThrow(/heads/);
  });

  it('gives the same logits for a clip alone and padded in a batch (masked attention and convs)', () => {
    const asr = new AsrModel(TINY_TF, 3);
    const a = chirp(5000, 150, 900);
    const b = noise(9000, 8);
    tf.tidy(() => {
      const alone = asr.forward(tf.tensor2d(a, [1, a.length]), [a.length]);
      const { wave, lengths } = padBatch([a, b]);
      const both = asr.forward(wave, lengths);
      expect(both.logits.shape[1]).toBeGreaterThan(alone.logits.shape[1]);
      expect(both.outLengths[0]).toBe(alone.outLengths[0]);
      const t = alone.outLengths[0];
      const x = alone.logits.dataSync();
      const y = tf.slice(both.logits, [0, 0, 0], [1, t, 29]).dataSync();
      expect(maxAbsDiff(x, y)).toBeLessThan(1e-4);
      // the padding really changes something elsewhere: the second clip's logits are not the first's
      const z = tf.slice(both.logits, [1, 0, 0], [1, t, 29]).dataSync();
      expect(Math.abs(z[0] - x[0]) + Math.abs(z[5] - x[5])).toBeGreaterThan(1e-6);
    });
    asr.dispose();
  });

  it('trains with the native depthwise path exactly as with slices (same loss and update)', async () => {
    const waves = [chirp(6000, 200, 700), chirp(4000, 500, 300)];
    const run = async (impl: 'slices' | 'native') => {
      const m = new AsrModel(TINY_TF, 9);
      m.depthwiseImpl = impl;
      const opt = tf.train.sgd(0.05);
      const r = await asrTrainStep(m, opt, waves, ['abc', 'de'], { seed: 7 });
      const w = m.params.get('t0_dw').dataSync().slice();
      m.dispose();
      opt.dispose();
      return { loss: r.loss, w };
    };
    const a = await run('slices');
    const b = await run('native');
    expect(a.loss).toBeCloseTo(b.loss, 4);
    expect(maxAbsDiff(a.w, b.w)).toBeLessThan(1e-5);
  });

  it('CTC loss falls on a handful of clips and the tensor count stays flat', async () => {
    const clips = [chirp(6000, 150, 600), chirp(6000, 600, 150), noise(6000, 1, 0.05), chirp(6000, 1000, 2000)];
    const texts = ['up', 'down', 'hiss', 'high'];
    const asr = new AsrModel({ ...TINY_TF, dropout: 0 }, 11);
    asr.depthwiseImpl = 'native';
    const opt = tf.train.adam(3e-3);
    const losses: number[] = [];
    let n0 = 0;
    for (let i = 0; i < 25; i++) {
      losses.push((await asrTrainStep(asr, opt, clips, texts, { clipNorm: 5, seed: i })).loss);
      if (i === 0) n0 = tf.memory().numTensors;
    }
    expect(tf.memory().numTensors).toBe(n0);
    const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
    expect(mean(losses.slice(-5))).toBeLessThan(0.6 * mean(losses.slice(0, 5)));
    opt.dispose();
    asr.dispose();
  });

  it('round-trips through aclipse-fn/1 with its config; a model.json without arch still loads as the conv ASR', async () => {
    const asr = new AsrModel(TINY_TF, 13);
    const x = chirp(4000, 300, 600);
    const before = tf.tidy(() => asr.forward(tf.tensor2d(x, [1, x.length]), [x.length]).logits.dataSync());
    const art = await exportModel(asr);
    expect(art.modelJson.config).toMatchObject({ kind: 'asr', arch: 'transformer', heads: 4, ffn: 48, subsample: 3 });
    const dir = await mkdtemp(path.join(os.tmpdir(), 'aclipse-tf-'));
    await writeModelDir(dir, art);
    const back = modelFromArtifacts(await readModelDir(dir), 'asr');
    const after = tf.tidy(() => back.forward(tf.tensor2d(x, [1, x.length]), [x.length]).logits.dataSync());
    expect(Array.from(after)).toEqual(Array.from(before));
    const conv = new AsrModel(TINY_ASR, 1);
    const cArt = await exportModel(conv);
    delete (cArt.modelJson.config as { arch?: string }).arch;
    const cBack = modelFromArtifacts(cArt, 'asr');
    expect(cBack.params.vars.has('b0_dw')).toBe(true);
    expect(cBack.parameterCount()).toBe(conv.parameterCount());
    // a transformer's weights do not load into a conv config
    expect(() => modelFromArtifacts({ ...art, modelJson: { ...art.modelJson, config: TINY_ASR } }, 'asr')).toThrow(
      /weights lack|shape mismatch/,
    );
    [asr, back, conv, cBack].forEach((m) => m.dispose());
  });
});

describe('seeded randomness in nn.ts (shared with data/random)', () => {
  it('makeRng is mulberry32 and gaussian keeps its original draw order', () => {
    const a = makeRng(42);
    const b = mulberry32(42);
    for (let i = 0; i < 5; i++) expect(a()).toBe(b());
    const r1 = makeRng(7);
    const r2 = mulberry32(7);
    for (let i = 0; i < 5; i++) {
      // the formula nn.ts used before it shared data/random: u from the first uniform (clamped), v from the second
      const u = Math.max(r2(), 1e-12);
      const expected = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r2());
      expect(gaussian(r1)).toBe(expected);
    }
  });

  it('loudLevel: the level of the speech itself, which pauses and padding do not dilute, with a gradient', () => {
    const m = 8;
    // a clip whose frames sit at log-mel 0 (speech) and -12 (pauses), and one without pauses, padded
    const speech = Array.from({ length: 20 }, (_, t) => Array(m).fill(t % 2 ? -12 : 0));
    const solid = [
      ...Array.from({ length: 10 }, () => Array(m).fill(0)),
      ...Array.from({ length: 10 }, () => Array(m).fill(-30)),
    ];
    const mel = tf.tensor3d([speech, solid]);
    const mask = tf.tensor3d([Array(20).fill([1]), [...Array(10).fill([1]), ...Array(10).fill([0])]]);
    const loud = loudLevel(mel, mask).dataSync();
    // log total power of a 0-frame is log(8); pauses pull the plain mean 6 nats down but the loud level < 0.01
    expect(loud[0]).toBeCloseTo(Math.log(m), 1);
    expect(loud[1]).toBeCloseTo(Math.log(m), 4);
    expect(Math.abs(loud[0] - loud[1])).toBeLessThan(0.01);
    const g = tf
      .grad((x: tf.Tensor) => tf.sum(loudLevel(x as tf.Tensor3D, mask)))(mel)
      .dataSync();
    expect(g.every(Number.isFinite)).toBe(true);
    expect(Math.max(...g)).toBeGreaterThan(0.01);
    // padding frames get no gradient: they are not part of the clip
    expect(
      Math.max(
        ...Array.from(g)
          .slice(20 * m + 10 * m)
          .map(Math.abs),
      ),
    ).toBe(0);
    tf.dispose([mel, mask]);
  });

  it('growFrom starts a model with a loud-level input from one without: same predictions, then the new input counts', () => {
    const init = new SerModel(TINY_SER, 4);
    const grown = new SerModel({ ...TINY_SER, loudLevel: { center: 5, scale: 0.7 } }, 5);
    growFrom(grown, init);
    const x = chirp(6000, 150, 300);
    const run = (model: SerModel, wave: Float32Array) =>
      tf.tidy(() => model.forward(tf.tensor2d(wave, [1, wave.length]), [wave.length]).dataSync());
    expect(maxAbsDiff(run(grown, x), run(init, x))).toBeLessThan(1e-5);
    // with the new head row non-zero, a louder clip (same shape, so the normalised features match) scores otherwise
    const head = grown.params.get('head_w');
    const rows = head.shape[0];
    const bump = tf.concat([tf.zeros([rows - 1, TINY_SER.hidden]), tf.ones([1, TINY_SER.hidden])], 0);
    head.assign(tf.add(head, bump));
    bump.dispose();
    const louder = x.map((v) => v * 2);
    const delta = (m: SerModel) => maxAbsDiff(run(m, louder), run(m, x));
    expect(delta(grown)).toBeGreaterThan(10 * delta(init) + 1e-3);
    // the linear logit path: also zero at the start; a slope on it moves the logits by slope × gain × level
    const skip = new SerModel({ ...TINY_SER, loudLevel: { center: 5, scale: 0.7, logits: true } }, 6);
    growFrom(skip, init);
    expect(maxAbsDiff(run(skip, x), run(init, x))).toBeLessThan(1e-5);
    const before = run(skip, louder);
    skip.params.get('loud_out').assign(tf.tensor1d([1, 0, 0, 0]));
    const after = run(skip, louder);
    expect(Math.abs(after[0]! - before[0]!)).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(after.slice(1), before.slice(1))).toBeLessThan(1e-6);
    expect(() =>
      growFrom(new SerModel({ ...TINY_SER, channels: 32, loudLevel: { center: 5, scale: 0.7 } }, 1), init),
    ).toThrow(/extra head inputs/);
    expect(() => growFrom(init, grown)).toThrow(/extra head inputs/);
    expect(() => new SerModel({ ...TINY_SER, levelFeatures: false, loudLevel: { center: 5, scale: 0.7 } })).toThrow(
      /needs levelFeatures/,
    );
    [init, grown, skip].forEach((m) => m.dispose());
  });

  it("a 'relative' SER reads a clip the same at any recording gain; an 'absolute' one does not", () => {
    const loud = { center: 0, scale: 1, logits: true };
    const rel = new SerModel({ ...TINY_SER_LB, loudLevel: loud, levelMode: 'relative' }, 8);
    const abs = new SerModel({ ...TINY_SER_LB, loudLevel: loud }, 8);
    // same weights, so only the level inputs differ; make the head lean on them
    abs.params.assign(Object.fromEntries(rel.params.vars));
    for (const m of [rel, abs]) m.params.get('loud_out').assign(tf.tensor1d([1, -1, 0.5, 0]));
    // speech-like: a chirp with a pause in the middle and a quiet noise floor, as recorded
    const x = chirp(12000, 140, 260);
    x.fill(0, 5000, 7000);
    const floor = noise(12000, 3, 0.0005);
    const clip = (g: number) => x.map((v, i) => g * (v + floor[i]!));
    const run = (model: SerModel, wave: Float32Array) =>
      tf.tidy(() => model.forward(tf.tensor2d(wave, [1, wave.length]), [wave.length]).dataSync());
    for (const db of [-12, -6, 6]) {
      const g = 10 ** (db / 20);
      expect(maxAbsDiff(run(rel, clip(g)), run(rel, clip(1)))).toBeLessThan(0.02);
      expect(maxAbsDiff(run(abs, clip(g)), run(abs, clip(1)))).toBeGreaterThan(0.1);
    }
    // the level inputs themselves: a gain leaves them (nearly) unchanged; a different dynamic shape moves them
    const inputs = (wave: Float32Array) =>
      tf.tidy(() => {
        const feats = rel.frontend.logMel(tf.tensor2d(wave, [1, wave.length]));
        const r = relativeLevels(feats, tf.ones([1, feats.shape[1], 1]));
        return [...r.level.dataSync(), ...r.tilt.dataSync()];
      });
    expect(maxAbsDiff(inputs(clip(0.25)), inputs(clip(1)))).toBeLessThan(0.05);
    const flat = chirp(12000, 140, 260).map((v, i) => v + floor[i]!);
    expect(maxAbsDiff(inputs(flat), inputs(clip(1)))).toBeGreaterThan(0.3);
    // relative and absolute configs hold the same weights: a fine-tune may switch between them
    expect(sameWeights(rel.config, abs.config)).toBe(true);
    expect(sameWeights(rel.config, { ...abs.config, channels: 32 })).toBe(false);
    [rel, abs].forEach((m) => m.dispose());
  });
});
