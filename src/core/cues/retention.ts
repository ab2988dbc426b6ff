/**
 * Label-free emotion-cue retention: how much of a clip's pitch contour, voicing, loudness envelope and speaking rate
 * survive in a processed (protected) copy. No model is involved, so the numbers hold on any voice, in any language,
 * and cannot be gamed by fooling a classifier.
 */
import { loudnessEnvelopeDb, syllableRate, type LoudnessEnvelope, type SyllableRate } from './loudness';
import { trackPitch, type PitchTrack } from './pitch';
import { checkSignal } from './frames';

/** The cues of one clip, computed once and compared against another clip's with compareCues. */
export interface CueAnalysis {
  pitch: PitchTrack;
  loudness: LoudnessEnvelope;
  syllables: SyllableRate;
}

export function analyzeCues(x: Float32Array): CueAnalysis {
  checkSignal(x);
  return { pitch: trackPitch(x), loudness: loudnessEnvelopeDb(x), syllables: syllableRate(x) };
}

/** The numeric fields of CueRetention that can be NaN, each with a reason when it is. */
export type CueMetric =
  'f0Correlation' | 'f0RmseSemitones' | 'voicingAgreement' | 'loudnessCorrelation' | 'syllableRateChange';

/**
 * Original vs processed, frame by frame on a shared 10 ms grid. A value is NaN when it cannot be measured (too few
 * frames, a flat contour, a silent clip); `reasons` then says why in a sentence. NaN becomes null in JSON.
 */
export interface CueRetention {
  /**
   * Pearson correlation of the two F0 contours (in semitones) over frames voiced in both: 1 = the melody of the voice
   * rises and falls the same way. Insensitive to a constant pitch shift. NaN below MIN_COMPARED_FRAMES frames or
   * when either contour is flat.
   */
  f0Correlation: number;
  /**
   * Root-mean-square difference of the two contours in semitones over frames voiced in both: 0 = the same pitch,
   * 1 = a semitone off on average, 12 = an octave. NaN below MIN_COMPARED_FRAMES frames.
   */
  f0RmseSemitones: number;
  /** Frames voiced in both clips (the two F0 numbers use these). */
  f0Frames: number;
  /**
   * Share (0–1) of the original's sounding frames (those that pass its energy gate) on which the processed clip makes
   * the same voiced/unvoiced decision. NaN when the original has no sounding frame.
   */
  voicingAgreement: number;
  /** Sounding frames of the original (the denominator of voicingAgreement). */
  voicingFrames: number;
  /**
   * Pearson correlation of the two loudness envelopes (dB, 20 ms windows, 10 ms hop) over the frames where the
   * original is within LOUDNESS_FLOOR_DB of its loudest frame: 1 = the stresses and phrasing keep their shape. A
   * uniformly louder or quieter copy still gives 1. NaN below MIN_COMPARED_FRAMES frames.
   */
  loudnessCorrelation: number;
  /** Frames the loudness correlation used. */
  loudnessFrames: number;
  /** Syllable nuclei per second of speech in the original (see syllableRate); NaN when it holds no speech. */
  syllableRateOriginal: number;
  /** The same for the processed clip. */
  syllableRateProcessed: number;
  /** (processed − original) / original rate: 0 = same speaking rate, +0.1 = reads 10 % faster. */
  syllableRateChange: number;
  /** Why a metric is NaN, for each one that is. */
  reasons: Partial<Record<CueMetric, string>>;
}

/** Fewer frames than this (100 ms) make a correlation or an RMSE meaningless. */
export const MIN_COMPARED_FRAMES = 10;
/** The loudness comparison ignores frames more than this far under the original's loudest (pauses, room noise). */
export const LOUDNESS_FLOOR_DB = 40;
/**
 * A contour whose standard deviation is under this (semitones or dB) is flat: its correlation would only measure the
 * tracker's jitter (a steady 120 Hz tone reads with ~0.01 st of it), so it is reported as undefined instead.
 */
const FLAT = 0.1;

function pearson(a: ArrayLike<number>, b: ArrayLike<number>): { r: number; flat: boolean } {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i]! - ma;
    const db = b[i]! - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  if (Math.sqrt(saa / n) < FLAT || Math.sqrt(sbb / n) < FLAT) return { r: NaN, flat: true };
  return { r: Math.max(-1, Math.min(1, sab / Math.sqrt(saa * sbb))), flat: false };
}

/**
 * Compares two analyses. Clips of different lengths are compared over the shorter one's frames (protection keeps
 * the length, so this only matters for callers that trimmed one side).
 */
