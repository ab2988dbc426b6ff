import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { AclipseGenerator } from '../../src/core/aclipse/model';
import { NgramLm } from '../../src/core/text/lm';
import { exportModel } from '../../src/core/ml/weights';
import { writeModelDir, writeAtomic } from '../../src/core/node/io';
import { initTf } from '../../src/core/node/tf';
import { DEFAULT_EVAL_CONFIG, runReport, type EvalReport } from './report';
import { tinyEvaluators } from '../../src/core/ml/test-models';

// Small random models stand in for the shipped ones: this test checks the report pipeline, not the numbers.
let dir: string;
let report: EvalReport;

beforeAll(async () => {
  await initTf('wasm');
  dir = mkdtempSync(path.join(os.tmpdir(), 'aclipse-report-'));
  const { asr, ser } = tinyEvaluators();
  await writeModelDir(path.join(dir, 'models', 'asr'), await exportModel(asr));
  await writeModelDir(path.join(dir, 'models', 'ser'), await exportModel(ser));
  // the transfer ASR has a beam decoder (word list + bigram LM), the main one none: both paths run
  const decoder = { lexicon: 'words.txt', lm: 'lm.bin', beamWidth: 4, wordBonus: 0, lmWeight: 0.5 };
  await writeModelDir(path.join(dir, 'asr-b'), await exportModel(asr, {}, { decoder }));
  const words = ['a', 'the', 'it', 'is', 'was', 'to', 'of'];
  await writeAtomic(path.join(dir, 'asr-b', 'words.txt'), words.join('\n') + '\n');
  await writeAtomic(
    path.join(dir, 'asr-b', 'lm.bin'),
    NgramLm.train(
      [
        ['it', 'is', 'a'],
        ['the', 'was', 'to', 'of'],
      ],
      { order: 2 },
    ).toBinary(),
  );
  const gen = new AclipseGenerator({
    so: { hidden: 8, kernel: 3, layers: 1, seReduction: 8, dropout: 0, maskScale: 1, addScale: 1 },
    er: { hidden: 8, kernel: 3, layers: 1, seReduction: 8, dropout: 0, maskScale: 1, addScale: 1 },
    budgetDb: 10,
  });
  for (const v of gen.variables('so')) if (v.shape[1] === 4 * 257) v.assign(v.add(0.3));
  const art = await gen.toArtifacts();
  await writeAtomic(path.join(dir, 'gen', 'weights.bin'), new Uint8Array(art.weights));
  await writeAtomic(path.join(dir, 'gen', 'model.json'), JSON.stringify(art.modelJson));
  report = await runReport(
    {
      ...DEFAULT_EVAL_CONFIG,
      corpus: 'tests/fixtures/corpus10',
      models: path.join(dir, 'models'),
      generator: path.join(dir, 'gen'),
      asrB: path.join(dir, 'asr-b'),
      split: 'train',
      snrs: [10, 20],
      pgd: { steps: 1, limit: 2, snrs: [10] },
      attacker: { ...DEFAULT_EVAL_CONFIG.attacker, trainClips: 2, epochs: 1, maxBatch: 2 },
      out: path.join(dir, 'out'),
      // The external attackers have their own test (external.test.ts) and need Python.
      parts: ['main', 'pgd', 'attacker', 'transfer'],
    },
    'test',
  );
}, 240_000);

describe('evaluation report on the fixture corpus', () => {
  it('writes every file it lists', () => {
    for (const f of report.files) expect(existsSync(path.join(dir, 'out', f)), f).toBe(true);
    expect(report.files).toEqual(
      expect.arrayContaining([
        'report.md',
        'report.json',
        'clips.csv',
        'frontier.svg',
        'confusion-original.svg',
        'confusion-aclipse.svg',
      ]),
    );
  });

  it('has a row per method and SNR, each within budget', () => {
    const methods = ['aclipse', 'noise', 'lowpass2k', 'lowpass4k', 'pitch', 'mcadams'];
    for (const m of methods)
      for (const snr of [10, 20]) {
        const row = report.rows.find((r) => r.method === m && r.budgetDb === snr);
        expect(row, `${m}@${snr}`).toBeDefined();
        expect(row!.meanSnrDb).toBeGreaterThanOrEqual(snr - 0.01);
      }
    expect(report.rows.filter((r) => r.label.startsWith('PGD'))).toHaveLength(1);
    // the share of changed emotion reads, counted again from the per-clip CSV (clip, method, budget_db, emotion, predicted)
    expect(report.rows.find((r) => r.method === 'original')!.serChanged).toBeNull();
    const csv = readFileSync(path.join(dir, 'out', 'clips.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','));
    const original = new Map(csv.filter((c) => c[1] === 'original').map((c) => [c[0], c[4]]));
    [10, 20].forEach((snr) => {
      const noise = csv.filter((c) => c[1] === 'noise' && c[2] === String(snr));
      expect(noise.length).toBe(original.size);
      const changed = noise.filter((c) => c[4] !== original.get(c[0])).length / noise.length;
      expect(report.rows.find((r) => r.method === 'noise' && r.budgetDb === snr)!.serChanged).toBeCloseTo(changed, 10);
    });
    expect(report.attacker?.trainClips).toBe(2);
    expect(report.transfer?.rows.length).toBe(1 + methods.length);
    for (const t of report.transfer!.rows) expect(t.werBeam).toBeGreaterThanOrEqual(0);
    expect(report.transfer!.decoder).toMatch(/2-gram LM/);
    expect(report.decoder).toBe('greedy only');
    expect(report.attacker!.werProtectedAfter.beam).toBeNull();
    expect(report.attacker!.werProtectedAfter.greedy).toBeGreaterThanOrEqual(0);
  });

  it('the markdown embeds the frontier and the JSON round-trips', () => {
    const md = readFileSync(path.join(dir, 'out', 'report.md'), 'utf8');
    expect(md).toContain('![privacy–utility frontier](frontier.svg)');
    const json = JSON.parse(readFileSync(path.join(dir, 'out', 'report.json'), 'utf8')) as EvalReport;
    expect(json.rows.length).toBe(report.rows.length);
    expect(readFileSync(path.join(dir, 'out', 'frontier.svg'), 'utf8')).toMatch(
      /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/,
    );
  });
});
