/**
 * Building blocks for models written as plain functions over tf.Variables (no tf.layers): every op used here
 * has a gradient kernel on wasm, cpu and webgpu. See ../../../docs/evaluators.md for why each block looks the way it does.
 */
import * as tf from '@tensorflow/tfjs';
import { gaussianUFirst, mulberry32, type Rng } from '../data/random';

/** Seeded PRNG for initialisation, augmentation and masks: the project's one generator (mulberry32). */
export const makeRng: (seed: number) => Rng = mulberry32;

/** Standard normal draw for weight init and noise (data/random's `gaussianUFirst`: the shipped models' streams). */
export const gaussian: (rng: Rng) => number = gaussianUFirst;

let variableCounter = 0;

/** Named variables of one model, created in a fixed order so a seed gives the same weights everywhere. */
export class ParamStore {
  readonly vars = new Map<string, tf.Variable>();
  constructor(private readonly rng: () => number) {}

  private add(name: string, shape: number[], values: Float32Array): tf.Variable {
    if (this.vars.has(name)) throw new Error(`duplicate parameter ${name}`);
    // tfjs variable names are global: a counter keeps two copies of the same model apart
    const v = tf.variable(tf.tensor(values, shape), true, `${name}_${++variableCounter}`);
    this.vars.set(name, v);
    return v;
  }

  /** He-normal init for a weight feeding a ReLU, scaled by `gain`. */
  weight(name: string, shape: number[], fanIn: number, gain = 1): tf.Variable {
    const n = shape.reduce((a, b) => a * b, 1);
    const std = gain * Math.sqrt(2 / fanIn);
    const v = new Float32Array(n);
    for (let i = 0; i < n; i++) v[i] = gaussian(this.rng) * std;
    return this.add(name, shape, v);
  }

  constant(name: string, shape: number[], value: number): tf.Variable {
    const n = shape.reduce((a, b) => a * b, 1);
    return this.add(name, shape, new Float32Array(n).fill(value));
  }

  get(name: string): tf.Variable {
    const v = this.vars.get(name);
    if (!v) throw new Error(`missing parameter ${name}`);
    return v;
  }

  /** Replaces every value from a named map (shapes must match); used when loading weights. */
  assign(tensors: tf.NamedTensorMap): void {
    for (const [name, v] of this.vars) {
      const t = tensors[name];
      if (!t) throw new Error(`weights lack ${name}`);
      if (t.shape.join(',') !== v.shape.join(',')) {
        throw new Error(`shape mismatch for ${name}: ${t.shape} vs ${v.shape}`);
      }
      v.assign(t);
    }
  }

  list(): tf.Variable[] {
    return [...this.vars.values()];
  }

  count(): number {
    let n = 0;
    for (const v of this.vars.values()) n += v.size;
    return n;
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }
}

/**
 * matMul whose backward uses explicit transposes: tfjs's own gradient calls matMul with transposeA/transposeB,
 * which is ~10x slower than a plain matMul on the wasm backend (it dominated training steps).
 */
export function mm(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return mmGrad(a, b) as tf.Tensor2D;
}

/** Swaps the last two axes of a matrix or a batch of matrices. */
const swapLast = (x: tf.Tensor): tf.Tensor => (x.rank === 2 ? tf.transpose(x) : tf.transpose(x, [0, 2, 1]));

// The backward of mm and bmm: dA = dY·Bᵀ, dB = Aᵀ·dY with explicit transposes.
const mmGrad = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [a, b, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  save([a, b]);
  return {
    value: tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D) as tf.Tensor,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved;
      return [
        tf.matMul(dy as tf.Tensor3D, swapLast(sb) as tf.Tensor3D),
        tf.matMul(swapLast(sa) as tf.Tensor3D, dy as tf.Tensor3D),
      ];
    },
  };
});

/** matMul by a constant matrix (no gradient for it), with the explicit-transpose backward for `a`. */
export function mmConst(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => ({
    value: tf.matMul(args[0] as tf.Tensor2D, b) as tf.Tensor,
    gradFunc: (dy: tf.Tensor) => tf.matMul(dy as tf.Tensor2D, tf.transpose(b)),
  }));
  return f(a) as tf.Tensor2D;
}

/** [B, T, 1] float mask from JS lengths (built from data, not comparison ops, so it is a constant for autograd). */
export function lengthMask(lengths: number[], t: number): tf.Tensor3D {
  const m = new Float32Array(lengths.length * t);
  lengths.forEach((len, b) => m.fill(1, b * t, b * t + Math.min(len, t)));
  return tf.tensor3d(m, [lengths.length, t, 1]);
}

