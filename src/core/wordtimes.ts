/**
 * Word timings from a CTC recognizer, and the spans a user selects by picking words. Plain TypeScript with no tfjs
 * and no model code, so the UI can use the selection half; the worker feeds it the ASR's log-probabilities.
 */
import type { Span } from './spans';

export interface TimedWord {
  word: string;
  /** Seconds from the clip's start. */
  start: number;
  end: number;
}

/**
 * Words of the best (greedy) CTC path with the frames they were emitted on. CTC emits each character as a short
 * spike, often a frame or two after the sound starts, so these times mark roughly where a word is, not its exact
 * edges: `spansForWords` pads them.
 *
 * `logProbs` is [frames × alphabet.length], row-major; `alphabet[blank]` is the blank and a ' ' entry separates words.
 */
export function ctcWordTimes(
  logProbs: Float32Array,
  alphabet: readonly string[],
  secondsPerFrame: number,
  opts: { blank?: number; offsetS?: number } = {},
): TimedWord[] {
  const v = alphabet.length;
  const t = Math.floor(logProbs.length / v);
  const blank = opts.blank ?? 0;
  const offset = opts.offsetS ?? 0;
  const words: TimedWord[] = [];
  let word = '';
  let first = -1;
  let last = -1;
  let prev = -1;
  const close = () => {
    if (word) words.push({ word, start: offset + first * secondsPerFrame, end: offset + (last + 1) * secondsPerFrame });
    word = '';
    first = -1;
  };
  for (let i = 0; i < t; i++) {
    let best = 0;
    let bv = -Infinity;
    for (let k = 0; k < v; k++) {
      const x = logProbs[i * v + k]!;
      if (x > bv) {
        bv = x;
        best = k;
      }
    }
    if (best !== blank) {
      const ch = alphabet[best]!;
      if (ch === ' ') {
        if (best !== prev) close();
      } else {
        if (first < 0) first = i;
        if (best !== prev) word += ch;
        last = i;
      }
    }
    prev = best;
  }
  close();
  return words;
}

/**
 * Times of the words of a known transcript (e.g. the beam search's, which the screen shows): the CTC Viterbi
 * (forced) alignment of its characters to the frames. Unlike the greedy path it keeps words apart that the best
 * path runs together, and its words are the ones the user reads. Null when the transcript cannot fit the frames
 * (more labels than frames) or has a character outside the alphabet.
 */
export function ctcAlignWords(
  logProbs: Float32Array,
  alphabet: readonly string[],
  transcript: string,
  secondsPerFrame: number,
  opts: { blank?: number; offsetS?: number } = {},
): TimedWord[] | null {
  const v = alphabet.length;
  const t = Math.floor(logProbs.length / v);
  const blank = opts.blank ?? 0;
  const offset = opts.offsetS ?? 0;
  const words = transcript.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [];
  const text = words.join(' ');
  const labels: number[] = [];
  const wordOf: number[] = [];
  let w = 0;
  for (const ch of text) {
    const id = alphabet.indexOf(ch);
    if (id < 0 || id === blank) return null;
    labels.push(id);
    wordOf.push(ch === ' ' ? -1 : w);
    if (ch === ' ') w++;
  }
  const states = 2 * labels.length + 1;
  const label = (st: number) => (st % 2 === 0 ? blank : labels[(st - 1) / 2]!);
  // A repeated character needs a blank between its two copies, so count those frames too.
  let needed = labels.length;
  for (let i = 1; i < labels.length; i++) if (labels[i] === labels[i - 1]) needed++;
  if (needed > t) return null;
  let prev = new Float64Array(states).fill(-Infinity);
  let cur = new Float64Array(states);
  const back = new Int32Array(t * states);
  prev[0] = logProbs[blank]!;
  if (states > 1) prev[1] = logProbs[label(1)]!;
  for (let f = 1; f < t; f++) {
    for (let st = 0; st < states; st++) {
      let best = prev[st]!;
      let from = st;
      if (st >= 1 && prev[st - 1]! > best) {
        best = prev[st - 1]!;
        from = st - 1;
      }
      if (st >= 2 && st % 2 === 1 && label(st) !== label(st - 2) && prev[st - 2]! > best) {
        best = prev[st - 2]!;
        from = st - 2;
      }
      cur[st] = best + logProbs[f * v + label(st)]!;
      back[f * states + st] = from;
    }
    [prev, cur] = [cur, prev];
  }
  let st = states > 1 && prev[states - 2]! > prev[states - 1]! ? states - 2 : states - 1;
  if (!Number.isFinite(prev[st]!)) return null;
  const first = new Array<number>(words.length).fill(-1);
  const last = new Array<number>(words.length).fill(-1);
  for (let f = t - 1; f >= 0; f--) {
    if (st % 2 === 1) {
      const wi = wordOf[(st - 1) / 2]!;
      if (wi >= 0) {
        first[wi] = f;
        if (last[wi]! < 0) last[wi] = f;
      }
    }
    if (f > 0) st = back[f * states + st]!;
  }
  return words.map((word, i) => ({
    word,
    start: offset + first[i]! * secondsPerFrame,
    end: offset + (last[i]! + 1) * secondsPerFrame,
  }));
}

/**
 * The spans that cover the picked words (indices into `words`). Neighbouring picked words become one span; each
 * edge is padded by `padS` (CTC spikes lag and clip the sound) but never past the midpoint of the gap to a word
 * that was not picked, so hiding one word does not eat into the next.
 */
export function spansForWords(
  words: readonly TimedWord[],
  picked: Iterable<number>,
  durationS: number,
  padS = 0.08,
): Span[] {
  const set = new Set([...picked].filter((i) => i >= 0 && i < words.length));
  const spans: Span[] = [];
  for (let i = 0; i < words.length; i++) {
    if (!set.has(i)) continue;
    let j = i;
    while (set.has(j + 1)) j++;
    const prevEnd = i > 0 ? words[i - 1]!.end : 0;
    const nextStart = j + 1 < words.length ? words[j + 1]!.start : durationS;
    const lo = i > 0 ? (prevEnd + words[i]!.start) / 2 : 0;
    const hi = j + 1 < words.length ? (words[j]!.end + nextStart) / 2 : durationS;
    spans.push({ start: Math.max(lo, words[i]!.start - padS, 0), end: Math.min(hi, words[j]!.end + padS, durationS) });
    i = j;
  }
  return spans;
}

/** The words whose middle lies inside the span, joined: what a recognizer heard there. */
export function wordsInSpan(words: readonly TimedWord[], span: Span): string {
  return words
    .filter((w) => {
      const mid = (w.start + w.end) / 2;
      return mid >= span.start && mid < span.end;
    })
    .map((w) => w.word)
    .join(' ');
}

/** Indices of the words a span covers (by their middle), e.g. to show a restored selection as picked words. */
export function wordsCoveredBy(words: readonly TimedWord[], spans: readonly Span[]): number[] {
  return words.flatMap((w, i) => {
    const mid = (w.start + w.end) / 2;
    return spans.some((s) => mid >= s.start && mid < s.end) ? [i] : [];
  });
}
