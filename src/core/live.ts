/**
 * Streaming protection: audio arrives in blocks of any size (a microphone), protected audio leaves in fixed hops.
 *
 * Each hop k (samples [kH, (k+1)H)) is protected as part of a window that reaches `contextS` back and `lookAheadS`
 * ahead, so the generator's frames and convolutions see past the hop's edges like they do offline. The first
 * `crossfade` samples of a hop are blended with what the previous window made of them (it reached that far as its
 * look-ahead), so window boundaries leave no seam. Which windows are run depends only on sample positions, never
 * on how the input was cut into blocks: a stream gives exactly what `protectStreamOffline` gives for the same audio.
 *
 * The budget, live: the whole-clip bound (‖d‖ ≤ 10^(−b/20)·‖x‖ over the clip) needs the whole clip, which a stream
 * never has. Here the bound is kept on the running energy instead: after every hop, the perturbation so far is at
 * most the budget's share of the signal so far (with a small margin), so every prefix of the recording, and so the
 * whole of it, meets the budget. Each hop is also capped at `localCapDb` above the budget against its own energy,
 * so a quiet hop after loud speech cannot take a loud perturbation. The gain changes linearly over a hop's first 10 ms (no
 * clicks); when a hop must drop to silence faster than that allows, the overshoot is carried and repaid by the next
 * hops. Offline, one scale for the whole clip is chosen knowing all of it, so the two differ where loudness changes.
 * Plain TypeScript: the protection of a window is injected.
 */
import { SAMPLE_RATE } from './audio/constants';

export type WindowProtector = (window: Float32Array, budgetDb: number) => Promise<Float32Array>;

export interface LiveOptions {
  /** Minimum SNR (dB) of the perturbation against the signal, kept on the running energy. */
  budgetDb: number;
  /** Output granularity (default 0.04 s). Latency is at least hop + look-ahead. */
  hopS?: number;
  /** Audio after a hop that its window sees (default 0.048 s, three generator frames). */
  lookAheadS?: number;
  /** Audio before a hop that its window sees (default 0.4 s). */
  contextS?: number;
  /** How far above the budget one hop may go against its own energy (default 12 dB). */
  localCapDb?: number;
  /** Kept below the budget on the running bound, for the gain ramps (default 0.3 dB). */
  marginDb?: number;
  sampleRate?: number;
}

export interface LiveChunk {
  /** Sample index of the chunk's first sample in the stream. */
  start: number;
  original: Float32Array;
  protected: Float32Array;
}

export interface LiveReport {
  samplesIn: number;
  samplesOut: number;
  hops: number;
  /** Hops whose perturbation was scaled down to keep the budget. */
  scaledHops: number;
  /** SNR of everything emitted so far (Infinity before any perturbation). */
  snrDb: number;
}

/**
 * Chosen with `npm run bench -- --live` on wasm: 40 + 48 ms keep the worst-case added delay under 200 ms with the
 * page's 16 ms blocks and a 50 ms playback lead, at ~20 % of one core; a longer context cost load and changed little.
 * The local cap was 6 dB until Whisper read the stream on 80 `val` clips at 10 dB (docs/real-speech.md, "Live"):
 * 12 dB hid 9.4 ± 2.8 more points of words (WER capped at 100 % per clip), no cap 11.0 more. Whole-clip protection
 * has no cap at all and put 41 % of its 40 ms hops more than 6 dB past the budget on those clips; 12 dB keeps most
 * of the gain and still keeps a pause from carrying a perturbation far above its own level.
 */
export const LIVE_DEFAULTS = { hopS: 0.04, lookAheadS: 0.048, contextS: 0.4, localCapDb: 12, marginDb: 0.3 } as const;