function padTime(x: tf.Tensor3D, left: number, right: number): tf.Tensor3D {
  return left === 0 && right === 0
    ? x
    : tf.pad(x, [
        [0, 0],
        [left, right],
        [0, 0],
      ]);
}

/** 'same' 1-D conv as im2col (K shifted slices concatenated on channels) + one matMul. w: [K·Cin, Cout]. */
export function conv1d(x: tf.Tensor3D, w: tf.Tensor2D, b: tf.Tensor1D | null, k: number): tf.Tensor3D {
  const [bs, t, c] = x.shape;
  const l = Math.floor((k - 1) / 2);
  const xp = padTime(x, l, k - 1 - l);
  const cols: tf.Tensor3D[] = [];
  for (let i = 0; i < k; i++) cols.push(tf.slice(xp, [0, i, 0], [bs, t, c]));
  const im = k === 1 ? cols[0] : tf.concat(cols, 2);
  let y = mm(tf.reshape(im, [bs * t, k * c]), w);
  if (b) y = tf.add(y, b);
  return tf.reshape(y, [bs, t, w.shape[1]]);
}

/** Pointwise (1×1) conv: [B,T,Cin] × [Cin,Cout]. */
export function dense(x: tf.Tensor3D, w: tf.Tensor2D, b: tf.Tensor1D | null): tf.Tensor3D {
  const [bs, t, c] = x.shape;
  let y = mm(tf.reshape(x, [bs * t, c]), w);
  if (b) y = tf.add(y, b);
  return tf.reshape(y, [bs, t, w.shape[1]]);
}

/** 'same' depthwise conv as a sum of K shifted slices times per-channel weights. w: [K, C]. */
export function depthwise(x: tf.Tensor3D, w: tf.Tensor2D): tf.Tensor3D {
  const [bs, t, c] = x.shape;
  const k = w.shape[0];
  const l = Math.floor((k - 1) / 2);
  const xp = padTime(x, l, k - 1 - l);
  let acc: tf.Tensor | null = null;
  for (let i = 0; i < k; i++) {
    const term = tf.mul(tf.slice(xp, [0, i, 0], [bs, t, c]), tf.reshape(tf.slice(w, [i, 0], [1, c]), [c]));
    acc = acc ? tf.add(acc, term) : term;
  }
  return acc as unknown as tf.Tensor3D;
}

/**
 * The same depthwise conv through tf.depthwiseConv2d, with a tf.customGrad whose backward uses only forward
 * depthwiseConv2d ops (wasm has no DepthwiseConv2dNative backprop kernels): the input gradient is a conv with the
 * time-reversed filter, the filter gradient a 'valid' correlation of the padded input with dy over the batch laid
 * end to end. ~2x faster than the slice sum on wasm when training; numerically the same function.
 */
export function depthwiseNative(x: tf.Tensor3D, w: tf.Tensor2D): tf.Tensor3D {
  const [bs, t, c] = x.shape;
  const k = w.shape[0];
  if (k % 2 !== 1) throw new Error('depthwiseNative needs an odd kernel');
  const l = (k - 1) / 2;
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xx, ww, save] = args as [tf.Tensor3D, tf.Tensor2D, tf.GradSaveFunc];
    save([xx, ww]);
    const y = tf.depthwiseConv2d(
      tf.reshape(xx, [bs, 1, t, c]) as tf.Tensor4D,
      tf.reshape(ww, [1, k, c, 1]) as tf.Tensor4D,
      1,
      'same',
    );
    return {
      value: tf.reshape(y, [bs, t, c]) as tf.Tensor,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sw] = saved as [tf.Tensor3D, tf.Tensor2D];
        const flipped = tf.reshape(tf.reverse(sw, 0), [1, k, c, 1]) as tf.Tensor4D;
        const dx = tf.reshape(tf.depthwiseConv2d(tf.reshape(dy, [bs, 1, t, c]) as tf.Tensor4D, flipped, 1, 'same'), [
          bs,
          t,
          c,
        ]);
        const span = bs * (t + k - 1);
        const xs = tf.reshape(
          tf.pad(sx, [
            [0, 0],
            [l, l],
            [0, 0],
          ]),
          [1, 1, span, c],
        );
        const xe = tf.pad(xs, [
          [0, 0],
          [0, 0],
          [0, k - 1],
          [0, 0],
        ]) as tf.Tensor4D;
        const d = tf.reshape(
          tf.pad(dy, [
            [0, 0],
            [0, k - 1],
            [0, 0],
          ]),
          [1, span, c, 1],
        ) as tf.Tensor4D;
        const dw = tf.reshape(tf.depthwiseConv2d(xe, d, 1, 'valid'), [k, c]);
        return [dx, dw];
      },
    };
  });
  return f(x, w) as tf.Tensor3D;
}

