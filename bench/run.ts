/**
 * npm run bench [-- --no-browser] [--seconds 10] [--reps 3]
 *
 * Speed and memory of the core operations, measured on every available backend in one run and printed as ratios:
 *  - Node: wasm vs cpu for the generator (protect a clip), the evaluators (analyse a clip) and one Aclipse training
 *    step; the generator's real-time factor on wasm (the product goal: ≥ 50× real time for a 10 s clip); the prosody
 *    cues every analysis adds (plain TypeScript).
 *  - Browser (when /usr/bin/chromium and a production build in dist/ exist): the engine worker's protect on WebGPU
 *    vs wasm, through the app itself. On this CI machine WebGPU is SwiftShader (software), so expect it to lose there;
 *    on a real GPU it is the fast path.
 *  - First visit (browser, bench/first-visit.ts): bytes downloaded before the user acts and up to the end of the
 *    first Protect, and the page chunk's gzip size, against their goals (≤ 4 MB, ≤ 300 kB).
 *    `npm run bench -- --first-visit` runs only this part.
 *  - Live (Node, wasm, bench/live.ts): streaming protection in the page's 16 ms blocks: time per block against the
 *    block's duration, load on one core (goal < 50 %), added latency (goal ≤ 200 ms), distance from whole-clip
 *    protection. `npm run bench -- --live` runs only this part.
 * Uses the shipped weights in public/models when present (same shapes as training), random weights otherwise.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { AclipseGenerator } from '../src/core/aclipse/model';
import { AclipseTrainer, PAPER_CONFIG } from '../src/core/aclipse/trainer';
import { prosodyCues } from '../src/core/cues/emotion';
import type { TrainingClip } from '../src/core/data/clip';
import { AsrModel, SerModel } from '../src/core/ml/models';
import { modelFromArtifacts } from '../src/core/ml/weights';
import { readModelDir } from '../src/core/node/io';
import { initTf } from '../src/core/node/tf';
import { readGeneratorDir } from '../scripts/aclipse/common';
import { numberFlag, parseFlags } from '../scripts/flags';
import { withPreviewBrowser } from '../scripts/preview';
import { firstVisitBench, printFirstVisit } from './first-visit';
import { liveBench, liveDemoWer, printLive } from './live';

type Row = { op: string; backend: string; ms: number; extra?: string };

function testSignal(seconds: number, seed = 1): Float32Array {
  const n = Math.round(seconds * 16000);
  const x = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const f0 = 120 + 30 * Math.sin(i / 8000);
    let v = 0;
    for (let h = 1; h <= 8; h++) v += Math.sin((2 * Math.PI * f0 * h * i) / 16000) / h;
    x[i] = 0.2 * v * (0.6 + 0.4 * Math.sin(i / 1500)) + 0.01 * (s / 2147483648 - 0.5);
  }
  return x;
}

async function time(reps: number, fn: () => Promise<void>): Promise<number> {
  await fn(); // warm-up: kernel setup and first-call costs are not what we measure
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) await fn();
  return (performance.now() - t0) / reps;
}

async function loadModels(): Promise<{ gen: AclipseGenerator; ser: SerModel; asr: AsrModel; shipped: string[] }> {
  const shipped: string[] = [];
  let gen: AclipseGenerator;
  if (existsSync('public/models/aclipse/model.json')) {
    gen = await readGeneratorDir('public/models/aclipse');
    shipped.push('aclipse');
  } else gen = new AclipseGenerator();
  let ser: SerModel;
  let asr: AsrModel;
  if (existsSync('public/models/ser/model.json') && existsSync('public/models/asr/model.json')) {
    ser = modelFromArtifacts(await readModelDir('public/models/ser'), 'ser');
    asr = modelFromArtifacts(await readModelDir('public/models/asr'), 'asr');
    shipped.push('ser', 'asr');
  } else {
    ser = new SerModel();
    asr = new AsrModel();
  }
  return { gen, ser, asr, shipped };
}

async function nodeBench(backend: 'wasm' | 'cpu', seconds: number, reps: number): Promise<Row[]> {
  await initTf(backend);
  const rows: Row[] = [];
  const { gen, ser, asr, shipped } = await loadModels();
  const clip = testSignal(seconds);
  const r = backend === 'cpu' ? 1 : reps;
  const protectMs = await time(r, async () => {
    await gen.protect(clip, gen.config.budgetDb);
  });
  rows.push({
    op: `protect ${seconds} s clip`,
    backend,
    ms: protectMs,
    extra: `${((seconds * 1000) / protectMs).toFixed(0)}× real time`,
  });
  const x = tf.tensor2d(clip, [1, clip.length]);
  // Each evaluator alone: what reading a clip costs, and what the browser downloads and builds before it can.
  for (const [kind, model] of [
    ['SER', ser],
    ['ASR', asr],
  ] as const) {
    const ms = await time(r, async () => {
      const out = tf.tidy(() =>
        model instanceof SerModel
          ? tf.softmax(model.forward(x, [clip.length]))
          : model.forward(x, [clip.length]).logits,
      );
      await out.data();
      out.dispose();
    });
    const dir = `public/models/${kind.toLowerCase()}`;
    let load = '';
    if (shipped.includes(kind.toLowerCase())) {
      const t0 = performance.now();
      const art = await readModelDir(dir);
      const again = modelFromArtifacts(art, kind === 'SER' ? 'ser' : 'asr');
      load = `; ${(art.weightData.byteLength / 1e6).toFixed(2)} MB weights, built in ${(performance.now() - t0).toFixed(0)} ms`;
      again.dispose();
    }
    rows.push({
      op: `${kind} on ${seconds} s clip`,
      backend,
      ms,
      extra: `${((seconds * 1000) / ms).toFixed(0)}× real time${load}`,
    });
  }
  x.dispose();
  if (backend === 'wasm') {
    // Plain TypeScript, no tfjs: what the worker adds to every analysis for the emotion relative to the voice.
    const ms = await time(r, async () => {
      prosodyCues(clip);
    });
    rows.push({
      op: `prosody cues on ${seconds} s clip`,
      backend: 'js',
      ms,
      extra: `${((seconds * 1000) / ms).toFixed(0)}× real time`,
    });
  }
  const batch: TrainingClip[] = [0, 1, 2, 3].map((i) => ({
    id: `b${i}`,
    samples: testSignal(1.5, i + 2),
    emotion: i,
    text: 'the quick brown fox jumps',
  }));
  const trainer = new AclipseTrainer(
    gen,
    {
      ser: (w, l) => ser.forward(w, l),
      asr: (w, l) => {
        const o = asr.forward(w, l);
        return { logits: o.logits, lengths: o.outLengths };
      },
    },
    { ...PAPER_CONFIG, batchSize: 4 },
    { readback: 'sync' },
  );
  let step = 0;
  const stepMs = await time(backend === 'cpu' ? 1 : Math.max(1, Math.floor(reps / 2)), async () => {
    await trainer.step(1, batch, step++);
  });
  rows.push({ op: 'Aclipse stage-1 step (4 × 1.5 s)', backend, ms: stepMs });
  const mem = tf.memory();
  rows.push({
    op: 'tensors held after the runs',
    backend,
    ms: NaN,
    extra: `${mem.numTensors} tensors, ${(mem.numBytes / 1e6).toFixed(1)} MB`,
  });
  trainer.dispose();
  gen.dispose();
  ser.dispose();
  asr.dispose();
  if (shipped.length === 0) rows.forEach((row) => (row.extra = `${row.extra ?? ''} (random weights)`.trim()));
  return rows;
}

/** Runs in the page (through ?debug's window.__aclipse): loads the models, protects a synthetic clip 3 times. */
const PAGE_PROTECT_BENCH = `async (secs) => {
  for (let i = 0; i < 600 && !window.__aclipse; i++) await new Promise((r) => setTimeout(r, 100));
  const engine = window.__aclipse.engine;
  const models = await engine.run('loadModels', {});
  const n = Math.round(secs * 16000);
  const wave = new Float32Array(n).map((_, i) => 0.2 * Math.sin(i / 7) * (0.6 + 0.4 * Math.sin(i / 1500)));
  const method = models.activeGenerator ? 'aclipse' : 'noise';
  const once = async () => {
    const t0 = performance.now();
    const r = await engine.run('protect', { wave, method, budgetDb: 10, analyze: false });
    return { ms: performance.now() - t0, backend: String(r.backend ?? '') };
  };
  await once(); // shader compilation / first-call costs
  const a = await once();
  const b = await once();
  return { method, ms: (a.ms + b.ms) / 2, backend: b.backend };
}`;

