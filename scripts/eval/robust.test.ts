import { describe, expect, it } from 'vitest';
import { rowsToCsv, summarizeRows, type EvaluationRow } from '../../src/core/evaluation';
import { pairedCapped, robustGains } from './robust';

const row = (clipId: string, hyp: string, noiseHyp: string, reference = 'the cat sat on the mat'): EvaluationRow => ({
  clipId,
  method: 'aclipse',
  budgetDb: 10,
  emotion: 'neutral',
  predicted: 'neutral',
  probabilities: [1, 0, 0, 0],
  reference,
  greedy: 'x',
  beam: null,
  transcript: 'x',
  wer: 1,
  cer: 1,
  snrDb: 10,
  lowChangeDb: 0,
  highChangeDb: 0,
  perturbationHighShare: 0.5,
  cues: null,
  external: { whisper: hyp },
  matchedNoise: { snrDb: 10, predicted: 'neutral', transcript: '', external: { whisper: noiseHyp } },
  ms: 1,
});

describe('eval:robust', () => {
  // a looping transcript (far above 100 % WER), an empty one (100 %), one with a comma and quotes for the CSV
  const rows = [
    row('a', Array.from({ length: 40 }, () => 'the').join(' '), 'the cat sat on the mat'),
    row('b', '', 'the cat sat on a mat'),
    row('c', 'the "cat", sat on the mat', 'the bat sat on the mat'),
    row('d', 'the cat sat on the mat', 'the cat sat'),
  ];

  it('reads back from the written CSV the gain the report computed, and the capped gain and median', () => {
    const summary = summarizeRows({ method: 'aclipse', budgetDb: 10 }, rows).external!.whisper!;
    const [g, ...more] = robustGains('test', rowsToCsv(rows));
    expect(more).toHaveLength(0);
    expect(g).toMatchObject({ set: 'test', method: 'aclipse', budgetDb: '10', attacker: 'whisper', clips: 4 });
    expect(g!.mean).toBeCloseTo(100 * summary.gainOverNoise!, 9);
    expect(g!.se).toBeCloseTo(100 * summary.gainOverNoiseSe!, 9);
    expect(g!.capped).toBeCloseTo(100 * summary.gainOverNoiseCapped!, 9);
    // the loop carries the plain mean; capped, clip a counts as all words hidden and no more
    expect(g!.mean).toBeGreaterThan(150);
    expect(g!.capped).toBeLessThan(60);
    // per clip: a 38/6 − 0, b 1 − 1/6, c 0 − 1/6 (quotes and comma normalised away), d 0 − 1/2
    expect(g!.capped).toBeCloseTo((100 * (1 + 5 / 6 - 1 / 6 - 1 / 2)) / 4, 9);
    expect(g!.median).toBeCloseTo((100 * (5 / 6 - 1 / 6)) / 2, 9);
  });

  it('leaves out rows without a noise twin (the original)', () => {
    const original = { ...row('o', 'the cat sat on the mat', ''), method: 'original' as const, matchedNoise: null };
    const gains = robustGains('test', rowsToCsv([original, ...rows]));
    expect(gains.map((g) => g.method)).toEqual(['aclipse']);
  });

  it('compares two reports clip by clip on the clips both read', () => {
    const [base] = robustGains('val', rowsToCsv(rows));
    // the variant hides everything on clips c and d, and read a clip the base did not
    const variant = [
      rows[0]!,
      rows[1]!,
      row('c', '', 'the bat sat on the mat'),
      row('d', 'x', 'the cat sat'),
      row('e', '', ''),
    ];
    const [g] = robustGains('val', rowsToCsv(variant));
    const p = pairedCapped(g!, base!);
    expect(p.clips).toBe(4);
    // c: (1 − 1/6) − (0 − 1/6) = 1; d: (1 − 1/2) − (0 − 1/2) = 1; a and b unchanged
    expect(p.mean).toBeCloseTo((100 * 2) / 4, 9);
    expect(p.se).toBeCloseTo((100 * Math.sqrt((2 * 0.5 ** 2 + 2 * 0.5 ** 2) / 3)) / 2, 9);
  });
});