function concat(a: Float32Array, b: Float32Array): Float32Array {
  if (a.length === 0) return b.slice();
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

export class LiveProtector {
  readonly hop: number;
  readonly lookAhead: number;
  readonly context: number;
  readonly crossfade: number;
  readonly sampleRate: number;
  private readonly ramp: number;
  private readonly ratio2: number;
  private readonly cap2: number;
  /** Input from absolute sample `bufStart` on. */
  private buf: Float32Array = new Float32Array(0);
  private bufStart = 0;
  private received = 0;
  private nextHop = 0;
  /** The previous window's output over the start of the next hop, for the crossfade. */
  private tail: Float32Array = new Float32Array(0);
  private prevScale = 1;
  private energyX = 0;
  private energyD = 0;
  private hopsDone = 0;
  private scaled = 0;
  private emitted = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private flushed = false;

  constructor(
    private readonly protect: WindowProtector,
    private readonly opts: LiveOptions,
  ) {
    this.sampleRate = opts.sampleRate ?? SAMPLE_RATE;
    const sr = this.sampleRate;
    this.hop = Math.max(1, Math.round((opts.hopS ?? LIVE_DEFAULTS.hopS) * sr));
    this.lookAhead = Math.max(0, Math.round((opts.lookAheadS ?? LIVE_DEFAULTS.lookAheadS) * sr));
    this.context = Math.max(0, Math.round((opts.contextS ?? LIVE_DEFAULTS.contextS) * sr));
    this.crossfade = Math.min(this.lookAhead, this.hop);
    this.ramp = Math.max(1, Math.round(0.01 * sr));
    this.ratio2 = 10 ** (-(opts.budgetDb + (opts.marginDb ?? LIVE_DEFAULTS.marginDb)) / 10);
    this.cap2 = 10 ** (-(opts.budgetDb - (opts.localCapDb ?? LIVE_DEFAULTS.localCapDb)) / 10);
  }

  /** Delay the algorithm itself adds (hop + look-ahead), before any processing time. */
  get algorithmicLatencyS(): number {
    return (this.hop + this.lookAhead) / this.sampleRate;
  }

  get report(): LiveReport {
    return {
      samplesIn: this.received,
      samplesOut: this.emitted,
      hops: this.hopsDone,
      scaledHops: this.scaled,
      snrDb: this.energyD > 0 ? 10 * Math.log10(this.energyX / this.energyD) : Infinity,
    };
  }

  /** Adds input; resolves with the protected audio that became final (null while a hop is still incomplete). */
  push(block: Float32Array): Promise<LiveChunk | null> {
    if (this.flushed) return Promise.reject(new Error('This live stream has ended.'));
    // Calls run one after another, so blocks are taken in the order they were pushed.
    const run = this.queue.then(() => {
      this.buf = concat(this.buf, block);
      this.received += block.length;
      return this.drain(false);
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Ends the stream: protects what is left (the last hop without look-ahead). */
  flush(): Promise<LiveChunk | null> {
    const run = this.queue.then(() => {
      this.flushed = true;
      return this.drain(true);
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async drain(final: boolean): Promise<LiveChunk | null> {
    const outs: Float32Array[] = [];
    const ins: Float32Array[] = [];
    const start = this.emitted;
    for (;;) {
      const k0 = this.nextHop * this.hop;
      if (k0 >= this.received) break;
      const hopEnd = k0 + this.hop;
      if (!final && this.received < hopEnd + this.lookAhead) break;
      const e = Math.min(hopEnd, this.received);
      const a = Math.max(0, k0 - this.context);
      const b = Math.min(this.received, hopEnd + this.lookAhead);
      const window = this.buf.subarray(a - this.bufStart, b - this.bufStart);
      const y = await this.protect(window, this.opts.budgetDb);
      if (y.length !== window.length) throw new Error('The protection changed the length of a live window.');
      const x = this.buf.subarray(k0 - this.bufStart, e - this.bufStart);
      const seg = y.slice(k0 - a, e - a);
      const f = Math.min(this.crossfade, this.tail.length, seg.length);
      for (let i = 0; i < f; i++) {
        const w = 0.5 - 0.5 * Math.cos((Math.PI * (i + 0.5)) / this.crossfade);
        seg[i] = (1 - w) * this.tail[i]! + w * seg[i]!;
      }
      this.tail = y.slice(e - a, Math.min(b, e + this.crossfade) - a);
      ins.push(x.slice());
      outs.push(this.enforce(x, seg));
      this.nextHop++;
      this.hopsDone++;
      this.emitted = e;
      // Keep only what later windows can still see.
      const keepFrom = Math.max(0, this.nextHop * this.hop - this.context);
      if (keepFrom > this.bufStart) {
        this.buf = this.buf.slice(keepFrom - this.bufStart);
        this.bufStart = keepFrom;
      }
    }
    if (outs.length === 0) return null;
    const n = outs.reduce((s, o) => s + o.length, 0);
    const original = new Float32Array(n);
    const prot = new Float32Array(n);
    let o = 0;
    for (let i = 0; i < outs.length; i++) {
      original.set(ins[i]!, o);
      prot.set(outs[i]!, o);
      o += outs[i]!.length;
    }
    return { start, original, protected: prot };
  }

  /**
   * Scales this hop's perturbation d = y − x by a gain that moves linearly from the last hop's gain to s over the
   * first 10 ms (a jump would click), with s the largest in [0, 1] that keeps the running bound and the local cap.
   */
  private enforce(x: Float32Array, y: Float32Array): Float32Array {
    const n = x.length;
    let ex = 0;
    for (let i = 0; i < n; i++) ex += x[i]! * x[i]!;
    this.energyX += ex;
    const allowed = Math.max(0, Math.min(this.ratio2 * this.energyX - this.energyD, this.cap2 * ex));
    // f(s) = Σ (p_i + q_i·s)² with the gain g_i = prev·(1 − α_i) + s·α_i, α rising 0 → 1 over the ramp.
    const ramp = Math.min(n, this.ramp);
    let A = 0;
    let B = 0;
    let C = 0;
    let full = 0;
    for (let i = 0; i < n; i++) {
      const d = y[i]! - x[i]!;
      const alpha = Math.min(1, (i + 1) / ramp);
      const p = this.prevScale * (1 - alpha) * d;
      const q = alpha * d;
      A += p * p;
      B += p * q;
      C += q * q;
      full += (p + q) * (p + q);
    }
    let s = 1;
    if (full > allowed) {
      if (A >= allowed || C === 0) s = 0;
      else s = Math.min(1, Math.max(0, (-B + Math.sqrt(Math.max(0, B * B - C * (A - allowed)))) / C));
    }
    if (s < 1) this.scaled++;
    const out = new Float32Array(n);
    let ed = 0;
    for (let i = 0; i < n; i++) {
      const alpha = Math.min(1, (i + 1) / ramp);
      const g = this.prevScale * (1 - alpha) + s * alpha;
      const d = g * (y[i]! - x[i]!);
      out[i] = x[i]! + d;
      ed += d * d;
    }
    this.energyD += ed;
    this.prevScale = s;
    return out;
  }
}

/** The live protection of a whole clip at once: what a stream of the same audio gives, whatever its block sizes. */
export async function protectStreamOffline(
  wave: Float32Array,
  protect: WindowProtector,
  opts: LiveOptions,
): Promise<{ wave: Float32Array; report: LiveReport }> {
  const live = new LiveProtector(protect, opts);
  const out = new Float32Array(wave.length);
  for (const c of [await live.push(wave), await live.flush()]) if (c) out.set(c.protected, c.start);
  return { wave: out, report: live.report };
}
