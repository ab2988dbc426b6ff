import { beforeAll, describe, expect, it } from 'vitest';
import { modelReader } from './ml/read';
import { initTf } from './node/tf';
import { snrDb } from './analysis';
import {
  evaluateClips,
  meanSd,
  protectWith,
  rowsToCsv,
  summarizeRows,
  summarizeRun,
  type ClipRef,
  type EvaluationReaders,
  type EvaluationRow,
  type Reading,
} from './evaluation';
import { tinyEvaluators } from './ml/test-models';

const row = (over: Partial<EvaluationRow>): EvaluationRow => ({
  clipId: 'x',
  method: 'noise',
  budgetDb: 10,
  emotion: 'neutral',
  predicted: 'neutral',
  probabilities: [1, 0, 0, 0],
  reference: 'the cat sat',
  greedy: 'the cat sat',
  beam: null,
  transcript: 'the cat sat',
  wer: 0,
  cer: 0,
  snrDb: 10,
  lowChangeDb: 0,
  highChangeDb: 0,
  perturbationHighShare: 0.5,
  cues: null,
  external: null,
  matchedNoise: null,
  ms: 1,
  ...over,
});

describe('summaries', () => {
  it('computes WA, UA, WER and confusion from clip rows', () => {
    const rows = [
      row({ emotion: 'neutral', predicted: 'neutral', greedy: 'the cat sat', transcript: 'the cat sat' }),
      row({ emotion: 'neutral', predicted: 'sad', greedy: 'the bat sat', transcript: 'the bat sat' }),
      row({ emotion: 'sad', predicted: 'sad', greedy: 'cat sat', transcript: 'cat sat', snrDb: 20 }),
      row({ emotion: 'sad', predicted: 'sad' }),
    ];
    const s = summarizeRows({ method: 'noise', budgetDb: 10 }, rows);
    expect(s.wa).toBeCloseTo(0.75, 12);
    expect(s.ua).toBeCloseTo((0.5 + 1) / 2, 12); // classes 2 and 3 never occur
    expect(s.werGreedy.rate).toBeCloseTo(2 / 12, 12); // one substitution, one deletion over 12 words
    expect(s.wer.rate).toBeCloseTo(2 / 12, 12);
    expect(s.meanSnrDb).toBeCloseTo(12.5, 12);
    expect(s.confusion[0]).toEqual([1, 1, 0, 0]);
    expect(s.werBeam).toBeNull();
    expect(s.serChanged).toBeNull();
  });

  it('counts changed emotion reads against the original rows, and unlabelled clips only for words', () => {
    const originals = [
      row({ clipId: 'a', method: 'original', predicted: 'sad' }),
      row({ clipId: 'b', method: 'original', predicted: 'angry' }),
    ];
    const rows = [
      row({ clipId: 'a', predicted: 'sad', emotion: null }),
      row({ clipId: 'b', predicted: 'happy', emotion: null }),
    ];
    const s = summarizeRows({ method: 'noise', budgetDb: 10 }, rows, 0, originals);
    expect(s.serChanged).toBe(0.5);
    expect(Number.isNaN(s.wa)).toBe(true);
    expect(s.wer.refLength).toBe(6);
  });

  it('scores external recognizers and their gain over matched noise per clip', () => {
    const rows = [
      row({
        clipId: 'a',
        method: 'aclipse',
        external: { w: 'dog' },
        matchedNoise: { snrDb: 10, predicted: 'neutral', transcript: '', external: { w: 'the cat sat' } },
      }),
      row({
        clipId: 'b',
        method: 'aclipse',
        external: { w: 'the cat sat' },
        matchedNoise: { snrDb: 10, predicted: 'neutral', transcript: '', external: { w: 'the cat' } },
      }),
    ];
    const e = summarizeRows({ method: 'aclipse', budgetDb: 10 }, rows).external!.w!;
    expect(e.wer.rate).toBeCloseTo(3 / 6, 12); // clip a: 1 sub + 2 del
    expect(e.werNoise!.rate).toBeCloseTo(1 / 6, 12);
    expect(e.gainOverNoise).toBeCloseTo((1 - 0 + (0 - 1 / 3)) / 2, 12);
    // no clip above 100 %: capping changes nothing; the standard error is over the two clips' gains (1, −1/3)
    expect(e.gainOverNoiseCapped).toBeCloseTo(e.gainOverNoise!, 12);
    expect(e.gainOverNoiseSe).toBeCloseTo(Math.abs(1 + 1 / 3) / 2, 12);
  });

  it('caps each clip at 100 % WER for the capped gain, so one looping transcript cannot carry the mean', () => {
    const loop = Array.from({ length: 30 }, () => 'the').join(' ');
    const rows = [
      row({
        clipId: 'a',
        method: 'aclipse',
        external: { w: loop }, // 2 substitutions + 27 insertions against "the cat sat": 29/3 WER
        matchedNoise: { snrDb: 10, predicted: 'neutral', transcript: '', external: { w: 'the cat sat' } },
      }),
      row({
        clipId: 'b',
        method: 'aclipse',
        external: { w: 'the cat sat' },
        matchedNoise: { snrDb: 10, predicted: 'neutral', transcript: '', external: { w: 'the cat sat' } },
      }),
    ];
    const e = summarizeRows({ method: 'aclipse', budgetDb: 10 }, rows).external!.w!;
    expect(e.gainOverNoise).toBeCloseTo(29 / 3 / 2, 12);
    expect(e.gainOverNoiseCapped).toBeCloseTo(1 / 2, 12);
  });

  it('summarises cue retention as medians over clips with a value', () => {
    const cues = (f0: number) => ({
      f0Correlation: f0,
      f0RmseSemitones: 1,
      voicingAgreement: 0.9,
      loudnessCorrelation: 0.8,
      syllableRateChange: 0,
    });
    const s = summarizeRows({ method: 'aclipse', budgetDb: 10 }, [
      row({ cues: cues(0.9) }),
      row({ cues: cues(NaN) }),
      row({ cues: cues(0.5) }),
      row({ cues: cues(0.7) }),
    ]);
    expect(s.cues!.f0Correlation).toBeCloseTo(0.7, 12);
    expect(s.cues!.clips).toBe(4);
  });

  it('mean and sample sd', () => {
    expect(meanSd([1, 2, 3])).toEqual({ mean: 2, sd: 1 });
    expect(meanSd([5]).sd).toBe(0);
  });

  it('quotes CSV fields that need it and gives each attacker its columns', () => {
    const csv = rowsToCsv([row({ reference: 'a, "b"', external: { whisper: 'x' } })]);
    const [head, line] = csv.split('\n');
    expect(line).toContain('"a, ""b"""');
    expect(head!.split(',')).toContain('whisper_transcript');
    expect(head!.split(',')).toHaveLength(line!.replace(/"[^"]*(""[^"]*)*"/g, 'q').split(',').length);
  });
});

/** A reader that needs no model: the emotion from the clip's level, the "transcript" from its length. */
const fakeRead = async (waves: Float32Array[]): Promise<Reading[]> =>
  waves.map((w) => {
    const rms = Math.sqrt(w.reduce((a, x) => a + x * x, 0) / w.length);
    return {
      predicted: rms > 0.3 ? 'angry' : 'neutral',
      probabilities: [0.25, 0.25, 0.25, 0.25],
      greedy: `n${w.length}`,
      beam: null,
    };
  });

function clipsOf(n: number): ClipRef[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `c${i}`,
    emotion: 'neutral' as const,
    text: `n${4000 + i * 100}`,
    load: () => new Float32Array(4000 + i * 100).map((_, t) => 0.2 * Math.sin(t / (3 + i))),
  }));
}