async function browserBench(seconds: number): Promise<Row[]> {
  return withPreviewBrowser(4399, async (browser, origin) => {
    const rows: Row[] = [];
    for (const backend of ['wasm', 'webgpu'] as const) {
      const page = await browser.newPage();
      await page.goto(`${origin}/?debug&backend=${backend}`);
      // A string, not a function: tsx compiles with keepNames, whose __name helper does not exist in the page.
      const out = (await page.evaluate(`(${PAGE_PROTECT_BENCH})(${seconds})`)) as {
        method: string;
        ms: number;
        backend: string;
      };
      rows.push({
        op: `browser protect ${seconds} s (${out.method})`,
        backend: `${backend}${out.backend && out.backend !== backend ? ` (ran on ${out.backend}!)` : ''}`,
        ms: out.ms,
      });
      await page.close();
    }
    return rows;
  });
}

function printRows(rows: Row[]): void {
  const ops = [...new Set(rows.map((r) => r.op))];
  for (const op of ops) {
    const rs = rows.filter((r) => r.op === op);
    for (const r of rs)
      console.log(
        `${op.padEnd(36)} ${r.backend.padEnd(8)} ${Number.isFinite(r.ms) ? `${r.ms.toFixed(1)} ms`.padStart(12) : ''.padStart(12)}  ${r.extra ?? ''}`,
      );
    const timed = rs.filter((r) => Number.isFinite(r.ms));
    if (timed.length === 2) {
      const [a, b] = timed;
      console.log(
        `${''.padEnd(36)} ratio ${b.backend}/${a.backend} = ${(b.ms / a.ms).toFixed(2)}× (how much slower ${b.backend} is)`,
      );
    }
  }
}

