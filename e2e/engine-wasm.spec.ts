/**
 * Engine features on the default CPU backend (wasm), through the typed client as the UI uses it: model loading
 * with progress and the missing-weights report, datasets from the demo set and from user files, protect/spectra,
 * evaluation, and a leak guard over 50 protect calls.
 */
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import type { JobProgress } from '../src/engine/api';
import { engineFixtures, type EngineFixtures } from './engine-fixtures';
import { openEnginePage, type DebugWindow } from './engine-helpers';

test.describe.configure({ mode: 'serial' });
// One page serves the whole file; Playwright's per-test trace chunks break on a context that outlives a test.
test.use({ trace: 'off' });

let fx: EngineFixtures;
let context: BrowserContext;
let page: Page;
let served: string[];

test.beforeAll(async ({ browser }) => {
  test.setTimeout(180_000);
  fx = await engineFixtures();
  ({ context, page, served } = await openEnginePage(browser, fx, 'wasm'));
});

test.afterAll(async () => context?.close());

test('missing protection weights are reported, never faked', async () => {
  const report = await page.evaluate(async () => {
    const { engine } = (window as unknown as DebugWindow).__aclipse;
    const models = await engine.run('loadModels', {
      baseUrl: new URL('/no-models-here/', location.href).href,
      reload: true,
    });
    const protect = await engine
      .run('protect', {
        wave: new Float32Array(16000).map((_, i) => 0.1 * Math.sin(i / 5)),
        method: 'aclipse',
        budgetDb: 10,
      })
      .then(
        () => 'protected',
        (e: Error) => e.message,
      );
    return { models, protect };
  });
  expect(report.models.evaluators).toBeNull();
  expect(report.models.evaluatorsProblem).toMatch(/evaluator weights .* are not installed/);
  expect(report.models.generatorProblem).toMatch(/Aclipse protection weights are not installed/);
  expect(report.models.activeGenerator).toBeNull();
  expect(report.protect).toMatch(/protection weights are not installed/);
});

test('loads the models with byte progress and reports what is loaded', async () => {
  const { report, progress } = await page.evaluate(async () => {
    const { engine } = (window as unknown as DebugWindow).__aclipse;
    const progress: JobProgress[] = [];
    const report = await engine.run('loadModels', { reload: true }, { onProgress: (p) => progress.push(p) });
    return { report, progress };
  });
  // The worker's fetches went through our fixture routes (the app's own /models/ path).
  expect(served).toEqual(
    expect.arrayContaining(['/models/ser/model.json', '/models/asr/weights.bin', '/models/aclipse/weights.bin']),
  );
  expect(report.evaluatorsProblem).toBeNull();
  expect(report.evaluators!.ser.metrics).toEqual({ val: { wa: 0.25, ua: 0.25 } });
  expect(report.evaluators!.asr.parameters).toBeGreaterThan(1000);
  expect(report.evaluators!.lexiconWords).toBe(10);
  expect(report.activeGenerator).toBe('shipped');
  expect(report.generators[0]).toMatchObject({
    id: 'shipped',
    origin: 'shipped',
    config: { budgetDb: 10, so: { hidden: 8 } },
  });
  const details = progress.flatMap((p) => (p.detail?.kind === 'model-load' ? [p.detail] : []));
  // the fixture generator has one band (bands.json): its weights load once, after the base weights
  for (const m of ['ser', 'asr', 'aclipse', 'aclipse-bands'] as const) {
    const done = details.filter((d) => d.model === m && d.done);
    expect(done.length, `${m} finished loading`).toBe(1);
    expect(done[0]!.loadedBytes).toBe(done[0]!.totalBytes);
  }
});

