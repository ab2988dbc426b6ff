/**
 * CTC loss for batched, padded inputs and labels of different lengths.
 *
 * The alpha–beta recursion runs in plain JS (float64, log space) on downloaded logits: a pure-ops recursion is
 * ~20x slower in tfjs (thousands of tiny kernels). Two ways to use it inside a differentiated function:
 *  - `ctcLoss` (sync): one pass, a tf.customGrad that reads the logits with dataSync. Fine on wasm/cpu.
 *  - `ctcLossAndGrad` + `ctcSurrogate` (async): pass 1 awaits logits.data() and runs the same JS alpha–beta to get
 *    the loss and dLoss/dlogits; pass 2 (inside optimizer.minimize / variableGrads) uses a surrogate whose value is
 *    the loss and whose gradient w.r.t. the logits is that constant. For WebGPU, where sync readback is slow/fragile.
 *    The surrogate is exact only if pass 2 reproduces pass-1 logits (same inputs, same dropout masks).
 */
import * as tf from '@tensorflow/tfjs';
import { BLANK } from '../text/normalize';

export type CtcReduction = 'mean' | 'sum' | 'meanPerLabel';

export interface CtcOptions {
  blank?: number;
  /** 'mean': batch mean of per-sequence NLL (default); 'sum'; 'meanPerLabel': batch mean of NLL / label length. */
  reduction?: CtcReduction;
  /** Sequences that cannot be aligned (too short for their labels) count 0 with zero gradient (default true). */
  zeroInfinity?: boolean;
}

export interface CtcResult {
  /** reduced loss */
  loss: number;
  /** per-sequence negative log-likelihood (Infinity where infeasible) */
  losses: Float64Array;
  /** dLoss/dlogits [B,T,V] for the reduced loss, or null when not requested */
  grad: Float32Array | null;
  /** number of sequences that could not be aligned */
  infeasible: number;
}

const NEG_INF = -Infinity;

