/**
 * Engine features on forced WebGPU (SwiftShader here: correct but slow, so inputs are tiny and one page serves the
 * whole file, compiling each shader once). Every result carries the backend tfjs reports after running, so a silent
 * fallback to wasm fails these tests.
 */
import { existsSync, readFileSync } from 'node:fs';
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import type { JobProgress } from '../src/engine/api';
import { engineFixtures, type EngineFixtures } from './engine-fixtures';
import { openEnginePage, type DebugWindow } from './engine-helpers';
import { waitForEngine } from './helpers';

test.describe.configure({ mode: 'serial' });
// One page serves the whole file; Playwright's per-test trace chunks break on a context that outlives a test.
test.use({ trace: 'off' });

let fx: EngineFixtures;
let context: BrowserContext;
let page: Page;

test.beforeAll(async ({ browser }) => {
  test.setTimeout(240_000);
  fx = await engineFixtures();
  ({ context, page } = await openEnginePage(browser, fx, 'webgpu'));
});

test.afterAll(async () => context?.close());

test('the evaluators give the Node (wasm) predictions on WebGPU', async () => {
  test.setTimeout(300_000);
  const ref = fx.reference;
  const out = await page.evaluate(async (clipId: string) => {
    const { engine } = (window as unknown as DebugWindow).__aclipse;
    const demo = await engine.run('openDataset', { source: { kind: 'demo' } });
    const { wave } = await engine.run('datasetClip', { datasetId: demo.id, clipId });
    const a = await engine.run('analyze', { wave });
    return { samples: wave.length, ...a };
  }, ref.clip.id);
  expect(out.backend).toBe('webgpu');
  expect(out.samples).toBe(ref.clip.samples);
  // The random fixture is not degenerate: its probabilities differ, so agreement is a real check.
  expect(Math.max(...ref.probabilities) - Math.min(...ref.probabilities)).toBeGreaterThan(0.05);
  out.probabilities.forEach((p, k) => expect(Math.abs(p - ref.probabilities[k]!), `p[${k}]`).toBeLessThan(2e-3));
  expect(out.emotion).toBe(ref.emotion);
  expect(out.transcriptGreedy).toBe(ref.transcriptGreedy);
  expect(out.transcript).toBe(ref.transcript);
});

test('protects a short demo clip with the generator on WebGPU within the budget', async () => {
  test.setTimeout(300_000);
  const out = await page.evaluate(async () => {
    const { engine } = (window as unknown as DebugWindow).__aclipse;
    const demo = await engine.run('openDataset', { source: { kind: 'demo' } });
    const first = (await engine.run('datasetClips', { datasetId: demo.id, limit: 1 })).clips[0]!;
    const { wave } = await engine.run('datasetClip', { datasetId: demo.id, clipId: first.id });
    const clip = wave.slice(0, 16000);
    const stages: string[] = [];
    const r = await engine.run(
      'protect',
      { wave: clip, method: 'aclipse', budgetDb: 10, spectra: { maxFrames: 32 } },
      {
        onProgress: (p: JobProgress) => stages.push(p.stage),
      },
    );
    let changed = 0;
    for (let i = 0; i < clip.length; i++) if (r.wave[i] !== clip[i]) changed++;
    return {
      n: r.wave.length,
      snr: r.snrDb,
      backend: r.backend,
      generatorId: r.generatorId,
      attention: [r.attention!.so.length, r.attention!.er.length, r.attention!.binHz],
      attentionInRange: [...r.attention!.so, ...r.attention!.er].every((v) => v >= 0 && v <= 1),
      changed,
      analysed: r.original !== null && r.protected !== null && r.intelligibility !== null,
      spectra: [r.spectra!.frames, r.spectra!.bins, r.spectra!.original.length],
      high: r.perturbation.perturbationHighShare,
      stages,
    };
  });
  expect(out.backend).toBe('webgpu');
  expect(out.generatorId).toBe('shipped');
  expect(out.n).toBe(16000);
  expect(out.snr).toBeGreaterThanOrEqual(10);
  // The random heads want a larger change than 10 dB allows, so the budget projection is what stops them.
  expect(out.snr).toBeLessThan(10.1);
  expect(out.changed).toBeGreaterThan(15000);
  expect(out.attention).toEqual([257, 257, 31.25]);
  expect(out.attentionInRange).toBe(true);
  expect(out.analysed).toBe(true);
  expect(out.spectra[1]).toBe(257);
  expect(out.spectra[2]).toBe(out.spectra[0]! * 257);
  expect(out.high).toBeGreaterThanOrEqual(0);
  expect(out.stages).toContain('Protecting');
});

