/**
 * A small deterministic tensor program that touches the kernels the app depends on (matMul, conv1d, elementwise,
 * reductions, softmax, a gradient). Run on two backends it must give the same numbers; the backend e2e test uses it to
 * prove WebGPU really computes (and computes correctly), not just that it was selected.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendName, SelfTestArgs, SelfTestResult } from '../src/engine/api';
import type { JobContext } from './jobs';
import { selfTestChecks, selfTestReference } from './selftest-reference';

/** Inputs from closed-form formulas, so every backend and run sees identical data. */
function matrix(rows: number, cols: number, f: (i: number, j: number) => number): tf.Tensor2D {
  const v = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) v[i * cols + j] = f(i, j);
  return tf.tensor2d(v, [rows, cols]);
}

async function scalar(t: tf.Tensor): Promise<number> {
  try {
    return (await t.data())[0]!;
  } finally {
    t.dispose();
  }
}

export async function runSelfTest(args: SelfTestArgs, ctx: JobContext): Promise<SelfTestResult> {
  const n = Math.max(2, Math.min(256, Math.floor(args.size ?? 16)));
  const started = performance.now();
  const values: Record<string, number> = {};
  const a = matrix(n, n, (i, j) => 0.5 * Math.sin(i * n + j + 1));
  const b = matrix(n, n, (i, j) => 0.5 * Math.cos(0.7 * i - 0.3 * j));
  try {
    ctx.progress('matMul', 0);
    await ctx.checkpoint();
    values.matMulSum = await scalar(tf.tidy(() => tf.matMul(a, b).sum()));
    values.matMulAbsMax = await scalar(tf.tidy(() => tf.matMul(a, b).abs().max()));

    ctx.progress('conv1d', 0.25);
    await ctx.checkpoint();
    const length = 8 * n;
    const [convMean, convMax] = await Promise.all(
      tf
        .tidy(() => {
          const x = matrix(length, 2, (t, c) => Math.sin(0.1 * t + c)).reshape([1, length, 2]) as tf.Tensor3D;
          const w = matrix(5 * 2, 3, (k, o) => 0.2 * Math.cos(k + 2 * o)).reshape([5, 2, 3]) as tf.Tensor3D;
          const y = tf.relu(tf.conv1d(x, w, 1, 'same'));
          return [y.mean(), y.max()];
        })
        .map(scalar),
    );
    values.conv1dReluMean = convMean!;
    values.conv1dReluMax = convMax!;

    ctx.progress('softmax and reductions', 0.5);
    await ctx.checkpoint();
    values.softmaxEntropy = await scalar(
      tf.tidy(() => {
        const p = tf.softmax(tf.matMul(a, b), -1);
        return tf.neg(tf.sum(tf.mul(p, tf.log(tf.add(p, 1e-9))))).div(n);
      }),
    );
    values.logSumExp = await scalar(tf.tidy(() => tf.logSumExp(a.add(b))));

    ctx.progress('gradient', 0.75);
    await ctx.checkpoint();
    // d/dW of sum((A·W)²) = 2·Aᵀ·A·W; its norm exercises the backward pass of matMul.
    values.gradNorm = await scalar(
      tf.tidy(() => {
        const g = tf.grad((w: tf.Tensor) => tf.square(tf.matMul(a, w as tf.Tensor2D)).sum())(b);
        return tf.norm(g);
      }),
    );
    ctx.progress('done', 1);
    const ms = Math.round(performance.now() - started);
    return {
      backend: tf.getBackend() as BackendName,
      values,
      checks: selfTestChecks(values, selfTestReference(n)),
      ms,
    };
  } finally {
    a.dispose();
    b.dispose();
  }
}
