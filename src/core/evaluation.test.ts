import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ASR_CONFIG, DEFAULT_SER_CONFIG, AsrModel, SerModel } from './ml/models';
import { initTf } from './node/tf';
import { snrDb } from './analysis';
import { evaluateMethod, meanSd, protectWith, resultsToCsv, summarizeResults, type ClipResult } from './evaluation';

const row = (over: Partial<ClipResult>): ClipResult => ({
  id: 'x',
  method: 'noise',
  emotion: 0,
  predicted: 0,
  probabilities: [1, 0, 0, 0],
  reference: 'the cat sat',
  greedy: 'the cat sat',
  beam: null,
  snrDb: 10,
  highShare: 0.5,
  lowChangeDb: 0,
  highChangeDb: 0,
  ...over,
});

describe('summaries', () => {
  it('computes WA, UA, WER and confusion from clip rows', () => {
    const rows = [
      row({ emotion: 0, predicted: 0, greedy: 'the cat sat' }),
      row({ emotion: 0, predicted: 1, greedy: 'the bat sat' }),
      row({ emotion: 1, predicted: 1, greedy: 'cat sat', snrDb: 20 }),
      row({ emotion: 1, predicted: 1, greedy: 'the cat sat' }),
    ];
    const s = summarizeResults('noise', rows);
    expect(s.wa).toBeCloseTo(0.75, 12);
    expect(s.ua).toBeCloseTo((0.5 + 1) / 2, 12); // classes 2 and 3 never occur
    expect(s.wer).toBeCloseTo(2 / 12, 12); // one substitution, one deletion over 12 words
    expect(s.snrDb).toBeCloseTo(12.5, 12);
    expect(s.confusion[0]).toEqual([1, 1, 0, 0]);
    expect(s.werBeam).toBeNull();
  });

  it('mean and sample sd', () => {
    expect(meanSd([1, 2, 3])).toEqual({ mean: 2, sd: 1 });
    expect(meanSd([5]).sd).toBe(0);
  });

  it('quotes CSV fields that need it', () => {
    const csv = resultsToCsv([row({ reference: 'a, "b"' })], ['neutral', 'sad', 'happy', 'angry']);
    expect(csv.split('\n')[1]).toContain('"a, ""b"""');
    expect(csv.split('\n')[0].split(',')).toHaveLength(15);
  });
});

describe('methods', () => {
  beforeAll(async () => {
    await initTf('wasm');
  });

  it('baselines respect the budget through protectWith', async () => {
    const x = new Float32Array(8000).map((_, i) => Math.sin(i / 5) * Math.sin(i / 700) * 0.5);
    for (const m of ['noise', 'lowpass2k', 'pitch', 'mcadams'] as const) {
      const y = await protectWith(m, x, { budgetDb: 15 });
      expect(y.length).toBe(x.length);
      expect(snrDb(x, y)).toBeGreaterThanOrEqual(14.99);
    }
    await expect(protectWith('aclipse', x, { budgetDb: 10 })).rejects.toThrow('No Aclipse generator');
  });

  it('evaluates clips end to end with small models', async () => {
    const fe = { ...DEFAULT_ASR_CONFIG.frontend, nMels: 16 };
    const asr = new AsrModel({ ...DEFAULT_ASR_CONFIG, frontend: fe, channels: 8, blocks: 1, kernel: 3, specAugment: null });
    const ser = new SerModel({ ...DEFAULT_SER_CONFIG, frontend: fe, channels: 8, blocks: 1, kernel: 3, hidden: 4, specAugment: null, downsampleAfter: 0 });
    const clips = [0, 1, 2].map((i) => ({ id: `c${i}`, wave: new Float32Array(4000 + i * 500).map((_, t) => Math.sin(t / (3 + i))), emotion: i, text: 'hi' }));
    let calls = 0;
    const rows = await evaluateMethod('noise', clips, { ser, asr }, { budgetDb: 20, batchSize: 2, onProgress: () => calls++ });
    expect(rows.map((r) => r.id)).toEqual(['c0', 'c1', 'c2']);
    expect(calls).toBe(2);
    for (const r of rows) {
      expect(r.snrDb).toBeCloseTo(20, 1);
      expect(r.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    }
    asr.dispose();
    ser.dispose();
  });
});
