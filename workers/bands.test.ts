/**
 * The shipped generator with further weights by budget (bands.json), loaded the way the app loads it: the weights
 * that protect follow the budget, each result names them, and each weight set's claims count only where it is used.
 */
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineFixtures, syntheticClip } from '../e2e/engine-fixtures';
import { generatorFromArtifacts, type AclipseGenerator, type GeneratorModelJson } from '../src/core/aclipse/model';
import { BANDS_FORMAT } from '../src/core/bands';
import { initTf } from '../src/core/node/tf';
import { JobRegistry, type JobContext } from './jobs';
import { ModelStore } from './models';
import { protectClip } from './protect';
import { serveFixtures, type FixtureServer } from './test-server';

let dir: string;
let server: FixtureServer;
let high: AclipseGenerator;
const registry = new JobRegistry();
let n = 0;
const job = <R>(body: (ctx: JobContext) => Promise<R>) => registry.run(`b${++n}`, () => undefined, body);

const claim = (budgetDb: number, attacker: string) => ({
  attacker,
  set: 'real',
  clips: 3,
  budgetDb,
  cleanWer: 0.1,
  protectedWer: 0.9,
  noiseWer: 0.2,
  command: 'fixture',
  date: null,
});

function writeClaims(folder: string, claims: object[]): void {
  const sha = createHash('sha256')
    .update(readFileSync(join(folder, 'weights.bin')))
    .digest('hex');
  writeFileSync(
    join(folder, 'claims.json'),
    JSON.stringify({ format: 'aclipse-claims/1', weightsSha256: sha, claims }),
  );
}

beforeAll(async () => {
  await initTf('wasm');
  const fx = await engineFixtures();
  dir = mkdtempSync(join(tmpdir(), 'aclipse-bands-'));
  cpSync(fx.modelsDir, join(dir, 'models'), { recursive: true });
  const shipped = join(dir, 'models', 'aclipse');
  // The further weights: the shipped ones with every weight negated, so they protect differently.
  const modelJson = JSON.parse(readFileSync(join(shipped, 'model.json'), 'utf8')) as GeneratorModelJson;
  const w = new Float32Array(new Uint8Array(readFileSync(join(shipped, 'weights.bin'))).buffer).map((v) => -v);
  cpSync(join(shipped, 'model.json'), join(shipped, 'high', 'model.json'));
  writeFileSync(join(shipped, 'high', 'weights.bin'), new Uint8Array(w.buffer));
  high = generatorFromArtifacts({ modelJson, weights: w.buffer });
  writeClaims(shipped, [claim(10, 'base at 10'), claim(20, 'base at 20')]);
  writeClaims(join(shipped, 'high'), [claim(10, 'high at 10'), claim(20, 'high at 20')]);
  const bands = { format: BANDS_FORMAT, bands: [{ fromDb: 15, path: 'high', label: 'trained high', why: 'val' }] };
  writeFileSync(join(shipped, 'bands.json'), JSON.stringify(bands));
  server = await serveFixtures({ models: join(dir, 'models') });
}, 120_000);

afterAll(() => {
  server?.close();
  high?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('shipped weights by budget', () => {
  const models = new ModelStore();

  it('loads the bands, keeping each weight set’s claims only at the budgets it serves', async () => {
    const report = await job((ctx) => models.load({ baseUrl: `${server.base}/models/` }, ctx));
    expect(report.generatorProblem).toBeNull();
    const g = report.generators.find((x) => x.id === 'shipped')!;
    expect(g.bands.map((b) => [b.fromDb, b.label])).toEqual([[15, 'trained high']]);
    expect(g.bands[0]!.bytes).toBeGreaterThan(0);
    expect(g.claims.map((c) => c.attacker).sort()).toEqual(['base at 10', 'high at 20']);
  }, 60_000);

  it('protects with the base weights below the threshold and the band’s from it, naming them', async () => {
    const wave = syntheticClip(2, 1);
    const low = await job((ctx) => protectClip(models, { wave, method: 'aclipse', budgetDb: 12, analyze: false }, ctx));
    expect(low.band).toBeNull();
    const hi = await job((ctx) => protectClip(models, { wave, method: 'aclipse', budgetDb: 18, analyze: false }, ctx));
    expect(hi.band).toEqual({ fromDb: 15, label: 'trained high' });
    expect(hi.generatorId).toBe('shipped');
    expect(hi.snrDb).toBeGreaterThanOrEqual(18 - 1e-3);
    expect(hi.wave).toEqual((await high.protect(wave, 18)).wave);
    expect(hi.wave).not.toEqual((await models.getGenerator('shipped').protect(wave, 18)).wave);
    // spans too: the band is chosen by the user's budget
    const spans = await job((ctx) =>
      protectClip(
        models,
        { wave, method: 'aclipse', budgetDb: 18, analyze: false, spans: [{ start: 0.2, end: 0.6 }] },
        ctx,
      ),
    );
    expect(spans.band?.label).toBe('trained high');
  }, 60_000);

  it('does not grow the tensor count over repeated protections and reloads', async () => {
    const wave = syntheticClip(3, 0.5);
    await job((ctx) => protectClip(models, { wave, method: 'aclipse', budgetDb: 20, analyze: false }, ctx));
    const before = tf.memory().numTensors;
    for (let i = 0; i < 2; i++) {
      await job((ctx) => protectClip(models, { wave, method: 'aclipse', budgetDb: 20, analyze: false }, ctx));
      await job((ctx) => models.load({ baseUrl: `${server.base}/models/`, which: ['generator'], reload: true }, ctx));
    }
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);

  it('refuses a broken bands.json instead of silently protecting with other weights', async () => {
    writeFileSync(join(dir, 'models', 'aclipse', 'bands.json'), JSON.stringify({ format: BANDS_FORMAT, bands: [{}] }));
    const report = await job((ctx) => new ModelStore().load({ baseUrl: `${server.base}/models/` }, ctx));
    expect(report.activeGenerator).toBeNull();
    expect(report.generatorProblem).toMatch(/bands\.json/);
  }, 60_000);
});
