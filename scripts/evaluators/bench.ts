/**
 * Measures forward and Adam-step time of the evaluator models on the wasm backend (sizing aid).
 *   --arch=transformer --ch=128 --blocks=4 --k=15 --heads=4 --ffn=256 --sub=3 --mels=64 sizes the second ASR.
 */
import { initTf } from '../../src/core/node/tf';
import {
  AsrModel,
  SerModel,
  DEFAULT_ASR_CONFIG,
  DEFAULT_SER_CONFIG,
  type AsrConfig,
  type SerConfig,
} from '../../src/core/ml/models';
import { ctcLoss } from '../../src/core/ml/ctc';
import { parseFlags } from '../flags';

// --name=value or --name value (scripts/flags.ts); values are read as strings below
const args = parseFlags(process.argv.slice(2)).flags as Record<string, string | undefined>;
const tf = await initTf((args.backend as 'wasm' | 'cpu') ?? 'wasm');
const B = Number(args.batch ?? 16);
const secs = Number(args.secs ?? 3);
const N = Math.round(secs * 16000);
const asrCfg: AsrConfig = {
  ...DEFAULT_ASR_CONFIG,
  channels: Number(args.ch ?? 192),
  blocks: Number(args.blocks ?? 8),
  kernel: Number(args.k ?? 11),
  ...(args.arch === 'transformer'
    ? {
        arch: 'transformer' as const,
        heads: Number(args.heads ?? 4),
        ffn: Number(args.ffn ?? 2 * Number(args.ch ?? 192)),
        subsample: Number(args.sub ?? 3),
        frontend: { ...DEFAULT_ASR_CONFIG.frontend, nMels: Number(args.mels ?? 64) },
      }
    : {}),
};
const serCfg: SerConfig = { ...DEFAULT_SER_CONFIG };
const wave = tf.randomNormal([B, N], 0, 0.1) as import('@tensorflow/tfjs').Tensor2D;
const lengths = Array.from({ length: B }, () => N);
const asr = new AsrModel(asrCfg);
const ser = new SerModel(serCfg);
if (args.native) {
  asr.depthwiseImpl = 'native';
  ser.depthwiseImpl = 'native';
}
console.log(`asr params ${asr.parameterCount()} ser params ${ser.parameterCount()}`);
const feats = asr.features(wave);
const fl = asr.frameLengths(lengths);
const labels = Array.from({ length: B }, () => Array.from({ length: Math.round(secs * 14) }, (_, i) => 3 + (i % 26)));
const opt = tf.train.adam(1e-3);
const opt2 = tf.train.adam(1e-3);
const time = async (name: string, fn: () => void, n = 3) => {
  fn();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn();
  console.log(`${name}: ${((performance.now() - t0) / n).toFixed(0)} ms`);
};
await time('frontend', () =>
  tf.tidy(() => {
    asr.features(wave).dataSync();
  }),
);
await time('asr fwd', () =>
  tf.tidy(() => {
    asr.forwardFeatures(feats, fl).logits.dataSync();
  }),
);
// the SER reads the ASR's features: skip it when the ASR has its own front end
if (args.arch !== 'transformer')
  await time('ser step0', () =>
    tf.tidy(() => {
      const y = tf.oneHot(
        tf.tensor1d(
          Array.from({ length: B }, (_, i) => i % 4),
          'int32',
        ),
        4,
      );
      const c = opt2.minimize(
        () =>
          tf.losses.softmaxCrossEntropy(
            y,
            ser.forwardFeatures(feats, fl, { training: true }),
          ) as import('@tensorflow/tfjs').Scalar,
        true,
        ser.trainableVariables(),
      );
      c?.dataSync();
    }),
  );
await time('asr step', () =>
  tf.tidy(() => {
    const c = opt.minimize(
      () => {
        const { logits, outLengths } = asr.forwardFeatures(feats, fl, { training: true });
        return ctcLoss(logits, labels, outLengths);
      },
      true,
      asr.trainableVariables(),
    );
    c?.dataSync();
  }),
);
if (!args.full) process.exit(0);
await time('asr step no dropout', () =>
  tf.tidy(() => {
    const c = opt.minimize(
      () => {
        const { logits, outLengths } = asr.forwardFeatures(feats, fl, { training: false });
        return ctcLoss(logits, labels, outLengths);
      },
      true,
      asr.trainableVariables(),
    );
    c?.dataSync();
  }),
);
await time('ser step', () =>
  tf.tidy(() => {
    const y = tf.oneHot(
      tf.tensor1d(
        Array.from({ length: B }, (_, i) => i % 4),
        'int32',
      ),
      4,
    );
    const c = opt2.minimize(
      () =>
        tf.losses.softmaxCrossEntropy(
          y,
          ser.forwardFeatures(feats, fl, { training: true }),
        ) as import('@tensorflow/tfjs').Scalar,
      true,
      ser.trainableVariables(),
    );
    c?.dataSync();
  }),
);
console.log('tensors', tf.memory().numTensors);
