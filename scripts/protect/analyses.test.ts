import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initTf } from '../../src/core/node/tf';
import { wer } from '../../src/core/metrics/scores';
import { cueRetention } from '../../src/core/cues';
import { prosodyCues } from '../../src/core/cues/emotion';
import { attackersAnalysis, cuesAnalysis } from './analyses';
import { runProtect } from './cli';
import type { ProtectReport, RecordAnalysis, SharedMeasures } from './report';

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

describe('protect --json: one cue analysis per file, shared', () => {
  it('gives cue retention and the prosody the same pitch tracks, measured once', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'aclipse-shared-'));
    cpSync('public/demo/clips/s3955_flite_kal16.wav', path.join(dir, 'in', 'a.wav'), { recursive: true });
    const seen: { original: Float32Array; protected: Float32Array; shared: SharedMeasures; first: unknown }[] = [];
    const probe: RecordAnalysis = {
      id: 'probe',
      async analyze(original, protectedWave, _record, shared) {
        seen.push({ original, protected: protectedWave, shared, first: shared.cues() });
        return {};
      },
      lines: () => [],
    };
    const json = path.join(dir, 'r.json');
    const code = await runProtect(
      [path.join(dir, 'in'), '--out', path.join(dir, 'out'), '--json', json, '--same-speaker'],
      {
        io: { log: () => {}, error: () => {} },
        analyses: [cuesAnalysis(), probe],
      },
    );
    expect(code).toBe(0);
    expect(seen).toHaveLength(1);
    const s = seen[0]!;
    // The same object on every call: the tracks were made once, for the prosody, and reused after.
    expect(s.shared.cues()).toBe(s.first);
    const rec = (JSON.parse(readFileSync(json, 'utf8')) as ProtectReport).files[0]!;
    const round = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;
    expect(rec.cues).toEqual(round(cueRetention(s.original, s.protected)));
    expect(rec.prosody).toEqual(round({ original: prosodyCues(s.original), protected: prosodyCues(s.protected) }));
  }, 120_000);
});