test('the browser trainer runs steps on WebGPU with async readback, reports progress, and stops on cancel', async () => {
  test.setTimeout(420_000);
  const out = await page.evaluate(async (manifest: string) => {
    const { engine } = (window as unknown as DebugWindow).__aclipse;
    const ds = await engine.run('openDataset', { source: { kind: 'url', manifestUrl: manifest } });
    const steps: {
      stage: number;
      epoch: number;
      step: number;
      steps: number;
      ce: number;
      ctc: number;
      total: number;
    }[] = [];
    const c = new AbortController();
    const outcome = await engine
      .run(
        'train',
        {
          datasetId: ds.id,
          stages: [1, 2],
          init: 'active',
          valSplit: null,
          maxClipSeconds: 1,
          config: {
            seed: 3,
            budgetDb: 10,
            subsetSize: 2,
            swapEvery: 5,
            batchSize: 1,
            stage1: { epochs: 5, learningRate: 1e-3, lambda1: -1 },
            stage2: { epochs: 5, learningRate: 1e-5, lambda2: 1, tune: 'er' },
          },
        },
        {
          signal: c.signal,
          onProgress: (p) => {
            if (p.detail?.kind !== 'train-step') return;
            const d = p.detail;
            steps.push({ stage: d.stage, epoch: d.epoch, step: d.step, steps: d.steps, ...d.losses });
            if (steps.length === 3) c.abort();
          },
        },
      )
      .then(
        () => 'finished',
        (e: Error) => e.name,
      );
    const stepsAtCancel = steps.length;
    // The worker stops at its next step; wait for the job to end there.
    let state = await engine.run('trainingState', {});
    for (let i = 0; i < 600 && state?.running; i++) {
      await new Promise((r) => setTimeout(r, 200));
      state = await engine.run('trainingState', {});
    }
    const exported = await engine.run('exportGenerator', { id: 'training' });
    return {
      outcome,
      steps,
      stepsAtCancel,
      state,
      files: exported.files.map((f) => [f.name, f.data.byteLength] as const),
    };
  }, new URL('/e2e-data/manifest.jsonl', page.url()).href);

  expect(out.outcome).toBe('AbortError');
  expect(out.steps.slice(0, 3).map((s) => `${s.stage}:${s.epoch}:${s.step}/${s.steps}`)).toEqual([
    '1:0:0/2',
    '1:0:1/2',
    '1:1:0/2',
  ]);
  for (const s of out.steps) for (const v of [s.ce, s.ctc, s.total]) expect(Number.isFinite(v)).toBe(true);
  // Stage 1's objective: L_CE + λ1·L_CTC with λ1 = −1.
  for (const s of out.steps) expect(s.total).toBeCloseTo(s.ce - s.ctc, 4);
  // It stopped: at most the step in flight ran after the cancel, and the session is kept for a resume.
  expect(out.steps.length).toBeLessThanOrEqual(out.stepsAtCancel + 1);
  expect(out.state).toMatchObject({
    running: false,
    backend: 'webgpu',
    readback: 'async',
    stages: [1, 2],
    trainClips: 4,
  });
  // Epochs have 2 steps. Those finished before the cancel are kept; the one whose last step was in flight is kept
  // only if it completed before the cancel message arrived (the worker checks after every step).
  const finished = out.state!.epochs.length;
  expect(finished).toBeGreaterThanOrEqual(Math.floor(out.stepsAtCancel / 2));
  expect(finished).toBeLessThanOrEqual(Math.floor(out.steps.length / 2));
  expect(out.state!.epochs.map((e) => e.epoch)).toEqual(Array.from({ length: finished }, (_, i) => i));
  expect(out.state!.next).toEqual({ stage: 1, epoch: finished });
  expect(out.files[0]![0]).toBe('model.json');
  expect(out.files[1]![1]).toBeGreaterThan(1000);
});

// The shipped evaluators against the reference the evaluator engineer writes (scripts/evaluators/reference.ts),
// when both exist in this checkout. Runs in its own page: without the fixture routes, /models/ is the real one.
const shippedReference = 'tests/fixtures/evaluator-reference.json';
test('the shipped evaluators match their recorded Node reference on WebGPU', async ({ browser }) => {
  test.skip(
    !existsSync(shippedReference) || !existsSync('dist/models/ser/model.json'),
    'no shipped evaluators or reference yet',
  );
  test.setTimeout(600_000);
  const ref = JSON.parse(readFileSync(shippedReference, 'utf8')) as {
    tolerance: { serLogits: number };
    clip: { id: string; samples: number };
    ser: { probabilities: number[]; emotion: string };
    asr: { greedy: string };
  };
  const ctx = await browser.newContext();
  try {
    const p = await ctx.newPage();
    await p.goto('/?backend=webgpu&debug');
    await waitForEngine(p, 'webgpu', 120_000);
    const out = await p.evaluate(async (clipId: string) => {
      const { engine } = (window as unknown as DebugWindow).__aclipse;
      const models = await engine.run('loadModels', {});
      if (!models.evaluators) return { problem: models.evaluatorsProblem };
      const demo = await engine.run('openDataset', { source: { kind: 'demo' } });
      const { wave } = await engine.run('datasetClip', { datasetId: demo.id, clipId });
      return { problem: null, samples: wave.length, ...(await engine.run('analyze', { wave })) };
    }, ref.clip.id);
    expect(out.problem).toBeNull();
    if (!('backend' in out)) return;
    expect(out.backend).toBe('webgpu');
    expect(out.samples).toBe(ref.clip.samples);
    out.probabilities.forEach((q, k) =>
      expect(Math.abs(q - ref.ser.probabilities[k]!)).toBeLessThan(ref.tolerance.serLogits),
    );
    expect(out.emotion).toBe(ref.ser.emotion);
    expect(out.transcriptGreedy).toBe(ref.asr.greedy);
  } finally {
    await ctx.close();
  }
});