test('opens the demo set and user files, and protects a demo clip with Aclipse and a baseline', async () => {
  const out = await page.evaluate(async (manifest: string) => {
    const { engine } = (window as unknown as DebugWindow).__aclipse;
    const demo = await engine.run('openDataset', { source: { kind: 'demo' } });
    const page1 = await engine.run('datasetClips', { datasetId: demo.id, split: 'test', limit: 3 });
    const { clip, wave } = await engine.run('datasetClip', { datasetId: demo.id, clipId: page1.clips[0]!.id });
    const results = [];
    for (const method of ['aclipse', 'mcadams'] as const) {
      const r = await engine.run('protect', {
        wave,
        method,
        budgetDb: 15,
        referenceText: clip.text ?? undefined,
        spectra: { maxFrames: 64 },
      });
      results.push({
        method,
        n: r.wave.length,
        snr: r.snrDb,
        backend: r.backend,
        attention: r.attention ? r.attention.so.length : null,
        emotion: r.protected?.emotion,
        referenceKind: r.intelligibility?.referenceKind,
        alignment: r.intelligibility?.alignment.length ?? 0,
        werRate: r.intelligibility?.wer.rate,
        high: r.perturbation.perturbationHighShare,
        spectra: r.spectra && {
          frames: r.spectra.frames,
          bins: r.spectra.bins,
          len: r.spectra.difference.length,
          range: r.spectra.maxDb - r.spectra.minDb,
        },
      });
    }
    // A folder the user picked: the same fixture dataset as File objects with relative paths.
    const files: { path: string; file: File }[] = [];
    const text = await (await fetch(manifest)).text();
    files.push({ path: 'set/manifest.jsonl', file: new File([text], 'manifest.jsonl') });
    for (const line of text.trim().split('\n')) {
      const p = (JSON.parse(line) as { path: string }).path;
      files.push({
        path: `set/${p}`,
        file: new File([await (await fetch(new URL(p, manifest))).arrayBuffer()], p.split('/').pop()!),
      });
    }
    const user = await engine.run('openDataset', { source: { kind: 'files', files } });
    return { demo, clipSamples: wave.length, clip, results, user };
  }, new URL('/e2e-data/manifest.jsonl', page.url()).href);

  // 12 held-out test clips plus the small train/val split the Train tab uses.
  expect(out.demo.clips).toBe(56);
  expect(out.demo.bySplit).toEqual({ test: 12, train: 32, val: 12 });
  expect(out.demo.byEmotion).toEqual({ neutral: 14, sad: 14, happy: 14, angry: 14 });
  expect(out.clipSamples).toBeCloseTo(out.clip.duration! * 16000, -2);
  for (const r of out.results) {
    expect(r.n).toBe(out.clipSamples);
    expect(r.snr).toBeGreaterThanOrEqual(15);
    expect(r.backend).toBe('wasm');
    expect(r.referenceKind).toBe('given-text');
    expect(r.alignment).toBeGreaterThan(0);
    expect(r.spectra).toMatchObject({ bins: 257, range: 90 });
    expect(r.spectra!.frames).toBeLessThanOrEqual(64);
    expect(r.spectra!.len).toBe(r.spectra!.frames * 257);
  }
  expect(out.results[0]!.attention).toBe(257);
  expect(out.results[1]!.attention).toBeNull();
  expect(out.user).toMatchObject({ name: 'set', format: 'manifest', clips: 7, bySplit: { train: 4, val: 2, test: 1 } });
});

