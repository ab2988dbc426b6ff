/**
 * Conformer-lite encoder body of the second ASR (`arch: 'transformer'` in AsrConfig). It is trained independently
 * of the shipped conv ASR and built differently, so the privacy evaluation can measure whether protection
 * transfers to a recogniser the generator never saw:
 *   normalised log-mel (10 ms) → conv stem (K = stemKernel, ReLU) → fold `subsample` frames into one
 *   (30 ms by default) → LayerNorm + sinusoidal positions → `blocks` × [pre-LN multi-head self-attention over valid
 *   frames → pre-LN depthwise conv module (K = kernel, ReLU, pointwise) → pre-LN ReLU feed-forward], each residual.
 * Attention is global, so unlike the conv ASR (receptive field ≈ 1 s) every output frame sees the whole clip.
 *
 * Everything is plain ops over ParamStore variables with wasm gradients: matMuls through `mm`/`bmm` (explicit
 * transposes in the backward), LayerNorm through tf.moments, padding handled by JS-built masks (an additive −1e9
 * key bias in attention, zeroed padded frames before every conv and after every block), so a clip gives the same
 * logits alone or padded in a batch.
 */
import * as tf from '@tensorflow/tfjs';
import type { ForwardOptions, TransformerAsrConfig } from './models';
import {
  type ParamStore,
  bmm,
  conv1d,
  dense,
  depthwise,
  depthwiseNative,
  downsample,
  keyPaddingBias,
  layerNorm,
  lengthMask,
  maybeDropout,
  sinusoidalPositions,
} from './nn';

const ln = (p: ParamStore, name: string, x: tf.Tensor3D) =>
  layerNorm(x, p.get(`${name}_g`) as tf.Tensor1D, p.get(`${name}_beta`) as tf.Tensor1D);

const lin = (p: ParamStore, name: string, x: tf.Tensor3D) =>
  dense(x, p.get(`${name}_w`) as tf.Tensor2D, p.get(`${name}_b`) as tf.Tensor1D);

/** Creates the encoder's variables (after the shared in_scale / in_bias), in a fixed order. */
export function initTransformerEncoder(p: ParamStore, cfg: TransformerAsrConfig): void {
  const { channels: d, frontend: fe, stemKernel: sk, kernel: k, subsample: s, ffn } = cfg;
  const norm = (name: string) => {
    p.constant(`${name}_g`, [d], 1);
    p.constant(`${name}_beta`, [d], 0);
  };
  p.weight('stem_w', [sk * fe.nMels, d], sk * fe.nMels);
  p.constant('stem_b', [d], 0);
  p.weight('sub_w', [s * d, d], s * d);
  p.constant('sub_b', [d], 0);
  norm('sub');
  for (let i = 0; i < cfg.blocks; i++) {
    // attention projections: variance-preserving (std 1/√d); residual branch outputs start small (gain 0.5)
    norm(`t${i}_att`);
    p.weight(`t${i}_qkv_w`, [d, 3 * d], d, Math.SQRT1_2);
    p.constant(`t${i}_qkv_b`, [3 * d], 0);
    p.weight(`t${i}_o_w`, [d, d], d, 0.5 * Math.SQRT1_2);
    p.constant(`t${i}_o_b`, [d], 0);
    norm(`t${i}_conv`);
    p.weight(`t${i}_dw`, [k, d], k, Math.SQRT1_2);
    p.weight(`t${i}_pw_w`, [d, d], d, 0.5);
    p.constant(`t${i}_pw_b`, [d], 0);
    norm(`t${i}_ff`);
    p.weight(`t${i}_ff1_w`, [d, ffn], d);
    p.constant(`t${i}_ff1_b`, [ffn], 0);
    p.weight(`t${i}_ff2_w`, [ffn, d], ffn, 0.5);
    p.constant(`t${i}_ff2_b`, [d], 0);
  }
}

/**
 * Multi-head self-attention of [B,T,d] with an additive key bias [B,1,1,T]. Heads are folded into the batch
 * ([B·H, T, d/H]) so scores and context are two batched matMuls.
 */
