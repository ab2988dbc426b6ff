import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { snrDb } from '../analysis';
import { ctcLoss } from '../ml/ctc';
import { AsrModel, DEFAULT_ASR_CONFIG, DEFAULT_SER_CONFIG, SerModel } from '../ml/models';
import { encodeText } from '../text/normalize';
import { initTf } from '../node/tf';
import { pgdAttack } from './pgd';
import type { TrainingClip } from '../data/clip';
import { padBatch, type FrozenEvaluators } from './trainer';

let evaluators: FrozenEvaluators;

const clips: TrainingClip[] = [0, 1, 2].map((i) => ({
  id: `c${i}`,
  samples: new Float32Array(4000 + 700 * i).map(
    (_, t) => 0.3 * Math.sin((2 * Math.PI * (120 + 20 * i) * t) / 16000) * Math.sin((Math.PI * t) / (4000 + 700 * i)),
  ),
  emotion: i,
  text: ['a cat', 'go home', 'big sky'][i],
}));

function ctcOf(waves: Float32Array[]): number {
  return tf.tidy(() => {
    const { x, lengths } = padBatch(waves);
    const a = evaluators.asr(x, lengths);
    return ctcLoss(
      a.logits,
      clips.map((c) => encodeText(c.text)),
      a.lengths,
      { reduction: 'meanPerLabel' },
    ).dataSync()[0];
  });
}

beforeAll(async () => {
  await initTf('wasm');
  const fe = { ...DEFAULT_ASR_CONFIG.frontend, nMels: 24 };
  const asr = new AsrModel(
    { ...DEFAULT_ASR_CONFIG, frontend: fe, channels: 16, blocks: 1, kernel: 3, specAugment: null },
    3,
  );
  const ser = new SerModel(
    { ...DEFAULT_SER_CONFIG, frontend: fe, channels: 16, blocks: 2, kernel: 3, hidden: 8, specAugment: null },
    4,
  );
  evaluators = {
    ser: (w, l) => ser.forward(w, l),
    asr: (w, l) => {
      const o = asr.forward(w, l);
      return { logits: o.logits, lengths: o.outLengths };
    },
  };
});

describe('PGD attack', () => {
  it('raises the ASR loss within the budget, the same with sync and async readback', async () => {
    const before = ctcOf(clips.map((c) => c.samples));
    const sync = await pgdAttack(evaluators, clips, { budgetDb: 15, steps: 5, readback: 'sync' });
    const asyncOut = await pgdAttack(evaluators, clips, { budgetDb: 15, steps: 5, readback: 'async' });
    sync.forEach((y, i) => {
      expect(y.length).toBe(clips[i].samples.length);
      expect(snrDb(clips[i].samples, y)).toBeGreaterThanOrEqual(15);
      for (let t = 0; t < y.length; t += 101) expect(asyncOut[i][t]).toBeCloseTo(y[t], 4);
    });
    expect(ctcOf(sync)).toBeGreaterThan(before * 1.05);
    for (const readback of ['sync', 'async'] as const) {
      const n = tf.memory().numTensors;
      await pgdAttack(evaluators, clips, { budgetDb: 15, steps: 2, readback });
      expect(tf.memory().numTensors, readback).toBe(n);
    }
  }, 60_000);
});
