/**
 * The user's marked parts of a clip, between the waveform's regions, the picked words and the engine's spans. Pure,
 * so the rules (what a region becomes, what clicking a word does) are tested without a browser.
 */
import type { Span } from '../../core/spans';
import { spansForWords, type TimedWord } from '../../core/wordtimes';

/** Shorter than this is a click on the waveform, not a marked part (and could not hold the two 20 ms fades). */
export const MIN_SPAN_S = 0.05;

/**
 * Regions as drawn (any order, overlapping, spilling past the ends) → the spans to protect: clipped to the clip,
 * too-short ones dropped, overlapping or touching ones merged, sorted.
 */
export function regionsToSpans(regions: readonly { start: number; end: number }[], durationS: number): Span[] {
  const clipped = regions
    .map((r) => ({ start: Math.max(0, Math.min(r.start, r.end)), end: Math.min(durationS, Math.max(r.start, r.end)) }))
    .filter((r) => r.end - r.start >= MIN_SPAN_S)
    .sort((a, b) => a.start - b.start);
  const out: Span[] = [];
  for (const r of clipped) {
    const last = out[out.length - 1];
    if (last && r.start <= last.end) last.end = Math.max(last.end, r.end);
    else out.push({ ...r });
  }
  return out;
}

/**
 * Clicking a word: a word already inside a marked part unmarks that part (all of it: a part is one unit on the
 * waveform too); otherwise the word's own span is added, merged with what touches it.
 */
export function toggleWord(
  spans: readonly Span[],
  words: readonly TimedWord[],
  index: number,
  durationS: number,
): Span[] {
  const w = words[index];
  if (!w) return [...spans];
  const mid = (w.start + w.end) / 2;
  if (spans.some((s) => mid >= s.start && mid < s.end)) return spans.filter((s) => !(mid >= s.start && mid < s.end));
  return regionsToSpans([...spans, ...spansForWords(words, [index], durationS)], durationS);
}

/** "0.42–0.97 s" */
export function spanLabel(s: Span): string {
  return `${s.start.toFixed(2)}–${s.end.toFixed(2)} s`;
}

/** True when two span lists mark the same parts (to the millisecond). */
export function sameSpans(a: readonly Span[] | undefined, b: readonly Span[] | undefined): boolean {
  const x = a ?? [];
  const y = b ?? [];
  return (
    x.length === y.length &&
    x.every((s, i) => Math.abs(s.start - y[i]!.start) < 1e-3 && Math.abs(s.end - y[i]!.end) < 1e-3)
  );
}