export function selfAttention(
  p: ParamStore,
  name: string,
  x: tf.Tensor3D,
  heads: number,
  bias: tf.Tensor4D,
): tf.Tensor3D {
  const [b, t, d] = x.shape;
  const dh = d / heads;
  const qkv = lin(p, `${name}_qkv`, x);
  const split = (j: number): tf.Tensor3D =>
    tf.reshape(tf.transpose(tf.reshape(tf.slice(qkv, [0, 0, j * d], [b, t, d]), [b, t, heads, dh]), [0, 2, 1, 3]), [
      b * heads,
      t,
      dh,
    ]);
  const q: tf.Tensor3D = tf.mul(split(0), 1 / Math.sqrt(dh));
  const kT: tf.Tensor3D = tf.transpose(split(1), [0, 2, 1]);
  const scores = tf.add(tf.reshape(bmm(q, kT), [b, heads, t, t]), bias);
  const att = tf.reshape(tf.softmax(scores), [b * heads, t, t]) as tf.Tensor3D;
  const ctx = bmm(att, split(2));
  const merged = tf.reshape(tf.transpose(tf.reshape(ctx, [b, heads, t, dh]), [0, 2, 1, 3]), [b, t, d]) as tf.Tensor3D;
  return lin(p, `${name}_o`, merged);
}

/**
 * Encoder body on normalised, masked features [B,F,nMels] with their frame lengths: returns [B,T',d] (padded
 * frames zero) and the output lengths ceil(F/subsample).
 */
export function transformerEncode(
  p: ParamStore,
  cfg: TransformerAsrConfig,
  x: tf.Tensor3D,
  frameLengths: number[],
  opts: ForwardOptions,
  depthwiseImpl: 'slices' | 'native',
): { h: tf.Tensor3D; lengths: number[] } {
  const training = opts.training ?? false;
  const drop = (y: tf.Tensor3D, k: number) =>
    maybeDropout(y, cfg.dropout, training, opts.seed === undefined ? undefined : opts.seed + 1 + k);
  const dw = depthwiseImpl === 'native' ? depthwiseNative : depthwise;
  const mask0 = lengthMask(frameLengths, x.shape[1]);
  let h: tf.Tensor3D = tf.mul(
    tf.relu(conv1d(x, p.get('stem_w') as tf.Tensor2D, p.get('stem_b') as tf.Tensor1D, cfg.stemKernel)),
    mask0,
  );
  const lengths = frameLengths.map((n) => Math.ceil(n / cfg.subsample));
  h = downsample(h, cfg.subsample, p.get('sub_w') as tf.Tensor2D, p.get('sub_b') as tf.Tensor1D);
  const [, t, d] = h.shape;
  const mask = lengthMask(lengths, t);
  const bias = keyPaddingBias(lengths, t);
  h = drop(tf.mul(tf.add(ln(p, 'sub', h), sinusoidalPositions(t, d)), mask) as tf.Tensor3D, 0);
  for (let i = 0; i < cfg.blocks; i++) {
    const a = selfAttention(p, `t${i}`, ln(p, `t${i}_att`, h), cfg.heads, bias);
    h = tf.mul(tf.add(h, drop(a, 3 * i + 1)), mask);
    // the conv input is masked: LayerNorm turns zeroed padding into beta, which must not leak into valid frames
    const c = tf.relu(dw(tf.mul(ln(p, `t${i}_conv`, h), mask) as tf.Tensor3D, p.get(`t${i}_dw`) as tf.Tensor2D));
    h = tf.mul(tf.add(h, drop(lin(p, `t${i}_pw`, c), 3 * i + 2)), mask);
    const f = lin(p, `t${i}_ff2`, tf.relu(lin(p, `t${i}_ff1`, ln(p, `t${i}_ff`, h))));
    h = tf.mul(tf.add(h, drop(f, 3 * i + 3)), mask);
  }
  return { h, lengths };
}
