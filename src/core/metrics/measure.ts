/**
 * Plain-JS measurements behind the Protect and Spectra views (no tfjs, unit-tested in Node): the word alignment for
 * the transcript diff and display spectrograms (with both F0 contours) that stay bounded for 10-minute clips.
 */
import { fftInPlace } from '../analysis';
import { contourForDisplay, frameCount, HOP_SAMPLES, PITCH_DEFAULTS, trackPitch, type PitchTrack } from '../cues';
import { cer, wer, type ErrorRate } from './scores';
import { normalizeText } from '../text/normalize';
import { alignTokens, type WordAlignment } from '../text/words';

const words = (s: string): string[] => {
  const n = normalizeText(s);
  return n ? n.split(' ') : [];
};

export interface Intelligibility {
  /** What the protected transcript was compared with. */
  reference: string;
  referenceKind: 'original-transcript' | 'given-text';
  hypothesis: string;
  wer: ErrorRate;
  cer: ErrorRate;
  /** Word-level alignment reference → hypothesis for the diff view. */
  alignment: WordAlignment[];
}

/** Time columns of a spectrogram for display: plenty for a screen, small to hold for many clips. */
export const SPECTRA_MAX_FRAMES = 800;

export interface SpectraOptions {
  /** Upper bound on the time columns returned (long clips are averaged down). Default SPECTRA_MAX_FRAMES. */
  maxFrames?: number;
  /** FFT size (power of two). Default 512 (257 bins of 31.25 Hz). */
  nFft?: number;
  /** Dynamic range of the shared colour scale: minDb = maxDb − rangeDb. Default 90. */
  rangeDb?: number;
}

export interface Spectra {
  /** Time columns and frequency bins; each array is row-major [frames][bins], in dB. */
  frames: number;
  bins: number;
  original: Float32Array;
  protected: Float32Array;
  /** Spectrogram of the perturbation (protected − original). */
  difference: Float32Array;
  /** One colour scale for all three (values are clamped to it): maxDb is the loudest cell of original/protected. */
  minDb: number;
  maxDb: number;
  /** Seconds per column (after averaging) and Hz per bin; bin k is at k·binHz, up to maxHz. */
  secondsPerFrame: number;
  binHz: number;
  maxHz: number;
  sampleRate: number;
  nFft: number;
  /** STFT frames averaged into one column (1 for short clips). */
  framesPerColumn: number;
  durationSeconds: number;
  /** F0 contours of both clips for the overlay. */
  f0: F0Contours;
}

/** Pitch (F0) contours of an original/protected pair on one time grid; long clips get fewer, coarser points. */
export interface F0Contours {
  /** Seconds between points (point i is centred at i · hopS); 0.01 unless the clip was long. */
  hopS: number;
  /** Hz per point, 0 where unvoiced; both arrays have the same length. */
  original: Float32Array;
  protected: Float32Array;
  /** The tracker's F0 search range (an axis for the overlay). */
  minHz: number;
  maxHz: number;
}

/** Word alignment of hyp against ref on normalised words (ties as in scores.editCounts, so it agrees with WER). */
export function alignWords(ref: string, hyp: string): WordAlignment[] {
  return alignTokens(words(ref), words(hyp));
}

export function intelligibility(
  reference: string,
  referenceKind: Intelligibility['referenceKind'],
  hypothesis: string,
): Intelligibility {
  return {
    reference: normalizeText(reference),
    referenceKind,
    hypothesis: normalizeText(hypothesis),
    wer: wer([reference], [hypothesis]),
    cer: cer([reference], [hypothesis]),
    alignment: alignWords(reference, hypothesis),
  };
}

export const SPECTRA_DEFAULTS = { maxFrames: SPECTRA_MAX_FRAMES, nFft: 512, rangeDb: 90 } as const;

/**
 * Power spectrogram averaged into at most `columns` time columns, streaming (never holds the full STFT). The hop
 * grows from nFft/4 up to nFft/2 for long clips so a 10-minute clip costs a few tens of thousands of FFTs.
 */
function columnPower(
  x: Float32Array,
  nFft: number,
  hop: number,
  frames: number,
  columns: number,
  perColumn: number,
): Float32Array {
  const bins = nFft / 2 + 1;
  const out = new Float32Array(columns * bins);
  const counts = new Uint32Array(columns);
  const win = new Float64Array(nFft);
  for (let i = 0; i < nFft; i++) win[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / nFft);
  const re = new Float64Array(nFft);
  const im = new Float64Array(nFft);
  for (let f = 0; f < frames; f++) {
    const start = f * hop;
    for (let i = 0; i < nFft; i++) {
      const k = start + i;
      re[i] = (k < x.length ? x[k]! : 0) * win[i]!;
      im[i] = 0;
    }
    fftInPlace(re, im);
    const c = Math.min(columns - 1, Math.floor(f / perColumn));
    counts[c]!++;
    const row = c * bins;
    for (let k = 0; k < bins; k++) out[row + k]! += re[k]! * re[k]! + im[k]! * im[k]!;
  }
  for (let c = 0; c < columns; c++) {
    const n = counts[c]! || 1;
    for (let k = 0; k < bins; k++) out[c * bins + k]! /= n;
  }
  return out;
}

