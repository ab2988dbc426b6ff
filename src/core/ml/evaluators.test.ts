import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initTf } from '../node/tf';
import { Evaluators, type FineTuneEntry, type FineTuneProgress } from './evaluators';
import { AsrModel, DEFAULT_ASR_CONFIG, DEFAULT_SER_CONFIG, SerModel } from './models';
import { NgramLm } from '../text/lm';
import { exportModel, type ModelArtifacts } from './weights';

function tone(n: number, f: number): Float32Array {
  return Float32Array.from(
    { length: n },
    (_, i) => 0.3 * Math.sin((2 * Math.PI * f * i) / 16000) + 0.1 * Math.sin((4 * Math.PI * f * i) / 16000),
  );
}

let serArt: ModelArtifacts;
let asrArt: ModelArtifacts;

beforeAll(async () => {
  await initTf('wasm');
  const ser = new SerModel({ ...DEFAULT_SER_CONFIG, channels: 24, blocks: 2, hidden: 16, downsampleAfter: 1 }, 1);
  const asr = new AsrModel({ ...DEFAULT_ASR_CONFIG, channels: 32, blocks: 2, kernel: 5 }, 2);
  serArt = await exportModel(ser, { val: { wa: 0.25 } }, { command: 'test' });
  asrArt = await exportModel(
    asr,
    { val: { cer: 1 } },
    { command: 'test', decoder: { beamWidth: 4, wordBonus: 0, lmWeight: 1, lexicon: 'words.txt', lm: 'lm.bin' } },
  );
  ser.dispose();
  asr.dispose();
});

describe('Evaluators service', () => {
  it('loads from a URL (fetch) with its word list, predicts, and does not leak', async () => {
    const files: Record<string, unknown> = {
      '/m/ser/model.json': serArt.modelJson,
      '/m/ser/weights.bin': serArt.weightData,
      '/m/asr/model.json': asrArt.modelJson,
      '/m/asr/weights.bin': asrArt.weightData,
      '/m/asr/words.txt': 'a\nab\nba\n',
      '/m/asr/lm.bin': NgramLm.train(
        [
          ['ab', 'ba'],
          ['a', 'ab'],
        ],
        { order: 2 },
      )
        .toBinary()
        .slice().buffer,
    };
    const fetched: string[] = [];
    const fakeFetch = (async (url: string) => {
      fetched.push(url);
      const body = files[url];
      if (body === undefined) return new Response('missing', { status: 404 });
      return new Response(body instanceof ArrayBuffer ? body : typeof body === 'string' ? body : JSON.stringify(body));
    }) as unknown as typeof fetch;
    const ev = await Evaluators.load({ ser: '/m/ser', asr: '/m/asr/' }, fakeFetch);
    expect(fetched).toContain('/m/asr/words.txt');
    expect(fetched).toContain('/m/asr/lm.bin');
    expect(ev.languageModel?.order).toBe(2);
    expect(ev.languageModel?.id('ba')).toBeGreaterThanOrEqual(0);
    const clip = tone(8000, 220);
    const p = await ev.predict(clip);
    expect(p.probabilities).toHaveLength(4);
    expect(p.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    expect(['neutral', 'sad', 'happy', 'angry']).toContain(p.emotion);
    expect(typeof p.transcript).toBe('string');
    // words from the lexicon only
    for (const w of p.transcript.split(' ').filter((x) => x)) expect(['a', 'ab', 'ba']).toContain(w);
    const n0 = tf.memory().numTensors;
    await ev.predict(clip);
    await ev.predict(tone(40 * 16000, 300)); // longer than one chunk
    expect(tf.memory().numTensors).toBe(n0);
    await expect(Evaluators.load({ ser: '/m/nope', asr: '/m/asr' }, fakeFetch)).rejects.toThrow(/HTTP 404/);
    ev.dispose();
  });

  it('fine-tunes with progress, lowers the loss, exports weights that reload identically', async () => {
    const ev = await Evaluators.load({ ser: serArt, asr: asrArt, words: null });
    const entries: FineTuneEntry[] = [
      { samples: tone(6000, 200), text: 'a', emotion: 'sad' },
      { samples: tone(6000, 900), text: 'b', emotion: 'angry' },
      { samples: tone(5000, 300), text: 'ab', emotion: 1 },
      { samples: tone(5000, 1200), emotion: 'angry' },
    ];
    const progress: FineTuneProgress[] = [];
    const n0 = tf.memory().numTensors;
    const report = await ev.fineTune(entries, { epochs: 6, learningRate: 3e-3, augment: false, maxBatch: 4 }, (p) =>
      progress.push(p),
    );
    expect(tf.memory().numTensors).toBe(n0);
    expect(report.cancelled).toBe(false);
    expect(report.ser?.clips).toBe(4);
    expect(report.asr?.clips).toBe(3);
    const serLoss = progress.filter((p) => p.model === 'ser').map((p) => p.loss);
    expect(serLoss[serLoss.length - 1]).toBeLessThan(serLoss[0]);
    expect(progress[progress.length - 1].step).toBe(progress[progress.length - 1].steps);
    const { ser, asr } = await ev.exportWeights({ fineTuned: true });
    const again = await Evaluators.load({ ser, asr, words: null });
    const clip = tone(7000, 500);
    expect((await again.predict(clip)).probabilities).toEqual((await ev.predict(clip)).probabilities);
    expect(asr.modelJson.trainedWith.fineTuned).toBe(true);
    again.dispose();
    ev.dispose();
  });

  it('cancel via AbortSignal keeps the previous weights', async () => {
    const ev = await Evaluators.load({ ser: serArt, asr: asrArt, words: null });
    const clip = tone(7000, 500);
    const before = (await ev.predict(clip)).probabilities;
    const ctrl = new AbortController();
    const entries: FineTuneEntry[] = Array.from({ length: 6 }, (_, i) => ({
      samples: tone(5000, 200 + 100 * i),
      emotion: i % 4,
      text: 'ab',
    }));
    const report = await ev.fineTune(
      entries,
      { epochs: 5, learningRate: 1e-2, maxBatch: 2 },
      (p) => {
        if (p.step === 2) ctrl.abort();
      },
      ctrl.signal,
    );
    expect(report.cancelled).toBe(true);
    expect((await ev.predict(clip)).probabilities).toEqual(before);
    ev.dispose();
  });
});