/**
 * Divides the frame rate by `factor`: folds each run of `factor` frames into channels (zero-padding the end) and
 * mixes them with one matMul, [B,T,C] → [B,ceil(T/factor),Cout], w: [factor·C, Cout]. A strided conv without
 * strided slicing (slow on wasm).
 */
export function downsample(x: tf.Tensor3D, factor: number, w: tf.Tensor2D, b: tf.Tensor1D | null): tf.Tensor3D {
  const [bs, t, c] = x.shape;
  const tOut = Math.ceil(t / factor);
  const xe = padTime(x, 0, tOut * factor - t);
  return dense(tf.reshape(xe, [bs, tOut, factor * c]), w, b);
}

/** Halves time by folding pairs of frames into channels then mixing them: [B,T,C] → [B,ceil(T/2),Cout]. */
export function downsample2(x: tf.Tensor3D, w: tf.Tensor2D, b: tf.Tensor1D | null): tf.Tensor3D {
  return downsample(x, 2, w, b);
}

/**
 * Batched matMul [N,M,K]·[N,K,P] → [N,M,P] with the explicit-transpose backward (see `mm`). On wasm a batched
 * matMul runs at ~2 GFLOP/s against ~20 for a 2-D one, but splitting the batch costs more: every slice copies the
 * whole input there (measured ~0.5 ms per slice of a [96,84,32] tensor).
 */
export function bmm(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  return mmGrad(a, b) as tf.Tensor3D;
}

/**
 * Additive attention bias [B,1,1,T] from JS lengths: 0 for valid key frames, −1e9 for padding, so a softmax over
 * keys gives padded frames exactly zero weight (a clip attends the same way alone or padded in a batch).
 */
export function keyPaddingBias(lengths: number[], t: number): tf.Tensor4D {
  const m = new Float32Array(lengths.length * t).fill(-1e9);
  lengths.forEach((len, b) => m.fill(0, b * t, b * t + Math.min(len, t)));
  return tf.tensor4d(m, [lengths.length, 1, 1, t]);
}

/** Sinusoidal position table [T, d] (sin on even channels, cos on odd), positions counted from the clip start. */
export function sinusoidalPositions(t: number, d: number): tf.Tensor2D {
  const pe = new Float32Array(t * d);
  for (let p = 0; p < t; p++) {
    for (let i = 0; i < d; i += 2) {
      const angle = p / 10000 ** (i / d);
      pe[p * d + i] = Math.sin(angle);
      if (i + 1 < d) pe[p * d + i + 1] = Math.cos(angle);
    }
  }
  return tf.tensor2d(pe, [t, d]);
}

/** Layer norm over channels with tf.moments (tf.layers.layerNormalization is ~500x slower on wasm). */
export function layerNorm(x: tf.Tensor3D, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps = 1e-5): tf.Tensor3D {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps))), gamma), beta);
}

/** Dropout when training; a seed makes the mask reproducible (the async CTC path replays a forward pass). */
export function maybeDropout<T extends tf.Tensor>(x: T, rate: number, training: boolean, seed?: number): T {
  return training && rate > 0 ? (tf.dropout(x, rate, undefined, seed) as T) : x;
}

/** Masked per-utterance normalisation of [B,T,C] features: one mean and std over valid frames and channels. */
export function utteranceNorm(x: tf.Tensor3D, mask: tf.Tensor3D, eps = 1e-5): tf.Tensor3D {
  const c = x.shape[2];
  const count = tf.mul(tf.sum(mask, [1, 2], true), c);
  const mean = tf.div(tf.sum(tf.mul(x, mask), [1, 2], true), count);
  const centered = tf.mul(tf.sub(x, mean), mask);
  const variance = tf.div(tf.sum(tf.square(centered), [1, 2], true), count);
  return tf.mul(centered, tf.rsqrt(tf.add(variance, eps)));
}

/** Masked mean and std over time: [B,T,C] → [B,2C]. Padding frames do not count. */
export function maskedStatsPool(x: tf.Tensor3D, mask: tf.Tensor3D, eps = 1e-5): tf.Tensor2D {
  const count = tf.sum(mask, 1); // [B,1]
  const mean = tf.div(tf.sum(tf.mul(x, mask), 1), count); // [B,C]
  const centered = tf.mul(tf.sub(x, tf.expandDims(mean, 1)), mask);
  const variance = tf.div(tf.sum(tf.square(centered), 1), count);
  return tf.concat([mean, tf.sqrt(tf.add(variance, eps))], 1) as tf.Tensor2D;
}
