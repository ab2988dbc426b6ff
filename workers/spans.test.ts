/**
 * Span protection and live protection in the worker (Node, tfjs wasm, the e2e fixture models): outside the spans
 * every sample is the original, inside each span the budget holds; a live session streamed in blocks keeps the
 * budget and returns the original it protected.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineFixtures, syntheticClip } from '../e2e/engine-fixtures';
import { snrDb } from '../src/core/analysis';
import { initTf } from '../src/core/node/tf';
import { JobRegistry, type JobContext } from './jobs';
import { LiveService } from './live';
import { ModelStore } from './models';
import { protectClip } from './protect';
import { serveFixtures, type FixtureServer } from './test-server';

const SR = 16000;
const registry = new JobRegistry();
let n = 0;
const job = <R>(body: (ctx: JobContext) => Promise<R>) => registry.run(`s${++n}`, null, body);
let server: FixtureServer;
const models = new ModelStore();

beforeAll(async () => {
  await initTf('wasm');
  const fx = await engineFixtures();
  server = await serveFixtures({ models: fx.modelsDir, data: fx.datasetDir }, 'spa');
  await job((ctx) => models.load({ baseUrl: `${server.base}/models/` }, ctx));
}, 120_000);

afterAll(() => server?.close());

describe('span protection in the engine', () => {
  it('leaves every sample outside the spans bit for bit and holds the budget inside each span', async () => {
    const wave = syntheticClip(2, 2.5);
    const spans = [
      { start: 1.6, end: 2.1 },
      { start: 0.3, end: 0.8 },
    ];
    for (const method of ['aclipse', 'noise'] as const) {
      const r = await job((ctx) => protectClip(models, { wave, method, budgetDb: 10, spans }, ctx));
      expect(r.spans!.map((s) => [s.start, s.end])).toEqual([
        [0.3, 0.8],
        [1.6, 2.1],
      ]);
      const inside = (i: number) => r.spans!.some((s) => i >= Math.round(s.start * SR) && i < Math.round(s.end * SR));
      let changedInside = 0;
      for (let i = 0; i < wave.length; i++) {
        if (!inside(i)) expect(r.wave[i]).toBe(wave[i]);
        else if (r.wave[i] !== wave[i]) changedInside++;
      }
      expect(changedInside).toBeGreaterThan(0.5 * SR);
      for (const s of r.spans!) {
        const a = Math.round(s.start * SR);
        const b = Math.round(s.end * SR);
        const measured = snrDb(wave.subarray(a, b), r.wave.subarray(a, b));
        expect(measured).toBeGreaterThanOrEqual(10);
        expect(s.snrDb).toBeCloseTo(measured, 6);
        // What the recognizer heard in the span: strings (maybe empty) from the timed words, never missing.
        expect(typeof s.before).toBe('string');
        expect(typeof s.after).toBe('string');
      }
      expect(r.snrDb).toBeGreaterThan(Math.min(...r.spans!.map((s) => s.snrDb)));
      expect(Array.isArray(r.original!.words)).toBe(true);
      for (const w of r.original!.words!) expect(w.end).toBeGreaterThan(w.start);
      // The words to pick are the transcript's own (force-aligned), not the greedy path's.
      expect(r.original!.words!.map((w) => w.word).join(' ')).toBe(r.original!.transcript);
    }
  }, 120_000);

  it('refuses spans outside the clip with a reason', async () => {
    const wave = syntheticClip(3, 1);
    await expect(
      job((ctx) => protectClip(models, { wave, method: 'noise', budgetDb: 10, spans: [{ start: 2, end: 3 }] }, ctx)),
    ).rejects.toThrow(/after the clip ends/);
  });
});

describe('live protection in the engine', () => {
  it('protects a stream of blocks within the budget and returns the original beside it', async () => {
    const wave = syntheticClip(4, 2);
    const live = new LiveService(models);
    const s = live.start({ method: 'aclipse', budgetDb: 10 });
    expect(s.algorithmicLatencyS).toBeCloseTo(0.088, 3);
    const orig = new Float32Array(wave.length);
    const prot = new Float32Array(wave.length);
    for (let i = 0; i < wave.length; i += 2048) {
      const r = await live.push({ sessionId: s.sessionId, block: wave.slice(i, i + 2048) });
      if (r.chunk) {
        orig.set(r.chunk.original, r.chunk.start);
        prot.set(r.chunk.protected, r.chunk.start);
      }
    }
    const end = await live.stop(s.sessionId);
    if (end.chunk) {
      orig.set(end.chunk.original, end.chunk.start);
      prot.set(end.chunk.protected, end.chunk.start);
    }
    expect(end.report.samplesOut).toBe(wave.length);
    expect(orig).toEqual(wave);
    expect(snrDb(wave, prot)).toBeGreaterThanOrEqual(10);
    expect(snrDb(wave, prot)).toBeLessThan(40); // it did protect
    await expect(live.push({ sessionId: s.sessionId, block: wave })).rejects.toThrow(/ended/);
  }, 120_000);
});