export function compareCues(original: CueAnalysis, processed: CueAnalysis): CueRetention {
  const reasons: Partial<Record<CueMetric, string>> = {};
  const po = original.pitch;
  const pp = processed.pitch;
  const frames = Math.min(po.f0Hz.length, pp.f0Hz.length);

  const so: number[] = [];
  const sp: number[] = [];
  let agree = 0;
  let sounding = 0;
  for (let t = 0; t < frames; t++) {
    if (po.voiced[t] && pp.voiced[t]) {
      so.push(12 * Math.log2(po.f0Hz[t]!));
      sp.push(12 * Math.log2(pp.f0Hz[t]!));
    }
    if (po.active[t]) {
      sounding++;
      if (po.voiced[t] === pp.voiced[t]) agree++;
    }
  }
  let f0Correlation = NaN;
  let f0RmseSemitones = NaN;
  if (so.length < MIN_COMPARED_FRAMES) {
    const why = `Only ${so.length} frame${so.length === 1 ? ' is' : 's are'} voiced in both clips; at least ${MIN_COMPARED_FRAMES} (0.1 s) are needed to compare pitch.`;
    reasons.f0Correlation = why;
    reasons.f0RmseSemitones = why;
  } else {
    let se = 0;
    for (let i = 0; i < so.length; i++) se += (sp[i]! - so[i]!) ** 2;
    f0RmseSemitones = Math.sqrt(se / so.length);
    const c = pearson(so, sp);
    f0Correlation = c.r;
    if (c.flat)
      reasons.f0Correlation =
        'The pitch does not move in one of the clips (a flat contour), so its correlation is undefined.';
  }
  const voicingAgreement = sounding > 0 ? agree / sounding : NaN;
  if (sounding === 0)
    reasons.voicingAgreement = 'The original has no sounding frames (it is silent), so there is no voicing to compare.';

  const lo = original.loudness.db;
  const lp = processed.loudness.db;
  const lframes = Math.min(lo.length, lp.length);
  let peak = -Infinity;
  for (let t = 0; t < lframes; t++) peak = Math.max(peak, lo[t]!);
  const la: number[] = [];
  const lb: number[] = [];
  for (let t = 0; t < lframes; t++) {
    if (lo[t]! >= peak - LOUDNESS_FLOOR_DB) {
      la.push(lo[t]!);
      lb.push(lp[t]!);
    }
  }
  let loudnessCorrelation = NaN;
  if (la.length < MIN_COMPARED_FRAMES) {
    reasons.loudnessCorrelation = `Only ${la.length} frames of the original are within ${LOUDNESS_FLOOR_DB} dB of its loudest; at least ${MIN_COMPARED_FRAMES} are needed.`;
  } else {
    const c = pearson(la, lb);
    loudnessCorrelation = c.r;
    if (c.flat)
      reasons.loudnessCorrelation =
        'The loudness does not change in one of the clips (a steady level), so its correlation is undefined.';
  }

  const ro = original.syllables.rate;
  const rp = processed.syllables.rate;
  let syllableRateChange = NaN;
  if (!(ro > 0))
    reasons.syllableRateChange = 'No syllables were found in the original, so there is no speaking rate to compare.';
  else if (!Number.isFinite(rp))
    reasons.syllableRateChange = 'The processed clip has no speech left to measure a speaking rate on.';
  else syllableRateChange = (rp - ro) / ro;

  return {
    f0Correlation,
    f0RmseSemitones,
    f0Frames: so.length,
    voicingAgreement,
    voicingFrames: sounding,
    loudnessCorrelation,
    loudnessFrames: la.length,
    syllableRateOriginal: ro,
    syllableRateProcessed: rp,
    syllableRateChange,
    reasons,
  };
}

/** The one-call form: cues of `original` kept in `processed` (both 16 kHz mono). */
export function cueRetention(original: Float32Array, processed: Float32Array): CueRetention {
  checkSignal(original, 'The original clip');
  checkSignal(processed, 'The processed clip');
  return compareCues(analyzeCues(original), analyzeCues(processed));
}

/** How to read each number, for reports and the app (one source, so the CLI and the UI explain them alike). */
export interface CueMetricInfo {
  key: CueMetric;
  label: string;
  /** Unit after the number ('' for a plain ratio). */
  unit: string;
  /** The value that means "fully kept". */
  ideal: number;
  /** One plain-language sentence for readers who are not signal-processing people. */
  explain: string;
}

export const CUE_METRICS: readonly CueMetricInfo[] = [
  {
    key: 'f0Correlation',
    label: 'Pitch contour correlation',
    unit: '',
    ideal: 1,
    explain:
      'Does the voice still rise and fall in the same places? 1 means the melody of the speech has the same shape; 0 means no relation.',
  },
  {
    key: 'f0RmseSemitones',
    label: 'Pitch difference',
    unit: 'st',
    ideal: 0,
    explain:
      'How far the pitch moved, on average, in semitones (one piano key). 0 means the same pitch; 12 would be a whole octave.',
  },
  {
    key: 'voicingAgreement',
    label: 'Voicing agreement',
    unit: '',
    ideal: 1,
    explain:
      'Share of moments where both clips agree on whether the voice is humming (vowels) or not (hiss, pauses). Noise lowers it.',
  },
  {
    key: 'loudnessCorrelation',
    label: 'Loudness contour correlation',
    unit: '',
    ideal: 1,
    explain:
      'Do the stressed, louder syllables stay where they were? 1 means loud and soft moments follow the same pattern, whatever the volume.',
  },
  {
    key: 'syllableRateChange',
    label: 'Speaking-rate change',
    unit: '',
    ideal: 0,
    explain:
      'Change in syllables per second, counted from bursts of vowel energy. 0 means the same tempo; +10 % would sound 10 % faster.',
  },
];
