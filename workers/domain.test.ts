/**
 * The out-of-domain verdict through the worker's model store and analyze/protect jobs (Node, wasm), with the e2e
 * fixture evaluators served over HTTP: domain.json is optional, a broken one is ignored, and a loaded one fills
 * ClipAnalysis.domain with exactly what assessDomain says about the clip's signals. The same for cue-emotion.json (the
 * emotion reading relative to the voice): optional, a broken one ignored, and every analysis carries the clip's prosody.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineFixtures, syntheticClip } from '../e2e/engine-fixtures';
import { parseCueEmotionModel, prosodyCues } from '../src/core/cues/emotion';
import { assessDomain, type DomainCalibration } from '../src/core/domain';
import { initTf } from '../src/core/node/tf';
import { serveFixtures, type FixtureServer } from './test-server';
import { JobRegistry, type JobContext } from './jobs';
import { ModelStore } from './models';
import { analyzeClip, protectClip } from './protect';

let server: FixtureServer;
let base: string;
let root: string;
const registry = new JobRegistry();
let n = 0;
const job = <R>(body: (ctx: JobContext) => Promise<R>) => registry.run(`d${++n}`, () => undefined, body);

/** A rule on one feature whose threshold sits in the middle of the range, so both verdicts are reachable. */
const calibration: DomainCalibration = {
  format: 'aclipse-domain/1',
  features: ['serMaxProb'],
  mean: [0.5],
  std: [0.1],
  weights: [-2],
  bias: 0,
  threshold: 0.5,
  typical: { serMaxProb: { p10: 0.6, p50: 0.8, p90: 0.95 } },
  noSpeech: { minActiveSeconds: 0.25, maxTonalShare: 0.5 },
};

beforeAll(async () => {
  await initTf('wasm');
  const fx = await engineFixtures();
  root = mkdtempSync(join(tmpdir(), 'aclipse-domain-'));
  for (const d of ['with', 'without', 'broken']) cpSync(fx.modelsDir, join(root, d), { recursive: true });
  writeFileSync(join(root, 'with', 'domain.json'), JSON.stringify(calibration));
  writeFileSync(join(root, 'broken', 'domain.json'), JSON.stringify({ ...calibration, weights: [] }));
  cpSync('public/models/cue-emotion.json', join(root, 'with', 'cue-emotion.json'));
  writeFileSync(join(root, 'broken', 'cue-emotion.json'), JSON.stringify({ version: 1, cues: ['f0St'] }));
  server = await serveFixtures(Object.fromEntries(['with', 'without', 'broken'].map((d) => [d, join(root, d)])));
  base = server.base;
}, 120_000);

afterAll(() => {
  server?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('ClipAnalysis.domain', () => {
  it('is null without a domain.json or with a broken one, and the evaluators still load', async () => {
    for (const d of ['without', 'broken']) {
      const models = new ModelStore();
      const report = await job((ctx) => models.load({ baseUrl: `${base}/${d}/`, which: ['evaluators'] }, ctx));
      expect(report.evaluatorsProblem).toBeNull();
      expect(report.evaluators!.cueEmotion).toBeNull();
      const a = await job((ctx) => analyzeClip(models, { wave: syntheticClip(2, 1) }, ctx));
      expect(a.domain).toBeNull();
      expect(a.probabilities).toHaveLength(4);
    }
  }, 60_000);

  it('carries the calibrated verdict and the prosody on analyze and on protect (original and protected)', async () => {
    const models = new ModelStore();
    const report = await job((ctx) => models.load({ baseUrl: `${base}/with/`, which: ['evaluators'] }, ctx));
    expect(report.evaluators!.cueEmotion).toEqual(
      parseCueEmotionModel(JSON.parse(readFileSync('public/models/cue-emotion.json', 'utf8'))),
    );
    const wave = syntheticClip(3, 1.5);
    const a = await job((ctx) => analyzeClip(models, { wave }, ctx));
    expect(a.prosody).toEqual(prosodyCues(wave));
    expect(a.domain).not.toBeNull();
    const s = a.domain!.signals;
    expect(s.serMaxProb).toBeCloseTo(Math.max(...a.probabilities), 6);
    expect(s.duration).toBeCloseTo(1.5, 6);
    expect(a.domain).toEqual(assessDomain(s, calibration));

    const r = await job((ctx) => protectClip(models, { wave, method: 'pitch', budgetDb: 15 }, ctx));
    expect(r.original!.domain).toEqual(a.domain);
    expect(r.original!.prosody).toEqual(a.prosody);
    expect(r.protected!.prosody).toEqual(prosodyCues(r.wave));
    expect(r.protected!.domain).not.toBeNull();
    expect(r.protected!.domain!.signals.duration).toBeCloseTo(1.5, 6);
  }, 60_000);

  it('says no speech for silence and for a steady tone', async () => {
    const models = new ModelStore();
    await job((ctx) => models.load({ baseUrl: `${base}/with/`, which: ['evaluators'] }, ctx));
    const silent = await job((ctx) => analyzeClip(models, { wave: new Float32Array(16000) }, ctx));
    expect(silent.domain!.verdict).toBe('no-speech');
    expect(silent.prosody).toBeNull();
    const tone = Float32Array.from({ length: 32000 }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 440 * i) / 16000));
    const t = await job((ctx) => analyzeClip(models, { wave: tone }, ctx));
    expect(t.domain!.verdict).toBe('no-speech');
    expect(t.domain!.reasons[0]).toMatch(/steady tone/);
  }, 60_000);
});