/**
 * Both F0 contours for the overlay, at most max(200, 2 · maxFrames) points (a 10-minute clip has 60,000 frames).
 * `tracks` reuses pitch tracks the caller already has (protectClip computes them for the cue metrics).
 */
export function f0Contours(
  original: Float32Array,
  protectedWave: Float32Array,
  maxFrames: number,
  tracks?: { original: PitchTrack; protected: PitchTrack },
): F0Contours {
  const maxPoints = Math.max(200, 2 * maxFrames);
  // Without tracks to reuse, a long clip is tracked on a coarser hop: the display needs no more points than that, and
  // two 10-minute clips at 10 ms would cost seconds.
  const hopSamples = HOP_SAMPLES * Math.max(1, Math.ceil(frameCount(original.length) / maxPoints));
  const o = contourForDisplay(tracks?.original ?? trackPitch(original, { hopSamples }), maxPoints);
  const p = contourForDisplay(tracks?.protected ?? trackPitch(protectedWave, { hopSamples }), maxPoints);
  // Same sample count, same grid; a trimmed side is cut to the shorter so the arrays pair up point for point.
  const n = Math.min(o.f0Hz.length, p.f0Hz.length);
  return {
    hopS: o.hopS,
    original: o.f0Hz.subarray(0, n).slice(),
    protected: p.f0Hz.subarray(0, n).slice(),
    minHz: PITCH_DEFAULTS.minHz,
    maxHz: PITCH_DEFAULTS.maxHz,
  };
}

export function computeSpectra(
  original: Float32Array,
  protectedWave: Float32Array,
  opts: SpectraOptions = {},
  sampleRate = 16000,
  tracks?: { original: PitchTrack; protected: PitchTrack },
): Spectra {
  const nFft = opts.nFft ?? SPECTRA_DEFAULTS.nFft;
  if (!Number.isInteger(Math.log2(nFft)) || nFft < 32 || nFft > 8192)
    throw new RangeError(`nFft must be a power of two in 32…8192, got ${nFft}`);
  const maxFrames = Math.max(16, Math.floor(opts.maxFrames ?? SPECTRA_DEFAULTS.maxFrames));
  const rangeDb = opts.rangeDb ?? SPECTRA_DEFAULTS.rangeDb;
  const n = Math.min(original.length, protectedWave.length);
  const x = original.subarray(0, n);
  const y = protectedWave.subarray(0, n);
  const diff = new Float32Array(n);
  for (let i = 0; i < n; i++) diff[i] = y[i]! - x[i]!;

  // Enough STFT frames to average ~8 per column, but never a hop below nFft/4 or above nFft/2 (no gaps).
  const span = Math.max(0, n - nFft);
  const hop = Math.min(nFft / 2, Math.max(nFft / 4, Math.ceil(span / (maxFrames * 8))));
  const frames = Math.floor(span / hop) + 1;
  const columns = Math.min(maxFrames, frames);
  const perColumn = Math.ceil(frames / columns);
  const cols = Math.ceil(frames / perColumn);
  const bins = nFft / 2 + 1;

  const powers = [x, y, diff].map((s) => columnPower(s, nFft, hop, frames, cols, perColumn));
  let maxDb = -Infinity;
  for (const p of powers.slice(0, 2))
    for (let i = 0; i < p.length; i++) maxDb = Math.max(maxDb, 10 * Math.log10(p[i]! + 1e-20));
  if (!Number.isFinite(maxDb)) maxDb = 0;
  maxDb = Math.ceil(maxDb);
  const minDb = maxDb - rangeDb;
  const [o, p, d] = powers.map((pw) => {
    const db = new Float32Array(pw.length);
    for (let i = 0; i < pw.length; i++) db[i] = Math.min(maxDb, Math.max(minDb, 10 * Math.log10(pw[i]! + 1e-20)));
    return db;
  }) as [Float32Array, Float32Array, Float32Array];
  return {
    frames: cols,
    bins,
    original: o,
    protected: p,
    difference: d,
    minDb,
    maxDb,
    secondsPerFrame: (hop * perColumn) / sampleRate,
    binHz: sampleRate / nFft,
    maxHz: sampleRate / 2,
    sampleRate,
    nFft,
    framesPerColumn: perColumn,
    durationSeconds: n / sampleRate,
    f0: f0Contours(x, y, maxFrames, tracks),
  };
}
