import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ClaimsFile, ExternalReportLike } from '../../src/core/claims';

const tsx = path.join('node_modules', '.bin', 'tsx');
const root = mkdtempSync(path.join(tmpdir(), 'claims-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** An external report with Aclipse rows at the given budgets. */
function report(budgets: number[]): ExternalReportLike {
  const ext = (rate: number) => ({ w: { wer: { rate }, werNoise: { rate: rate / 4 } } });
  return {
    command: 'npm run eval -- fixture',
    date: '2026-12-06',
    attackers: [{ id: 'w', label: 'Whisper' }],
    sets: [
      {
        name: 'test',
        clips: 3,
        summaries: [
          { method: 'original', budgetDb: null, external: ext(0.1) },
          ...budgets.map((b) => ({ method: 'aclipse', budgetDb: b, external: ext(b / 10) })),
        ],
      },
    ],
  };
}

/** A generator folder with base weights and one band from 20 dB up (`high/`), holding the given weights text. */
function bandedFolder(name: string, baseWeights: string, bandWeights: string): { gen: string; band: string } {
  const gen = path.join(root, name);
  const band = path.join(gen, 'high');
  mkdirSync(band, { recursive: true });
  writeFileSync(path.join(gen, 'weights.bin'), baseWeights);
  writeFileSync(path.join(band, 'weights.bin'), bandWeights);
  writeFileSync(
    path.join(gen, 'bands.json'),
    JSON.stringify({ format: 'aclipse-bands/1', bands: [{ fromDb: 20, path: 'high', label: 'h', why: 'w' }] }),
  );
  return { gen, band };
}

function runClaims(folder: string) {
  return spawnSync(
    tsx,
    ['scripts/eval/claims.ts', '--reports', path.join(root, 'report.json'), '--out', path.join(folder, 'claims.json')],
    { encoding: 'utf8' },
  );
}

function claimsAt(folder: string): ClaimsFile {
  const r = runClaims(folder);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(readFileSync(path.join(folder, 'claims.json'), 'utf8')) as ClaimsFile;
}

describe('npm run eval:claims with weights by budget', () => {
  it('binds each weight folder to its own weights and keeps only the budgets it serves', () => {
    const { gen, band } = bandedFolder('gen', 'base weights', 'band weights');
    writeFileSync(path.join(root, 'report.json'), JSON.stringify(report([10, 15, 20])));
    const base = claimsAt(gen);
    expect(base.claims.map((c) => c.budgetDb)).toEqual([10, 15]);
    expect(base.weightsSha256).toBe(createHash('sha256').update('base weights').digest('hex'));
    const high = claimsAt(band);
    expect(high.claims.map((c) => c.budgetDb)).toEqual([20]);
    expect(high.claims[0]!.protectedWer).toBeCloseTo(2);
    expect(high.weightsSha256).toBe(createHash('sha256').update('band weights').digest('hex'));
  }, 60_000);

  it('keeps every budget for a folder without bands', () => {
    const gen = path.join(root, 'plain');
    mkdirSync(gen, { recursive: true });
    writeFileSync(path.join(gen, 'weights.bin'), 'w');
    writeFileSync(path.join(root, 'report.json'), JSON.stringify(report([10, 20])));
    expect(claimsAt(gen).claims.map((c) => c.budgetDb)).toEqual([10, 20]);
  }, 60_000);

  it('refuses a report made with other weights than those the claims are bound to', () => {
    const gen = path.join(root, 'shipped');
    const same = path.join(root, 'candidate-same');
    const other = path.join(root, 'candidate-other');
    for (const [dir, w] of [
      [gen, 'weights A'],
      [same, 'weights A'],
      [other, 'weights B'],
    ] as const) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, 'weights.bin'), w);
    }
    const measuredWith = (dir: string) =>
      writeFileSync(
        path.join(root, 'report.json'),
        JSON.stringify({ ...report([10]), command: `npm run eval -- --generator ${dir} --parts external` }),
      );
    measuredWith(same);
    expect(runClaims(gen).status).toBe(0);
    measuredWith(other);
    const refused = runClaims(gen);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('whose weights are not those in');
    // The claims file written before is left as it was.
    expect(JSON.parse(readFileSync(path.join(gen, 'claims.json'), 'utf8')).weightsSha256).toBe(
      createHash('sha256').update('weights A').digest('hex'),
    );
  }, 60_000);

  it('refuses rows recorded as measured with other weights, at the budgets the folder serves', () => {
    const { gen, band } = bandedFolder('recorded', 'base now', 'band now');
    const sha = (w: string) => createHash('sha256').update(w).digest('hex');
    // made on the shipped folder (no --generator), so only the recorded hashes say which weights ran
    const recorded = (at10: string, at20: string) => {
      const r = report([10, 20]);
      for (const s of r.sets[0]!.summaries)
        if (s.method === 'aclipse') s.weightsSha256 = sha(s.budgetDb === 10 ? at10 : at20);
      writeFileSync(path.join(root, 'report.json'), JSON.stringify(r));
    };
    recorded('base now', 'band now');
    expect(claimsAt(gen).claims.map((c) => c.budgetDb)).toEqual([10]);
    expect(claimsAt(band).claims.map((c) => c.budgetDb)).toEqual([20]);
    // the band's weights were swapped after the report: its folder refuses it, the base folder's rows still hold
    recorded('base now', 'band before');
    const refused = runClaims(band);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('at 20 dB were measured with weights other than');
    expect(claimsAt(gen).claims.map((c) => c.budgetDb)).toEqual([10]);
  }, 60_000);
});