test('evaluates methods over a dataset split with per-clip progress, and cancels', async () => {
  const out = await page.evaluate(async (manifest: string) => {
    const { engine } = (window as unknown as DebugWindow).__aclipse;
    const ds = await engine.run('openDataset', { source: { kind: 'url', manifestUrl: manifest } });
    const rows: number[] = [];
    const result = await engine.run(
      'evaluate',
      { datasetId: ds.id, split: 'train', methods: ['original', 'aclipse', 'lowpass4k'], budgetDb: 10 },
      { onProgress: (p) => p.detail?.kind === 'evaluate-row' && rows.push(p.detail.done) },
    );
    const c = new AbortController();
    const cancelled = engine
      .run(
        'evaluate',
        { datasetId: ds.id, split: null, methods: ['aclipse', 'pitch'], budgetDb: 10 },
        {
          signal: c.signal,
          onProgress: (p) => p.detail?.kind === 'evaluate-row' && c.abort(),
        },
      )
      .then(
        () => 'finished',
        (e: Error) => e.name,
      );
    return { result, rows, cancelled: await cancelled };
  }, new URL('/e2e-data/manifest.jsonl', page.url()).href);
  expect(out.rows).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
  expect(out.result.rows).toHaveLength(12);
  expect(out.result.summaries.map((s) => s.method)).toEqual(['original', 'aclipse', 'lowpass4k']);
  const aclipse = out.result.summaries[1]!;
  expect(aclipse.clips).toBe(4);
  expect(aclipse.meanSnrDb!).toBeGreaterThanOrEqual(10);
  expect(aclipse.confusion.flat().reduce((a, b) => a + b, 0)).toBe(4);
  expect(aclipse.wer.refLength).toBe(11);
  expect(out.result.backend).toBe('wasm');
  expect(out.cancelled).toBe('AbortError');
});

test('a 10-minute clip is protected, analysed and shown (the generator and evaluators work in pieces)', async () => {
  test.setTimeout(300_000);
  const out = await page.evaluate(async () => {
    const { engine } = (window as unknown as DebugWindow).__aclipse;
    const n = 600 * 16000;
    const wave = new Float32Array(n);
    for (let i = 0; i < n; i++)
      wave[i] = 0.2 * Math.sin((2 * Math.PI * 150 * i) / 16000) * (0.6 + 0.4 * Math.sin((2 * Math.PI * 3 * i) / 16000));
    const fractions: number[] = [];
    const r = await engine.run(
      'protect',
      { wave, method: 'aclipse', budgetDb: 10, spectra: { maxFrames: 400 } },
      {
        onProgress: (p) => p.fraction !== null && fractions.push(p.fraction),
      },
    );
    return {
      n: r.wave.length,
      snr: r.snrDb,
      frames: r.spectra!.frames,
      seconds: r.spectra!.secondsPerFrame * r.spectra!.frames,
      transcript: r.original!.transcript.length,
      timing: r.timing,
      monotone: fractions.every((f, i) => i === 0 || f >= fractions[i - 1]!),
      steps: fractions.length,
    };
  });
  console.log(`10-min clip on wasm (fixture models): ${JSON.stringify(out.timing)}`);
  expect(out.n).toBe(600 * 16000);
  expect(out.snr).toBeGreaterThanOrEqual(10);
  expect(out.frames).toBeLessThanOrEqual(400);
  expect(out.seconds).toBeGreaterThan(599);
  expect(out.transcript).toBeGreaterThan(0);
  expect(out.monotone).toBe(true);
  // One progress report per 20-s generator piece at least.
  expect(out.steps).toBeGreaterThanOrEqual(30);
});

test('50 protect calls leave the number of tensors unchanged', async () => {
  test.setTimeout(180_000);
  const out = await page.evaluate(async () => {
    const { engine } = (window as unknown as DebugWindow).__aclipse;
    const wave = new Float32Array(16000).map(
      (_, i) => 0.2 * Math.sin((2 * Math.PI * 180 * i) / 16000) * (1 + Math.sin(i / 900)),
    );
    await engine.run('protect', { wave, method: 'aclipse', budgetDb: 10 });
    const before = await engine.memory();
    let minSnr = Infinity;
    for (let i = 0; i < 50; i++) {
      const r = await engine.run('protect', { wave, method: 'aclipse', budgetDb: 10, analyze: i % 10 === 0 });
      minSnr = Math.min(minSnr, r.snrDb);
    }
    await engine.run('analyze', { wave });
    const after = await engine.memory();
    return { before, after, minSnr };
  });
  expect(out.before.numTensors).toBeGreaterThan(0);
  expect(out.after.numTensors).toBe(out.before.numTensors);
  expect(out.minSnr).toBeGreaterThanOrEqual(10);
});
