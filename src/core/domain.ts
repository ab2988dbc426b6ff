/**
 * Is this clip something the evaluators know? The shipped SER and ASR were trained on seven synthetic voices; on
 * other voices (real people, other languages) their transcript and emotion are guesses that look as confident as
 * real readings. This module turns the evaluators' own outputs and the waveform into a few signals, and a small
 * calibrated rule (public/models/domain.json, fitted by `npm run eval:domain`) into a verdict with reasons a user
 * can read. Plain TypeScript, no tfjs: the worker, the CLIs and the UI tests all use it.
 */
import { fftInPlace } from './analysis';
import { percentile } from './stats';

/** Measurements of one clip; every value is finite. */
export interface DomainSignals {
  /** Clip length, s. */
  duration: number;
  /** Seconds of frames loud enough to hold speech (above −50 dBFS and within 35 dB of the loudest frame). */
  activeSeconds: number;
  /** Share of all frames that are active (0–1). */
  activeShare: number;
  /** Share of active frames whose energy sits in one narrow spectral peak (a tone or beep, not a voice), 0–1. */
  tonalShare: number;
  /** ASR: share of frames whose most likely symbol is the CTC blank, 0–1. */
  asrBlankRate: number;
  /** ASR: share of non-blank frames whose most likely symbol has probability under 0.5, 0–1. */
  asrUnsure: number;
  /** ASR: mean entropy of the non-blank frames' distributions divided by log(vocabulary), 0–1. */
  asrEntropy: number;
  /** ASR: mean probability of the best symbol over non-blank frames, 0–1. */
  asrCharConfidence: number;
  /** ASR: letters written (greedy, blanks and repeats collapsed) per active second. */
  asrCharRate: number;
  /** SER: the highest emotion probability, 0–1. */
  serMaxProb: number;
  /** SER: entropy of the emotion distribution divided by log(classes), 0–1. */
  serEntropy: number;
}

export type DomainFeature = Exclude<keyof DomainSignals, 'duration' | 'activeSeconds' | 'activeShare' | 'tonalShare'>;
export const DOMAIN_FEATURES: readonly DomainFeature[] = [
  'asrBlankRate',
  'asrUnsure',
  'asrEntropy',
  'asrCharConfidence',
  'asrCharRate',
  'serMaxProb',
  'serEntropy',
];

/** The fitted rule: logistic regression on standardised features, P(out of domain) = σ(bias + Σ wᵢ·zᵢ). */
export interface DomainCalibration {
  format: 'aclipse-domain/1';
  features: DomainFeature[];
  mean: number[];
  std: number[];
  weights: number[];
  bias: number;
  /** Out of domain when P(out of domain) ≥ threshold. */
  threshold: number;
  /** Known voices' 10th/50th/90th percentiles of every feature (for the reasons). */
  typical: Partial<Record<DomainFeature, { p10: number; p50: number; p90: number }>>;
  /** No speech: fewer active seconds than this, or a larger tonal share than this. */
  noSpeech: { minActiveSeconds: number; maxTonalShare: number };
  provenance?: Record<string, unknown>;
}

export type DomainVerdictKind = 'in-domain' | 'out-of-domain' | 'no-speech';

export interface DomainVerdict {
  verdict: DomainVerdictKind;
  /** P(out of domain) under the calibration, 0–1 (1 for no speech). */
  score: number;
  /** Sentences saying why (empty for a clean in-domain clip). */
  reasons: string[];
  signals: DomainSignals;
}

const FRAME = 400; // 25 ms at 16 kHz
const HOP = 320; // 20 ms
const TONAL_FFT = 512;
/** At most this many active frames get an FFT for the tonality check (evenly spread): bounded cost on long clips. */
const TONAL_MAX_FRAMES = 400;
const HANN_512 = Float64Array.from(
  { length: TONAL_FFT },
  (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / TONAL_FFT),
);