async function main(): Promise<void> {
  const { flags } = parseFlags(process.argv.slice(2));
  const seconds = numberFlag(flags, 'seconds') ?? 10;
  const reps = numberFlag(flags, 'reps') ?? 3;
  console.log(`Aclipse Web benchmark (${new Date().toISOString()}), Node ${process.version}`);
  const browserReady = existsSync('/usr/bin/chromium') && existsSync('dist/index.html');
  if (flags['first-visit'] === true) {
    if (!browserReady) throw new Error('--first-visit needs /usr/bin/chromium and `npm run build`');
    printFirstVisit(await firstVisitBench());
    return;
  }
  const live = async () => {
    await initTf('wasm');
    const { gen, ser, asr, shipped } = await loadModels();
    ser.dispose();
    printLive(await liveBench(gen, testSignal(seconds), gen.config.budgetDb));
    if (shipped.length === 3 && existsSync('public/demo/manifest.jsonl'))
      console.log(`  ${await liveDemoWer(gen, asr, gen.config.budgetDb)}`);
    asr.dispose();
    gen.dispose();
  };
  if (flags.live === true) return live();
  const rows = [...(await nodeBench('wasm', seconds, reps)), ...(await nodeBench('cpu', seconds, reps))];
  printRows(rows);
  console.log('');
  await live();
  if (flags['no-browser'] !== true) {
    if (!existsSync('/usr/bin/chromium') || !existsSync('dist/index.html')) {
      console.log('\nbrowser: skipped (needs /usr/bin/chromium and `npm run build`)');
    } else {
      console.log('');
      printRows(await browserBench(Math.min(seconds, 3)));
      console.log('');
      printFirstVisit(await firstVisitBench());
    }
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
