import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initTf } from '../../src/core/node/tf';
import { wer } from '../../src/core/metrics/scores';
import { attackersAnalysis } from './analyses';
import { runProtect } from './cli';
import type { ProtectReport } from './report';

const FAKE = [process.execPath, path.resolve('tests/fixtures/fake-attacker.mjs')];

beforeAll(async () => {
  await initTf('wasm');
});

describe('protect --json with the external recognizers (fake attacker process)', () => {
  it('adds each recognizer’s reading of the original and the protected clip', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'aclipse-analyses-'));
    cpSync('public/demo/clips/s3955_flite_kal16.wav', path.join(dir, 'in', 'a.wav'), { recursive: true });
    const { analysis, note } = await attackersAnalysis(process.cwd(), { command: FAKE });
    expect(note).toBeNull();
    const logs: string[] = [];
    const code = await runProtect(
      [path.join(dir, 'in'), '--out', path.join(dir, 'out'), '--json', path.join(dir, 'r.json'), '--report'],
      {
        io: { log: (l) => logs.push(l), error: (l) => logs.push(l) },
        analyses: [analysis!],
      },
    );
    expect(code).toBe(0);
    const report = JSON.parse(readFileSync(path.join(dir, 'r.json'), 'utf8')) as ProtectReport;
    const rec = report.files[0]!;
    // The fake reports the sample count (spelled out): the same length before and after protection.
    expect(rec.attackers?.whisper?.original).toMatch(/^whisper heard .* samples starting/);
    expect(rec.attackers?.pocketsphinx?.protected).toMatch(/^pocketsphinx heard/);
    const w = rec.attackers!.whisper!;
    expect(w.werVsOriginal).toBe(wer([w.original], [w.protected]).rate);
    expect(logs.some((l) => l.includes('Whisper tiny.en  original:'))).toBe(true);
    expect(report.settings.analyses).toEqual(['attackers']);
  }, 120_000);

  it('says how to install the recognizers when their environment is missing', async () => {
    const r = await attackersAnalysis('/nonexistent-root');
    expect(r.analysis).toBeNull();
    expect(r.note).toMatch(/npm run setup:attackers/);
  });
});
