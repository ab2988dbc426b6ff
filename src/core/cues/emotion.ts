/**
 * Emotion read from prosody relative to the voice: the reading for voices the neural SER does not know.
 *
 * In the corpus (and in acted speech generally) an emotion is a shift of pitch, range, level, tilt and rate against
 * the speaker's own habits, and one clip of an unknown voice does not say where those habits lie. A few clips of the
 * same voice do: each cue is measured against the voice's mean over its clips (an enrolment; no labels needed), and
 * a nearest-class-mean rule fitted on the training voices, measured the same way, reads the emotion. Why this design
 * and what it measured: docs/evaluators.md, "Emotion relative to the voice".
 */
import { EMOTIONS, type Emotion } from '../data/emotions';
import { speechLevel, alphaRatioDb } from './level';
import { syllableRate } from './loudness';
import { semitones, trackPitch } from './pitch';
import type { CueAnalysis } from './retention';
import { percentile } from '../stats';

export const PROSODY_CUES = ['f0St', 'f0RangeSt', 'levelDb', 'tiltDb', 'rate'] as const;
export type ProsodyCue = (typeof PROSODY_CUES)[number];
export type ProsodyCues = Record<ProsodyCue, number>;

/** Fewer voiced frames than this (0.1 s) give no pitch statistics worth comparing. */
const MIN_VOICED_FRAMES = 10;

/**
 * The clip's prosody: mean F0 (semitones re 100 Hz) and its p10–p90 range over voiced frames, speech-active level
 * (dBFS), alpha ratio (dB) and syllable nuclei per second. Null when the clip has too little voiced speech. The pitch
 * track is most of the cost: pass the clip's cue analysis when one was made already (analyzeCues).
 */
export function prosodyCues(x: Float32Array, known?: Pick<CueAnalysis, 'pitch' | 'syllables'>): ProsodyCues | null {
  const track = known?.pitch ?? trackPitch(x);
  const st: number[] = [];
  for (let t = 0; t < track.f0Hz.length; t++) if (track.voiced[t]) st.push(semitones(track.f0Hz[t]!));
  if (st.length < MIN_VOICED_FRAMES) return null;
  const rate = (known?.syllables ?? syllableRate(x)).rate;
  const levelDb = speechLevel(x).activeDb;
  if (!Number.isFinite(rate) || !Number.isFinite(levelDb)) return null;
  return {
    f0St: st.reduce((a, b) => a + b, 0) / st.length,
    f0RangeSt: percentile(st, 0.9) - percentile(st, 0.1),
    levelDb,
    tiltDb: alphaRatioDb(x),
    rate,
  };
}

/** A voice's reference: the mean of each cue over clips of that voice (an enrolment). */
export function voiceBaseline(clips: readonly ProsodyCues[]): ProsodyCues {
  if (clips.length === 0) throw new Error('A voice baseline needs at least one clip of the voice');
  const out = {} as ProsodyCues;
  for (const c of PROSODY_CUES) out[c] = clips.reduce((s, x) => s + x[c], 0) / clips.length;
  return out;
}

/**
 * The reference a reading uses for a voice known from `clips` (any number, the clip being read may be one of them):
 * their mean, pulled toward the training voices' average as if that were `model.prior.clips` more clips. With few
 * clips their mean is mostly the emotions they happen to carry; with none, the reading is against an average voice.
 */
export function voiceReference(model: CueEmotionModel, clips: readonly ProsodyCues[]): ProsodyCues {
  const w = model.prior.clips;
  if (clips.length === 0) return { ...model.prior.baseline };
  const own = voiceBaseline(clips);
  const out = {} as ProsodyCues;
  for (const c of PROSODY_CUES) out[c] = (own[c] * clips.length + model.prior.baseline[c] * w) / (clips.length + w);
  return out;
}

/** The fitted rule, as shipped in public/models/cue-emotion.json. */
export interface CueEmotionModel {
  version: 1;
  emotions: Emotion[];
  /** The cues it reads, each relative to the voice's baseline. */
  cues: ProsodyCue[];
  /** z-scoring of the relative cues (training clips' mean and sd). */
  mean: number[];
  sd: number[];
  /** Per emotion, the centroid of the z-scored relative cues. */
  centroids: number[][];
  /** The training voices' mean baseline, and how many clips of a voice it weighs as (voiceReference). */
  prior: { baseline: ProsodyCues; clips: number };
  /** Fewest clips of a voice as reference for a reading worth showing (the rule that chose it: provenance). */
  minClips: number;
  /** What the reading measured with k clips of the voice as its reference (WA, 0–1), for the UI to quote. */
  accuracy: { clips: number; val: number; testSpeaker: number }[];
  /** How it was fitted and what it measured (free-form, for the docs and the UI's provenance line). */
  provenance: Record<string, unknown>;
}

export interface CueEmotionRow {
  cues: ProsodyCues;
  baseline: ProsodyCues;
  emotion: Emotion;
}

