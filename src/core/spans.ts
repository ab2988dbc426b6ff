/**
 * Span protection: hide only the parts of a clip the user marks. Each span is protected with a little context on
 * either side (the generator's frames and convolutions see past the span's edges), its perturbation is faded in and
 * out over a short ramp inside the span, and held to the budget on the span's own energy. Every sample outside the
 * spans is the original sample, bit for bit. Plain TypeScript: the protection itself is injected.
 */
import { snrDb } from './analysis';
import { SAMPLE_RATE } from './audio/constants';

/** Seconds from the clip's start. */
export interface Span {
  start: number;
  end: number;
}

export interface SpanOptions {
  /** Minimum SNR (dB) of each span's perturbation against the span's own signal. */
  budgetDb: number;
  /** Fade of the perturbation at each edge, inside the span (default 20 ms). */
  crossfadeS?: number;
  /** Audio the generator sees on each side of a span (default 0.25 s), so its edges are protected like the middle. */
  contextS?: number;
  sampleRate?: number;
}

export interface SpanReport extends Span {
  /** SNR of the span after protection (Infinity for a span of silence). */
  snrDb: number;
  /** True when the perturbation was scaled down to meet the budget on this span. */
  scaled: boolean;
}

export interface SpanProtection {
  wave: Float32Array;
  spans: SpanReport[];
  /** SNR over the whole clip (higher than every span's: the rest is untouched). */
  snrDb: number;
}

export const DEFAULT_CROSSFADE_S = 0.02;
export const DEFAULT_CONTEXT_S = 0.25;

/**
 * Parses "1.2-1.9,3.0-3.4" (seconds). Throws a sentence a user can act on for anything else.
 */
export function parseSpans(text: string): Span[] {
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length === 0) throw new Error('No spans given: write them as start-end in seconds, e.g. 1.2-1.9,3.0-3.4');
  return parts.map((p) => {
    const m = /^(\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)$/.exec(p);
    if (!m) throw new Error(`“${p}” is not a span: write start-end in seconds, e.g. 1.2-1.9`);
    return { start: Number(m[1]), end: Number(m[2]) };
  });
}

/**
 * Sorted, merged (overlapping or touching spans become one), clipped to the clip. A span that ends before it starts,
 * starts after the clip ends, or is shorter than two fades is refused with the reason.
 */
export function normalizeSpans(spans: readonly Span[], durationS: number, crossfadeS = DEFAULT_CROSSFADE_S): Span[] {
  if (spans.length === 0) throw new Error('Mark at least one part of the clip to protect.');
  for (const s of spans) {
    if (!Number.isFinite(s.start) || !Number.isFinite(s.end) || s.end <= s.start)
      throw new Error(`The span ${s.start}–${s.end} s ends before it starts.`);
    if (s.start >= durationS)
      throw new Error(`The span ${s.start}–${s.end} s starts after the clip ends (${durationS.toFixed(2)} s).`);
  }
  const sorted = spans
    .map((s) => ({ start: Math.max(0, s.start), end: Math.min(durationS, s.end) }))
    .sort((a, b) => a.start - b.start);
  const merged: Span[] = [];
  for (const s of sorted) {
    const last = merged[merged.length - 1];
    if (last && s.start <= last.end) last.end = Math.max(last.end, s.end);
    else merged.push({ ...s });
  }
  for (const s of merged) {
    if (s.end - s.start < 2 * crossfadeS)
      throw new Error(
        `The span ${s.start.toFixed(3)}–${s.end.toFixed(3)} s is shorter than its two ${crossfadeS * 1000} ms fades.`,
      );
  }
  return merged;
}

function energy(x: Float32Array, a: number, b: number): number {
  let e = 0;
  for (let i = a; i < b; i++) e += x[i]! * x[i]!;
  return e;
}

/**
 * Combines the original with a protected version inside the spans only: raised-cosine fades at each span's edges,
 * then each span's perturbation scaled (never up) onto ‖d‖ ≤ 10^(−budget/20)·‖x‖ over that span.
 */
export function mixSpans(
  original: Float32Array,
  protectedWave: Float32Array,
  spans: readonly Span[],
  opts: SpanOptions,
): SpanProtection {
  if (protectedWave.length !== original.length)
    throw new Error('mixSpans: the protected clip must have the original length');
  const sr = opts.sampleRate ?? SAMPLE_RATE;
  const fade = Math.max(1, Math.round((opts.crossfadeS ?? DEFAULT_CROSSFADE_S) * sr));
  const out = Float32Array.from(original);
  const ratio = 10 ** (-opts.budgetDb / 20);
  const reports: SpanReport[] = [];
  for (const s of spans) {
    const a = Math.max(0, Math.round(s.start * sr));
    const b = Math.min(original.length, Math.round(s.end * sr));
    const n = b - a;
    const d = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      // Weight 0 on the span's first and last sample, 1 after one fade: the waveform stays continuous.
      const k = Math.min(i, n - 1 - i);
      const w = k >= fade ? 1 : 0.5 - 0.5 * Math.cos((Math.PI * k) / fade);
      d[i] = w * (protectedWave[a + i]! - original[a + i]!);
    }
    let dE = 0;
    for (let i = 0; i < n; i++) dE += d[i]! * d[i]!;
    const allowed = ratio * Math.sqrt(energy(original, a, b));
    const scale = dE > 0 && Math.sqrt(dE) > allowed ? allowed / Math.sqrt(dE) : 1;
    for (let i = 0; i < n; i++) out[a + i] = original[a + i]! + scale * d[i]!;
    reports.push({
      start: a / sr,
      end: b / sr,
      snrDb: snrDb(original.subarray(a, b), out.subarray(a, b)),
      scaled: scale < 1,
    });
  }
  return { wave: out, spans: reports, snrDb: snrDb(original, out) };
}

/**
 * Protects the spans of a clip. `protect` is the generator (or any method) held to the budget; it is called once per
 * span on the span plus its context, so a long clip with short spans costs little.
 */
export async function protectSpans(
  original: Float32Array,
  spans: readonly Span[],
  protect: (piece: Float32Array, budgetDb: number) => Promise<Float32Array>,
  opts: SpanOptions,
): Promise<SpanProtection> {
  const sr = opts.sampleRate ?? SAMPLE_RATE;
  const clean = normalizeSpans(spans, original.length / sr, opts.crossfadeS);
  const ctx = Math.round((opts.contextS ?? DEFAULT_CONTEXT_S) * sr);
  const full = Float32Array.from(original);
  for (const s of clean) {
    const a = Math.max(0, Math.round(s.start * sr) - ctx);
    const b = Math.min(original.length, Math.round(s.end * sr) + ctx);
    const y = await protect(original.subarray(a, b), opts.budgetDb);
    if (y.length !== b - a) throw new Error('protectSpans: the protection changed the length of a piece');
    // Only the span itself is taken from the piece: a neighbour's context must not overwrite another span.
    const sa = Math.round(s.start * sr);
    const sb = Math.min(original.length, Math.round(s.end * sr));
    full.set(y.subarray(sa - a, sb - a), sa);
  }
  return mixSpans(original, full, clean, opts);
}