function logAdd(a: number, b: number): number {
  if (a === NEG_INF) return b;
  if (b === NEG_INF) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

/**
 * CTC negative log-likelihood and its gradient w.r.t. unnormalised logits (log-softmax is applied here).
 * logits: row-major [B, T, V]; frames t >= inputLengths[b] are padding and get zero gradient.
 */
export function ctcForwardBackward(
  logits: Float32Array,
  shape: [number, number, number],
  labels: number[][],
  inputLengths: number[],
  opts: CtcOptions & { grad?: boolean } = {},
): CtcResult {
  const [B, T, V] = shape;
  const blank = opts.blank ?? BLANK;
  const reduction = opts.reduction ?? 'mean';
  const zeroInf = opts.zeroInfinity ?? true;
  const wantGrad = opts.grad ?? true;
  if (labels.length !== B || inputLengths.length !== B) throw new Error('ctc: batch size mismatch');
  const losses = new Float64Array(B);
  const grad = wantGrad ? new Float32Array(B * T * V) : null;
  let infeasible = 0;
  const weights = new Float64Array(B);
  for (let b = 0; b < B; b++) {
    weights[b] = reduction === 'sum' ? 1 : reduction === 'mean' ? 1 / B : 1 / (B * Math.max(1, labels[b].length));
  }
  const lp = new Float64Array(T * V);
  for (let b = 0; b < B; b++) {
    const Tb = Math.min(inputLengths[b], T);
    const lab = labels[b];
    const L = lab.length;
    const S = 2 * L + 1;
    const ext = new Int32Array(S);
    for (let s = 0; s < S; s++) ext[s] = s % 2 === 0 ? blank : lab[(s - 1) >> 1];
    let repeats = 0;
    for (let i = 1; i < L; i++) if (lab[i] === lab[i - 1]) repeats++;
    if (Tb < L + repeats || Tb <= 0) {
      losses[b] = Infinity;
      infeasible++;
      continue;
    }
    // log-softmax
    const base = b * T * V;
    for (let t = 0; t < Tb; t++) {
      let m = NEG_INF;
      for (let v = 0; v < V; v++) m = Math.max(m, logits[base + t * V + v]);
      let z = 0;
      for (let v = 0; v < V; v++) z += Math.exp(logits[base + t * V + v] - m);
      const lz = m + Math.log(z);
      for (let v = 0; v < V; v++) lp[t * V + v] = logits[base + t * V + v] - lz;
    }
    const canSkip = new Uint8Array(S);
    for (let s = 2; s < S; s++) canSkip[s] = ext[s] !== blank && ext[s] !== ext[s - 2] ? 1 : 0;
    const alpha = new Float64Array(Tb * S).fill(NEG_INF);
    alpha[0] = lp[ext[0]];
    if (S > 1) alpha[1] = lp[ext[1]];
    for (let t = 1; t < Tb; t++) {
      const o = t * S,
        p = (t - 1) * S;
      // states that cannot still reach the end are left at -inf implicitly by the recursion
      for (let s = 0; s < S; s++) {
        let a = alpha[p + s];
        if (s >= 1) a = logAdd(a, alpha[p + s - 1]);
        if (canSkip[s]) a = logAdd(a, alpha[p + s - 2]);
        alpha[o + s] = a === NEG_INF ? NEG_INF : a + lp[t * V + ext[s]];
      }
    }
    const last = (Tb - 1) * S;
    const logP = S > 1 ? logAdd(alpha[last + S - 1], alpha[last + S - 2]) : alpha[last];
    if (!Number.isFinite(logP)) {
      losses[b] = Infinity;
      infeasible++;
      continue;
    }
    losses[b] = -logP;
    if (!grad) continue;
    // beta_t(s): log-prob of finishing from state s at t, emissions after t only
    const beta = new Float64Array(Tb * S).fill(NEG_INF);
    beta[last + S - 1] = 0;
    if (S > 1) beta[last + S - 2] = 0;
    for (let t = Tb - 2; t >= 0; t--) {
      const o = t * S,
        n = (t + 1) * S,
        e = (t + 1) * V;
      for (let s = 0; s < S; s++) {
        let a = beta[n + s] + lp[e + ext[s]];
        if (s + 1 < S) a = logAdd(a, beta[n + s + 1] + lp[e + ext[s + 1]]);
        if (s + 2 < S && canSkip[s + 2]) a = logAdd(a, beta[n + s + 2] + lp[e + ext[s + 2]]);
        beta[o + s] = a;
      }
    }
    const w = weights[b];
    const gamma = new Float64Array(V);
    for (let t = 0; t < Tb; t++) {
      gamma.fill(0);
      const o = t * S;
      for (let s = 0; s < S; s++) {
        const ab = alpha[o + s] + beta[o + s];
        if (ab !== NEG_INF) gamma[ext[s]] += Math.exp(ab - logP);
      }
      const g = base + t * V;
      for (let v = 0; v < V; v++) grad[g + v] = w * (Math.exp(lp[t * V + v]) - gamma[v]);
    }
  }
  let loss = 0;
  for (let b = 0; b < B; b++) {
    if (losses[b] === Infinity) {
      if (!zeroInf) loss = Infinity;
    } else loss += weights[b] * losses[b];
  }
  return { loss, losses, grad, infeasible };
}

/**
 * Differentiable CTC loss (reduced scalar) for logits [B,T,V]. Reads the logits synchronously: use on wasm/cpu.
 * Any scalar coefficient applied to the result scales the gradient as expected (dy is honoured).
 */
export function ctcLoss(
  logits: tf.Tensor3D,
  labels: number[][],
  inputLengths: number[],
  opts: CtcOptions = {},
): tf.Scalar {
  const shape = logits.shape as [number, number, number];
  const fn = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const x = args[0] as tf.Tensor;
    const r = ctcForwardBackward(x.dataSync() as Float32Array, shape, labels, inputLengths, opts);
    const g = r.grad as Float32Array;
    return {
      value: tf.scalar(r.loss) as tf.Tensor,
      gradFunc: (dy: tf.Tensor) => tf.mul(dy, tf.tensor3d(g, shape)),
    };
  });
  return fn(logits) as tf.Scalar;
}

export interface CtcLossAndGrad extends CtcResult {
  grad: Float32Array;
  /** the logits pass 1 saw (needed to make the surrogate's value equal the loss) */
  logitValues: Float32Array;
  shape: [number, number, number];
}

/** Pass 1 of the async path: downloads the logits with `await data()` and returns loss and dLoss/dlogits. */
export async function ctcLossAndGrad(
  logits: tf.Tensor3D,
  labels: number[][],
  inputLengths: number[],
  opts: CtcOptions = {},
): Promise<CtcLossAndGrad> {
  const shape = logits.shape as [number, number, number];
  const values = (await logits.data()) as Float32Array;
  const r = ctcForwardBackward(values, shape, labels, inputLengths, opts);
  return { ...r, grad: r.grad as Float32Array, logitValues: values, shape };
}

/**
 * Pass 2 of the async path: a scalar whose gradient w.r.t. `logits` is `pass1.grad` and whose value is the
 * pass-1 loss (sum(logits ⊙ G) plus a constant computed in JS). Use inside variableGrads/minimize.
 */
export function ctcSurrogate(logits: tf.Tensor3D, pass1: CtcLossAndGrad): tf.Scalar {
  const { grad, logitValues, loss, shape } = pass1;
  if (logits.shape.join(',') !== shape.join(',')) throw new Error('ctcSurrogate: logits shape changed since pass 1');
  let dot = 0;
  for (let i = 0; i < grad.length; i++) dot += grad[i] * logitValues[i];
  // no tf.tidy here: the caller differentiates through this, and variableGrads/minimize already clean up
  return tf.add(tf.sum(tf.mul(logits, tf.tensor3d(grad, shape))), tf.scalar(loss - dot));
}