/** Fits the nearest-class-mean rule on clips of known voices, each with its own voice's baseline. */
export function fitCueEmotion(
  rows: readonly CueEmotionRow[],
  cues: readonly ProsodyCue[],
  opts: {
    minClips: number;
    priorClips: number;
    accuracy?: CueEmotionModel['accuracy'];
    provenance?: Record<string, unknown>;
  },
): CueEmotionModel {
  const rel = rows.map((r) => cues.map((c) => r.cues[c] - r.baseline[c]));
  const mean = cues.map((_, k) => rel.reduce((s, v) => s + v[k]!, 0) / rel.length);
  const sd = cues.map((_, k) => Math.sqrt(rel.reduce((s, v) => s + (v[k]! - mean[k]!) ** 2, 0) / rel.length) || 1);
  const centroids = EMOTIONS.map((e) => {
    const mine = rel.filter((_, i) => rows[i]!.emotion === e);
    if (mine.length === 0) throw new Error(`No training clip is ${e}`);
    return cues.map((_, k) => mine.reduce((s, v) => s + (v[k]! - mean[k]!) / sd[k]!, 0) / mine.length);
  });
  // The prior is the mean over voices (not clips), so a voice with more clips does not pull it.
  const voices = [...new Map(rows.map((r) => [PROSODY_CUES.map((c) => r.baseline[c]).join(','), r.baseline])).values()];
  return {
    version: 1,
    emotions: [...EMOTIONS],
    cues: [...cues],
    mean,
    sd,
    centroids,
    prior: { baseline: voiceBaseline(voices), clips: opts.priorClips },
    minClips: opts.minClips,
    accuracy: opts.accuracy ?? [],
    provenance: opts.provenance ?? {},
  };
}

export interface CueEmotionReading {
  emotion: Emotion;
  /** Per emotion (model order): a Gaussian with unit variance around each centroid, so a calibrated-looking softmax. */
  probs: number[];
}

export function readCueEmotion(model: CueEmotionModel, cues: ProsodyCues, baseline: ProsodyCues): CueEmotionReading {
  const z = model.cues.map((c, k) => (cues[c] - baseline[c] - model.mean[k]!) / model.sd[k]!);
  const logits = model.centroids.map((m) => -0.5 * m.reduce((s, mk, k) => s + (mk - z[k]!) ** 2, 0));
  const top = Math.max(...logits);
  const e = logits.map((l) => Math.exp(l - top));
  const sum = e.reduce((a, b) => a + b, 0);
  const probs = e.map((v) => v / sum);
  return { emotion: model.emotions[probs.indexOf(Math.max(...probs))]!, probs };
}

/**
 * Reads every clip against the reference of all the clips of its voice in `clips` (one enrolment per voice, as a
 * listener who has all of them would): the reading the app gives a voice it has several clips of.
 */
export function readByVoice(
  model: CueEmotionModel,
  clips: readonly { voice: string; cues: ProsodyCues }[],
): CueEmotionReading[] {
  const voices = new Map<string, ProsodyCues[]>();
  for (const c of clips) {
    const own = voices.get(c.voice);
    if (own) own.push(c.cues);
    else voices.set(c.voice, [c.cues]);
  }
  const refs = new Map([...voices].map(([v, cs]) => [v, voiceReference(model, cs)]));
  return clips.map((c) => readCueEmotion(model, c.cues, refs.get(c.voice)!));
}

/** The measured accuracy for a reference of `clips` clips: the entry for the most clips not above it. */
export function accuracyFor(model: CueEmotionModel, clips: number): CueEmotionModel['accuracy'][number] | null {
  return model.accuracy
    .filter((a) => a.clips <= clips)
    .reduce<CueEmotionModel['accuracy'][number] | null>((best, a) => (!best || a.clips > best.clips ? a : best), null);
}

/** Checks a model file's shape before the app trusts it. */
export function parseCueEmotionModel(json: unknown): CueEmotionModel {
  const m = json as Partial<CueEmotionModel>;
  const n = m.cues?.length ?? 0;
  const ok =
    m.version === 1 &&
    Array.isArray(m.cues) &&
    m.cues.every((c) => (PROSODY_CUES as readonly string[]).includes(c)) &&
    m.mean?.length === n &&
    m.sd?.length === n &&
    m.sd.every((v) => v > 0) &&
    Array.isArray(m.emotions) &&
    m.centroids?.length === m.emotions.length &&
    m.centroids.every((c) => c.length === n) &&
    typeof m.minClips === 'number' &&
    Array.isArray(m.accuracy) &&
    typeof m.prior?.clips === 'number' &&
    m.prior.clips >= 0 &&
    PROSODY_CUES.every((c) => Number.isFinite(m.prior?.baseline[c]));
  if (!ok) throw new Error('Not a cue-emotion model (version 1)');
  return m as CueEmotionModel;
}
