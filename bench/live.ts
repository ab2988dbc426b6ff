/**
 * Live protection cost on wasm (Node, one thread, the shipped generator): a clip fed in the blocks the page's
 * AudioWorklet posts, through the same LiveProtector the worker runs. Reports per-block processing time against
 * the block's duration, the load (processing time / audio time: < 0.5 means under half of one core), an
 * end-to-end latency estimate, and how far the streamed result is from protecting the whole clip at once.
 */
import { readFileSync } from 'node:fs';
import { snrDb } from '../src/core/analysis';
import type { AclipseGenerator } from '../src/core/aclipse/model';
import { decodeWavTo16kMono } from '../src/core/audio';
import { LIVE_DEFAULTS, LiveProtector, protectStreamOffline, type LiveOptions } from '../src/core/live';
import { wer } from '../src/core/metrics/scores';
import type { AsrModel } from '../src/core/ml/models';
import { normalizeText } from '../src/core/text/normalize';
import { predictAsr } from '../src/core/ml/predict';

/** What the page's worklet posts at a time (src/ui/audio/capture.worklet.ts). */
export const WORKLET_BLOCK = 256;
/** The page schedules protected audio this far ahead (src/ui/live.ts). */
export const PLAYBACK_LEAD_MS = 50;

export interface LiveBench {
  options: Required<Pick<LiveOptions, 'hopS' | 'lookAheadS' | 'contextS'>>;
  blockMs: number;
  meanBlockMs: number;
  p95BlockMs: number;
  maxBlockMs: number;
  /** Processing time over audio time. */
  load: number;
  /** Worst-case added delay: worklet block + hop + look-ahead + p95 processing + playback lead. */
  latencyMs: number;
  snrLive: number;
  snrOffline: number;
  /** ‖d_live − d_offline‖ / ‖d_offline‖, perturbations against the original. */
  relDiff: number;
}

export async function liveBench(
  gen: AclipseGenerator,
  clip: Float32Array,
  budgetDb: number,
  opts: Partial<LiveOptions> = {},
): Promise<LiveBench> {
  const options = {
    hopS: opts.hopS ?? LIVE_DEFAULTS.hopS,
    lookAheadS: opts.lookAheadS ?? LIVE_DEFAULTS.lookAheadS,
    contextS: opts.contextS ?? LIVE_DEFAULTS.contextS,
  };
  const run = async () => {
    const live = new LiveProtector(async (w, b) => (await gen.protect(w, b)).wave, { budgetDb, ...options });
    const out = new Float32Array(clip.length);
    const times: number[] = [];
    for (let i = 0; i < clip.length; i += WORKLET_BLOCK) {
      const t0 = performance.now();
      const c = await live.push(clip.subarray(i, i + WORKLET_BLOCK));
      times.push(performance.now() - t0);
      if (c) out.set(c.protected, c.start);
    }
    const c = await live.flush();
    if (c) out.set(c.protected, c.start);
    return { out, times };
  };
  await run(); // warm-up
  const { out, times } = await run();
  const sorted = [...times].sort((a, b) => a - b);
  const total = times.reduce((a, b) => a + b, 0);
  const offline = (await gen.protect(clip, budgetDb)).wave;
  let num = 0;
  let den = 0;
  for (let i = 0; i < clip.length; i++) {
    num += (out[i]! - offline[i]!) ** 2;
    den += (offline[i]! - clip[i]!) ** 2;
  }
  const blockMs = (WORKLET_BLOCK / 16000) * 1000;
  const p95 = sorted[Math.floor(sorted.length * 0.95)]!;
  return {
    options,
    blockMs,
    meanBlockMs: total / times.length,
    p95BlockMs: p95,
    maxBlockMs: sorted[sorted.length - 1]!,
    load: total / 1000 / (clip.length / 16000),
    latencyMs: blockMs + (options.hopS + options.lookAheadS) * 1000 + p95 + PLAYBACK_LEAD_MS,
    snrLive: snrDb(clip, out),
    snrOffline: snrDb(clip, offline),
    relDiff: Math.sqrt(num / den),
  };
}

export function printLive(b: LiveBench): void {
  const o = b.options;
  console.log(
    `live (wasm) hop ${o.hopS * 1000} ms, look-ahead ${o.lookAheadS * 1000} ms, context ${o.contextS * 1000} ms, ${b.blockMs.toFixed(0)} ms blocks:\n` +
      `  per block ${b.meanBlockMs.toFixed(1)} ms mean, ${b.p95BlockMs.toFixed(1)} ms p95, ${b.maxBlockMs.toFixed(1)} ms max (block = ${b.blockMs.toFixed(0)} ms of audio)\n` +
      `  load ${(b.load * 100).toFixed(1)} % of one core (goal < 50 %) ${b.load < 0.5 ? 'OK' : 'MISSED'}\n` +
      `  added latency ≤ ${b.latencyMs.toFixed(0)} ms (block + hop + look-ahead + p95 processing + ${PLAYBACK_LEAD_MS} ms playback lead; goal ≤ 200 ms) ${b.latencyMs <= 200 ? 'OK' : 'MISSED'}\n` +
      `  SNR live ${b.snrLive.toFixed(2)} dB, whole clip ${b.snrOffline.toFixed(2)} dB; live perturbation differs from the whole-clip one by ${(b.relDiff * 100).toFixed(0)} % (RMS)`,
  );
}

/**
 * Does streaming still hide the words? Our ASR (greedy) on the demo `test` clips: original, whole-clip Aclipse and
 * live Aclipse (the same clip streamed), WER against the clips' text, with the mean SNR of each.
 */
export async function liveDemoWer(gen: AclipseGenerator, asr: AsrModel, budgetDb: number): Promise<string> {
  const clips = readFileSync('public/demo/manifest.jsonl', 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { path: string; text: string; split?: string })
    .filter((c) => c.split === 'test');
  const refs: string[] = [];
  const hyps: [string[], string[], string[]] = [[], [], []];
  let snrWhole = 0;
  let snrLive = 0;
  for (const c of clips) {
    const x = decodeWavTo16kMono(new Uint8Array(readFileSync(`public/demo/${c.path}`)));
    const whole = (await gen.protect(x, budgetDb)).wave;
    const live = (await protectStreamOffline(x, async (w, b) => (await gen.protect(w, b)).wave, { budgetDb })).wave;
    const out = await predictAsr(asr, [x, whole, live]);
    refs.push(normalizeText(c.text));
    out.forEach((p, i) => hyps[i as 0 | 1 | 2].push(p.greedy));
    snrWhole += snrDb(x, whole) / clips.length;
    snrLive += snrDb(x, live) / clips.length;
  }
  const w = (h: string[]) => `${(wer(refs, h).rate * 100).toFixed(1)} %`;
  return `live on ${clips.length} demo test clips, our ASR (greedy) WER: original ${w(hyps[0])}, whole-clip Aclipse ${w(hyps[1])} (SNR ${snrWhole.toFixed(2)} dB), live Aclipse ${w(hyps[2])} (SNR ${snrLive.toFixed(2)} dB)`;
}