/** Speech presence from the waveform: active seconds/share and the share of tonal (single-peak) active frames. */
export function speechPresence(
  x: Float32Array,
  sampleRate = 16000,
): Pick<DomainSignals, 'duration' | 'activeSeconds' | 'activeShare' | 'tonalShare'> {
  const duration = x.length / sampleRate;
  const frames = Math.max(1, Math.floor(Math.max(0, x.length - FRAME) / HOP) + 1);
  const db = new Float64Array(frames);
  let loudest = -Infinity;
  for (let f = 0; f < frames; f++) {
    let e = 0;
    const s = f * HOP;
    const end = Math.min(x.length, s + FRAME);
    for (let i = s; i < end; i++) e += x[i]! * x[i]!;
    db[f] = 10 * Math.log10(e / FRAME + 1e-12);
    loudest = Math.max(loudest, db[f]!);
  }
  const floor = Math.max(-50, loudest - 35);
  const active: number[] = [];
  for (let f = 0; f < frames; f++) if (db[f]! > floor) active.push(f);
  let tonal = 0;
  const step = Math.max(1, active.length / TONAL_MAX_FRAMES);
  const re = new Float64Array(TONAL_FFT);
  const im = new Float64Array(TONAL_FFT);
  const half = TONAL_FFT / 2;
  const p = new Float64Array(half + 1);
  let checked = 0;
  for (let a = 0; a < active.length; a += step) {
    const s = active[Math.floor(a)]! * HOP;
    for (let i = 0; i < TONAL_FFT; i++) {
      re[i] = (s + i < x.length ? x[s + i]! : 0) * HANN_512[i]!;
      im[i] = 0;
    }
    fftInPlace(re, im);
    let total = 0;
    let best = 0;
    let bestK = 0;
    for (let k = 1; k <= half; k++) {
      p[k] = re[k]! * re[k]! + im[k]! * im[k]!;
      total += p[k]!;
      if (p[k]! > best) {
        best = p[k]!;
        bestK = k;
      }
    }
    // A Hann-windowed sinusoid keeps ~all its energy within ±2 bins of its peak; a voice spreads it over harmonics.
    let peak = 0;
    for (let k = Math.max(1, bestK - 2); k <= Math.min(half, bestK + 2); k++) peak += p[k]!;
    if (total > 0 && peak / total > 0.9) tonal++;
    checked++;
  }
  return {
    duration,
    activeSeconds: (active.length * HOP) / sampleRate,
    activeShare: active.length / frames,
    tonalShare: checked ? tonal / checked : 0,
  };
}

/** ASR signals from per-frame log-probabilities [frames × v] (row-major), blank = index 0. */
export function asrFrameStats(
  logProbs: Float32Array,
  v: number,
): { frames: number; blank: number; unsure: number; entropy: number; confidence: number; letters: number } {
  const t = Math.floor(logProbs.length / v);
  let blank = 0;
  let unsure = 0;
  let entropy = 0;
  let confidence = 0;
  let letters = 0;
  let prev = -1;
  const logV = Math.log(v);
  for (let f = 0; f < t; f++) {
    const o = f * v;
    let best = 0;
    for (let k = 1; k < v; k++) if (logProbs[o + k]! > logProbs[o + best]!) best = k;
    if (best === 0) {
      blank++;
    } else {
      const pBest = Math.exp(logProbs[o + best]!);
      let h = 0;
      for (let k = 0; k < v; k++) {
        const lp = logProbs[o + k]!;
        if (lp > -60) h -= Math.exp(lp) * lp;
      }
      entropy += h / logV;
      confidence += pBest;
      if (pBest < 0.5) unsure++;
      if (best !== prev) letters++;
    }
    prev = best;
  }
  return { frames: t, blank, unsure, entropy, confidence, letters };
}

/** Pools per-piece ASR stats into the signals (frame-weighted). */
export function asrSignals(
  stats: ReturnType<typeof asrFrameStats>[],
  activeSeconds: number,
): Pick<DomainSignals, 'asrBlankRate' | 'asrUnsure' | 'asrEntropy' | 'asrCharConfidence' | 'asrCharRate'> {
  const sum = (k: keyof ReturnType<typeof asrFrameStats>) => stats.reduce((s, x) => s + x[k], 0);
  const frames = sum('frames');
  const nonBlank = frames - sum('blank');
  return {
    asrBlankRate: frames ? sum('blank') / frames : 1,
    // With no letter at all the recognizer is not "unsure"; the blank rate and letter rate carry that case.
    asrUnsure: nonBlank ? sum('unsure') / nonBlank : 0,
    asrEntropy: nonBlank ? sum('entropy') / nonBlank : 0,
    asrCharConfidence: nonBlank ? sum('confidence') / nonBlank : 1,
    asrCharRate: sum('letters') / Math.max(activeSeconds, 0.1),
  };
}

