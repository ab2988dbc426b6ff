/**
 * Per-utterance PGD on the stage-1 objective: the white-box upper bound for the privacy–utility comparison.
 *
 * For each clip it optimises its own residual δ to minimise L_CE(SER(x + δ)) + λ1·L_CTC(ASR(x + δ)) (λ1 < 0 pushes
 * the ASR loss up) with normalised L2 gradient steps, projecting δ back onto the same budget ball as Aclipse
 * (‖δ‖ ≤ 10^(−SNR/20)·‖x‖) after every step. It needs the evaluators' gradients and many forward/backward passes
 * per clip, so it is an attack on known models, not a product feature.
 */
import * as tf from '@tensorflow/tfjs';
import { throwIfAborted } from '../abort';
import { ctcLoss, ctcLossAndGrad, ctcSurrogate } from '../ml/ctc';
import { encodeText } from '../text/normalize';
import { BUDGET_MARGIN, budgetRatio } from '../budget';
import { sampleMaskFor } from './generator';
import type { TrainingClip } from '../data/clip';
import { padBatch, type FrozenEvaluators } from './trainer';

export interface PgdOptions {
  budgetDb: number;
  steps: number;
  /** Weight of the CTC term (paper sign convention: negative). */
  lambda1?: number;
  /** Step length as a fraction of the budget radius (default 2.5 / steps, the usual PGD choice). */
  stepFraction?: number;
  readback?: 'sync' | 'async';
  signal?: AbortSignal;
}

/** Attacks a batch of clips; returns the perturbed waves (each within its budget). */
export async function pgdAttack(
  evaluators: FrozenEvaluators,
  clips: TrainingClip[],
  opts: PgdOptions,
): Promise<Float32Array[]> {
  const lambda1 = opts.lambda1 ?? -1;
  const steps = opts.steps;
  const stepFraction = opts.stepFraction ?? 2.5 / Math.max(1, steps);
  const { x, lengths } = padBatch(clips.map((c) => c.samples));
  const n = x.shape[1];
  const mask = sampleMaskFor(lengths, n);
  const labels = clips.map((c) => encodeText(c.text));
  const onehot = tf.tidy(() =>
    tf.oneHot(
      tf.tensor1d(
        clips.map((c) => c.emotion),
        'int32',
      ),
      4,
    ),
  );
  // Radius per clip [B, 1]: ρ‖x‖ (slightly inside, like the generator's projection).
  const radius = tf.tidy(() =>
    tf.mul(tf.sqrt(tf.sum(tf.square(x), 1, true)), budgetRatio(opts.budgetDb) * BUDGET_MARGIN),
  );
  let delta = tf.zerosLike(x) as tf.Tensor2D;
  const objective = (d: tf.Tensor2D, ctcTerm: (logits: tf.Tensor3D, lens: number[]) => tf.Scalar): tf.Scalar => {
    const y = tf.add(x, tf.mul(d, mask)) as tf.Tensor2D;
    const ce = tf.losses.softmaxCrossEntropy(onehot, evaluators.ser(y, lengths)) as tf.Scalar;
    const asr = evaluators.asr(y, lengths);
    return tf.add(ce, tf.mul(ctcTerm(asr.logits, asr.lengths), lambda1)) as tf.Scalar;
  };
  try {
    for (let s = 0; s < steps; s++) {
      throwIfAborted(opts.signal, 'Attack cancelled');
      let grad: tf.Tensor2D;
      if ((opts.readback ?? 'async') === 'sync') {
        grad = tf.grad((d: tf.Tensor) =>
          objective(d as tf.Tensor2D, (l, lens) => ctcLoss(l, labels, lens, { reduction: 'meanPerLabel' })),
        )(delta) as tf.Tensor2D;
      } else {
        const pass1Logits = tf.tidy(() => evaluators.asr(tf.add(x, tf.mul(delta, mask)) as tf.Tensor2D, lengths));
        const p1 = await ctcLossAndGrad(pass1Logits.logits, labels, pass1Logits.lengths, { reduction: 'meanPerLabel' });
        pass1Logits.logits.dispose();
        grad = tf.grad((d: tf.Tensor) => objective(d as tf.Tensor2D, (l) => ctcSurrogate(l, p1)))(delta) as tf.Tensor2D;
      }
      const next = tf.tidy(() => {
        // Normalised descent step of length stepFraction·radius, then projection onto the ball.
        const g = tf.mul(grad, mask);
        const gNorm = tf.add(tf.sqrt(tf.sum(tf.square(g), 1, true)), 1e-12);
        const stepped = tf.sub(delta, tf.mul(tf.div(g, gNorm), tf.mul(radius, stepFraction)));
        const dNorm = tf.add(tf.sqrt(tf.sum(tf.square(stepped), 1, true)), 1e-12);
        return tf.mul(stepped, tf.minimum(1, tf.div(radius, dNorm))) as tf.Tensor2D;
      });
      grad.dispose();
      delta.dispose();
      delta = next;
    }
    const out = tf.tidy(() => tf.add(tf.mul(x, mask), tf.mul(delta, mask)));
    const data = (await out.data()) as Float32Array;
    out.dispose();
    return lengths.map((len, b) => data.slice(b * n, b * n + len));
  } finally {
    tf.dispose([x, mask, onehot, radius, delta]);
  }
}