describe('the evaluation pipeline', () => {
  beforeAll(async () => {
    await initTf('wasm');
  });

  it('baselines respect the budget through protectWith', async () => {
    const x = new Float32Array(8000).map((_, i) => Math.sin(i / 5) * Math.sin(i / 700) * 0.5);
    for (const m of ['noise', 'lowpass2k', 'pitch', 'mcadams'] as const) {
      const y = await protectWith(m, x, { budgetDb: 15 });
      expect(y.wave.length).toBe(x.length);
      expect(snrDb(x, y.wave)).toBeGreaterThanOrEqual(14.99);
      expect(y.snrDb).toBeCloseTo(snrDb(x, y.wave), 6);
    }
    await expect(protectWith('aclipse', x, { budgetDb: 10 })).rejects.toThrow('No Aclipse generator');
  });

  it('runs every condition on every clip, with external readers, cues and matched noise', async () => {
    const readers: EvaluationReaders = {
      protect: (m, wave, budgetDb, seed) => protectWith(m, wave, { budgetDb, seed }),
      read: fakeRead,
      external: async (w) => ({ fake: `n${w.length}` }),
      cues: (a, b) => ({
        f0Correlation: a.length === b.length ? 1 : 0,
        f0RmseSemitones: 0,
        voicingAgreement: 1,
        loudnessCorrelation: 1,
        syllableRateChange: 0,
      }),
    };
    const conditions = [
      { method: 'original' as const, budgetDb: 0 },
      { method: 'lowpass4k' as const, budgetDb: 20 },
      { method: 'noise' as const, budgetDb: 20 },
    ];
    const seen: number[] = [];
    const run = await evaluateClips(clipsOf(3), conditions, readers, {
      batchSize: 2,
      matchedNoise: true,
      onRow: (_r, done) => seen.push(done),
    });
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(run.rows).toHaveLength(9);
    const lp = run.rows.filter((r) => r.method === 'lowpass4k');
    for (const r of lp) {
      expect(r.snrDb).toBeGreaterThanOrEqual(19.99);
      expect(r.matchedNoise!.snrDb).toBeCloseTo(r.snrDb!, 1);
      expect(r.matchedNoise!.external).toEqual({ fake: r.external!.fake });
      expect(r.cues!.f0Correlation).toBe(1);
      expect(r.wer).toBe(0);
    }
    // White noise is its own reference; the original has neither a budget, cues nor noise.
    expect(run.rows.filter((r) => r.method === 'noise').every((r) => r.matchedNoise === null)).toBe(true);
    const orig = run.rows.filter((r) => r.method === 'original');
    expect(orig.every((r) => r.budgetDb === null && r.snrDb === null && r.cues === null)).toBe(true);
    const [o, l] = summarizeRun(run, conditions);
    expect(o!.clips).toBe(3);
    expect(l!.external!.fake!.gainOverNoise).toBe(0);
    expect(l!.serChanged).toBe(0);
  });

  it("passes every clip the readers see, noise twins included, through the channel; SNR stays the protection's", async () => {
    const through: number[] = [];
    // A channel the readers can recognise: it drops the last 10 samples and halves the level.
    const channel = async (w: Float32Array) => {
      through.push(w.length);
      return w.slice(0, w.length - 10).map((x) => x / 2);
    };
    const readers: EvaluationReaders = {
      protect: (m, wave, budgetDb, seed) => protectWith(m, wave, { budgetDb, seed }),
      read: fakeRead,
      external: async (w) => ({ fake: `n${w.length}` }),
      cues: (a, b) => ({
        f0Correlation: b.length === a.length - 10 ? 0.5 : 0,
        f0RmseSemitones: 0,
        voicingAgreement: 1,
        loudnessCorrelation: 1,
        syllableRateChange: 0,
      }),
      channel,
    };
    const conditions = [
      { method: 'original' as const, budgetDb: 0 },
      { method: 'lowpass4k' as const, budgetDb: 20 },
    ];
    const run = await evaluateClips(clipsOf(2), conditions, readers, { matchedNoise: true });
    // 2 clips × (original, low-pass, its noise twin)
    expect(through).toHaveLength(6);
    for (const r of run.rows) {
      const n = Number(r.reference!.slice(1)) - 10;
      expect(r.greedy).toBe(`n${n}`);
      expect(r.external).toEqual({ fake: `n${n}` });
    }
    for (const r of run.rows.filter((x) => x.method === 'lowpass4k')) {
      expect(r.snrDb).toBeGreaterThanOrEqual(19.99);
      expect(r.cues!.f0Correlation).toBe(0.5);
      expect(r.matchedNoise!.external).toEqual(r.external);
      expect(r.matchedNoise!.cues!.f0Correlation).toBe(0.5);
    }
    const [, l] = summarizeRun(run, conditions);
    expect(l!.matchedNoise).toEqual({
      clips: 2,
      wa: 1,
      cues: expect.objectContaining({ f0Correlation: 0.5, clips: 2 }),
    });
  });

  it('stops between clips when cancelled and reports clips it cannot read', async () => {
    const ctl = new AbortController();
    const clips = clipsOf(4);
    clips[1] = { ...clips[1]!, load: () => Promise.reject(new Error('corrupt file')) };
    const readers: EvaluationReaders = { protect: async (_m, w) => ({ wave: w, snrDb: null }), read: fakeRead };
    const partial = await evaluateClips(clips.slice(0, 2), [{ method: 'original', budgetDb: 0 }], readers);
    expect(partial.failed).toEqual([{ clipId: 'c1', error: 'corrupt file' }]);
    await expect(
      evaluateClips(clips, [{ method: 'original', budgetDb: 0 }], readers, {
        onRow: (_r, done) => done === 1 && ctl.abort(),
        signal: ctl.signal,
      }),
    ).rejects.toThrow('Evaluation cancelled');
  });

  it('reads with the real (tiny) evaluators through modelReader', async () => {
    const { asr, ser } = tinyEvaluators();
    const readers: EvaluationReaders = {
      protect: (m, wave, budgetDb, seed) => protectWith(m, wave, { budgetDb, seed }),
      read: modelReader({ ser, asr }),
    };
    const run = await evaluateClips(clipsOf(3), [{ method: 'noise', budgetDb: 20 }], readers, { batchSize: 2 });
    expect(run.rows.map((r) => r.clipId)).toEqual(['c0', 'c1', 'c2']);
    for (const r of run.rows) {
      expect(r.snrDb).toBeCloseTo(20, 1);
      expect(r.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      expect(r.beam).toBeNull();
    }
    asr.dispose();
    ser.dispose();
  });
});