/** SER signals from the emotion probabilities. */
export function serSignals(probabilities: ArrayLike<number>): Pick<DomainSignals, 'serMaxProb' | 'serEntropy'> {
  let max = 0;
  let h = 0;
  for (let i = 0; i < probabilities.length; i++) {
    const p = probabilities[i]!;
    max = Math.max(max, p);
    if (p > 0) h -= p * Math.log(p);
  }
  return { serMaxProb: max, serEntropy: probabilities.length > 1 ? h / Math.log(probabilities.length) : 0 };
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** P(out of domain) of one clip under a calibration. */
export function domainScore(s: DomainSignals, c: DomainCalibration): number {
  let z = c.bias;
  c.features.forEach((f, i) => (z += c.weights[i]! * ((s[f] - c.mean[i]!) / c.std[i]!)));
  return sigmoid(z);
}

const pct = (x: number) => `${Math.round(100 * x)} %`;

/** A sentence about one feature, given the clip's value and the known voices' bound in the direction that counts. */
function describe(f: DomainFeature, value: number, bound: number, higherIsOdd: boolean): string {
  const typ = (fmt: (x: number) => string) =>
    `(typical for known voices: ${higherIsOdd ? 'under' : 'over'} ${fmt(bound)})`;
  switch (f) {
    case 'asrUnsure':
      return `the speech recognizer is unsure on ${pct(value)} of the frames where it hears a letter ${typ(pct)}`;
    case 'asrEntropy':
      return `the speech recognizer's letter guesses are spread thin: uncertainty ${pct(value)} of the maximum ${typ(pct)}`;
    case 'asrCharConfidence':
      return `the speech recognizer is on average ${pct(value)} sure of the letters it writes ${typ(pct)}`;
    case 'asrBlankRate':
      return `the speech recognizer hears no letter in ${pct(value)} of the frames ${typ(pct)}`;
    case 'asrCharRate':
      return `the speech recognizer writes ${value.toFixed(1)} letters per second of sound ${typ((x) => x.toFixed(1))}`;
    case 'serMaxProb':
      return `the emotion model's top score is ${pct(value)} ${typ(pct)}`;
    case 'serEntropy':
      return `the emotion model spreads its scores over the four emotions (uncertainty ${pct(value)} of the maximum) ${typ(pct)}`;
  }
}

/** The verdict for one clip: no speech, else the calibrated rule, with the reasons behind it. */
export function assessDomain(signals: DomainSignals, calib: DomainCalibration): DomainVerdict {
  const ns = calib.noSpeech;
  if (signals.activeSeconds < ns.minActiveSeconds) {
    return {
      verdict: 'no-speech',
      score: 1,
      reasons: [
        signals.activeSeconds === 0
          ? 'the clip is silent'
          : `only ${signals.activeSeconds.toFixed(2)} s of the clip is loud enough to be speech (at least ${ns.minActiveSeconds} s needed)`,
      ],
      signals,
    };
  }
  if (signals.tonalShare > ns.maxTonalShare) {
    return {
      verdict: 'no-speech',
      score: 1,
      reasons: [`${pct(signals.tonalShare)} of the sound is a steady tone (a beep or hum), not a voice`],
      signals,
    };
  }
  const score = domainScore(signals, calib);
  const out = score >= calib.threshold;
  // Reasons: the features whose value lies beyond the known voices' 90 % range in the direction the rule counts
  // as odd, strongest contribution first.
  const reasons = calib.features
    .map((f, i) => {
      const w = calib.weights[i]!;
      const t = calib.typical[f];
      const higherIsOdd = w > 0;
      const contribution = (w * (signals[f] - calib.mean[i]!)) / calib.std[i]!;
      const beyond = t ? (higherIsOdd ? signals[f] > t.p90 : signals[f] < t.p10) : false;
      const bound = t ? (higherIsOdd ? t.p90 : t.p10) : NaN;
      return { f, contribution, beyond, text: t ? describe(f, signals[f], bound, higherIsOdd) : '' };
    })
    .filter((r) => r.beyond && r.contribution > 0)
    .sort((a, b) => b.contribution - a.contribution)
    .map((r) => r.text);
  if (out && reasons.length === 0) {
    reasons.push(`the recognizers' outputs together look unlike those on known voices (score ${pct(score)})`);
  }
  return { verdict: out ? 'out-of-domain' : 'in-domain', score, reasons: out ? reasons : [], signals };
}

export interface FitOptions {
  features: DomainFeature[];
  /** L2 penalty on the weights (standardised units). */
  l2?: number;
  iterations?: number;
  noSpeech?: DomainCalibration['noSpeech'];
  provenance?: Record<string, unknown>;
}

/**
 * Fixed, not fitted. Tonal share: synthetic val clips reach 0.56 (flite's slt voice has a strong fundamental), a
 * steady tone 1.0 and 0.2-s beeps 0.92, so 0.8 sits between with room on both sides. 0.25 s of active sound is less
 * than any one word.
 */
export const DEFAULT_NO_SPEECH: DomainCalibration['noSpeech'] = { minActiveSeconds: 0.25, maxTonalShare: 0.8 };

/**
 * Fits the rule: class-balanced L2 logistic regression (full-batch gradient descent from zero, so the result is
 * deterministic) on features standardised with the pooled mean/std; the threshold maximises balanced accuracy on the
 * same data (ties go to the higher threshold, i.e. fewer known voices flagged).
 */
export function fitDomainCalibration(
  inDomain: DomainSignals[],
  outDomain: DomainSignals[],
  opts: FitOptions,
): DomainCalibration {
  if (!inDomain.length || !outDomain.length) throw new Error('fitting needs in-domain and out-of-domain examples');
  const feats = opts.features;
  if (!feats.length) throw new Error('no features to fit on');
  const rows = [...inDomain, ...outDomain];
  const y = rows.map((_, i) => (i < inDomain.length ? 0 : 1));
  const mean = feats.map((f) => rows.reduce((s, r) => s + r[f], 0) / rows.length);
  const std = feats.map((f, j) => Math.sqrt(rows.reduce((s, r) => s + (r[f] - mean[j]!) ** 2, 0) / rows.length) || 1);
  const X = rows.map((r) => feats.map((f, j) => (r[f] - mean[j]!) / std[j]!));
  // Each class weighs half, whatever the counts.
  const cw = y.map((t) => 0.5 / (t ? outDomain.length : inDomain.length));
  const w = new Array<number>(feats.length).fill(0);
  let b = 0;
  const l2 = opts.l2 ?? 0.01;
  const lr = 0.5;
  for (let it = 0; it < (opts.iterations ?? 3000); it++) {
    const gw = w.map((wj) => l2 * wj);
    let gb = 0;
    X.forEach((x, i) => {
      const p = sigmoid(b + x.reduce((s, xj, j) => s + xj * w[j]!, 0));
      const g = (p - y[i]!) * cw[i]!;
      x.forEach((xj, j) => (gw[j]! += g * xj));
      gb += g;
    });
    w.forEach((_, j) => (w[j]! -= lr * gw[j]!));
    b -= lr * gb;
  }
  const calib: DomainCalibration = {
    format: 'aclipse-domain/1',
    features: [...feats],
    mean,
    std,
    weights: w,
    bias: b,
    threshold: 0.5,
    typical: Object.fromEntries(
      feats.map((f) => {
        const v = inDomain.map((s) => s[f]);
        return [f, { p10: percentile(v, 0.1), p50: percentile(v, 0.5), p90: percentile(v, 0.9) }];
      }),
    ),
    noSpeech: opts.noSpeech ?? DEFAULT_NO_SPEECH,
    provenance: opts.provenance,
  };
  const sIn = inDomain.map((s) => domainScore(s, calib));
  const sOut = outDomain.map((s) => domainScore(s, calib));
  let best = { t: 0.5, acc: -1 };
  for (const t of [...sIn, ...sOut].sort((a, c) => c - a)) {
    const acc = (sIn.filter((s) => s < t).length / sIn.length + sOut.filter((s) => s >= t).length / sOut.length) / 2;
    if (acc > best.acc) best = { t, acc };
  }
  calib.threshold = best.t;
  return calib;
}

/** Checks a parsed domain.json; throws a sentence naming what is wrong. */
export function parseDomainCalibration(json: unknown): DomainCalibration {
  const o = json as Partial<DomainCalibration> | null;
  const bad = (what: string) => new Error(`domain calibration: ${what}`);
  if (!o || typeof o !== 'object' || o.format !== 'aclipse-domain/1') throw bad('not an aclipse-domain/1 file');
  const n = o.features?.length ?? 0;
  if (!Array.isArray(o.features) || n === 0 || !o.features.every((f) => DOMAIN_FEATURES.includes(f)))
    throw bad('unknown or missing features');
  for (const k of ['mean', 'std', 'weights'] as const) {
    const a = o[k];
    if (!Array.isArray(a) || a.length !== n || !a.every((x) => typeof x === 'number' && Number.isFinite(x)))
      throw bad(`${k} must be ${n} numbers`);
  }
  if (!o.std!.every((x) => x > 0)) throw bad('std must be positive');
  if (typeof o.bias !== 'number' || !Number.isFinite(o.bias)) throw bad('bias must be a number');
  if (typeof o.threshold !== 'number' || !(o.threshold > 0 && o.threshold <= 1))
    throw bad('threshold must be in (0, 1]');
  const ns = o.noSpeech;
  if (!ns || typeof ns.minActiveSeconds !== 'number' || typeof ns.maxTonalShare !== 'number')
    throw bad('noSpeech thresholds missing');
  return { ...o, typical: o.typical ?? {} } as DomainCalibration;
}
