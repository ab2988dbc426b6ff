/**
 * Analyze and protect one clip: the evaluators' view of a clip, protection with the active generator or a
 * signal-processing baseline under the SNR budget, and what changed (SNR, transcripts, WER/CER with the word
 * alignment, band energies around 2 kHz, emotion-cue retention, spectra).
 */
import * as tf from '@tensorflow/tfjs';
import { PR_BINS, PR_NFFT } from '../src/core/aclipse/spectral';
import { perturbationReport } from '../src/core/analysis';
import { MAX_DURATION_S, SAMPLE_RATE } from '../src/core/audio';
import { applyBaseline } from '../src/core/baselines';
import { budgetRangeProblem } from '../src/core/budget';
import { analyzeCues, compareCues, type CueAnalysis } from '../src/core/cues';
import { prosodyCues } from '../src/core/cues/emotion';
import type { Evaluators } from '../src/core/ml/evaluators';
import { ALPHABET } from '../src/core/text/normalize';
import { asrLogProbs } from '../src/core/ml/predict';
import { normalizeSpans, protectSpans, type Span, type SpanReport } from '../src/core/spans';
import { ctcAlignWords, ctcWordTimes, wordsInSpan, type TimedWord } from '../src/core/wordtimes';
import {
  BASELINE_IDS,
  type AnalyzeArgs,
  type BackendName,
  type BaselineParams,
  type ClipAnalysis,
  type ProtectArgs,
  type ProtectMethod,
  type ProtectResult,
  type SpanResult,
  type WeightsBand,
} from '../src/engine/api';
import type { JobContext } from './jobs';
import { computeSpectra, intelligibility } from '../src/core/metrics/measure';
import type { ModelStore } from './models';

const ATTENTION_BINS = PR_BINS;

/** Rejects input the UI should never send, with a sentence a user can act on. */
export function checkWave(wave: unknown, what = 'The clip'): Float32Array {
  if (!(wave instanceof Float32Array)) throw new TypeError(`${what} must be a Float32Array of 16 kHz samples.`);
  if (wave.length === 0) throw new RangeError(`${what} is empty.`);
  // A little slack over the app's limit: resampling can add a few samples.
  if (wave.length > (MAX_DURATION_S + 1) * SAMPLE_RATE) {
    throw new RangeError(
      `${what} is ${(wave.length / SAMPLE_RATE / 60).toFixed(1)} min long; clips up to ${MAX_DURATION_S / 60} min are supported.`,
    );
  }
  for (let i = 0; i < wave.length; i += 997) {
    if (!Number.isFinite(wave[i]!)) throw new RangeError(`${what} contains invalid samples (NaN or infinity).`);
  }
  return wave;
}

/** Spans as the UI sends them, checked and normalised (sorted, merged, clipped), or null for the whole clip. */
function checkSpans(spans: unknown, wave: Float32Array): Span[] | null {
  if (spans === undefined || (Array.isArray(spans) && spans.length === 0)) return null;
  if (
    !Array.isArray(spans) ||
    !spans.every(
      (s: unknown) =>
        typeof s === 'object' &&
        s !== null &&
        typeof (s as Span).start === 'number' &&
        typeof (s as Span).end === 'number',
    )
  ) {
    throw new TypeError('Spans must be a list of { start, end } in seconds.');
  }
  return normalizeSpans(spans as Span[], wave.length / SAMPLE_RATE);
}

function checkBudget(budgetDb: unknown): number {
  if (typeof budgetDb !== 'number' || !Number.isFinite(budgetDb))
    throw new RangeError('The budget (minimum SNR in dB) must be a number.');
  const problem = budgetRangeProblem(budgetDb);
  if (problem) throw new RangeError(problem);
  return budgetDb;
}

/** The evaluators read at most this much audio at once (as Evaluators.predict does), so timings go per piece. */
const WORD_PIECE_SAMPLES = 30 * SAMPLE_RATE;

/**
 * Word times: the shown transcript force-aligned to the ASR's frames, or the words of its greedy path where that
 * is not possible (clips read in several pieces, a transcript that does not fit). A second ASR pass: predict does
 * not hand out its log-probabilities, and the evaluator code is not ours to change; it costs about as much again.
 */
export async function wordTimes(evaluators: Evaluators, wave: Float32Array, transcript: string): Promise<TimedWord[]> {
  const pieces: Float32Array[] = [];
  for (let i = 0; i < wave.length; i += WORD_PIECE_SAMPLES)
    pieces.push(wave.subarray(i, Math.min(wave.length, i + WORD_PIECE_SAMPLES)));
  const logProbs = await asrLogProbs(evaluators.asr, pieces);
  const v = evaluators.asr.config.vocab;
  const alphabet = ALPHABET.slice(0, v);
  if (logProbs.length === 1 && logProbs[0]!.length >= v) {
    const aligned = ctcAlignWords(
      logProbs[0]!,
      alphabet,
      transcript,
      wave.length / SAMPLE_RATE / (logProbs[0]!.length / v),
    );
    if (aligned) return aligned;
  }
  return logProbs.flatMap((lp, k) => {
    const frames = lp.length / v;
    if (frames === 0) return [];
    return ctcWordTimes(lp, alphabet, pieces[k]!.length / SAMPLE_RATE / frames, {
      offsetS: (k * WORD_PIECE_SAMPLES) / SAMPLE_RATE,
    });
  });
}

export async function analyzeWith(
  evaluators: Evaluators,
  lexiconWords: number,
  wave: Float32Array,
  /** 'measure' the clip's prosody, take it from the clip's cue analysis made already, or 'skip' it (datasets). */
  prosody: 'measure' | 'skip' | CueAnalysis = 'measure',
): Promise<ClipAnalysis> {
  const t0 = performance.now();
  const p = await evaluators.predict(wave);
  const words = await wordTimes(evaluators, wave, p.transcript);
  return {
    emotion: p.emotion,
    probabilities: [...p.probabilities],
    transcript: p.transcript,
    transcriptGreedy: p.transcriptGreedy,
    transcriptBeam: lexiconWords > 0 ? p.transcript : null,
    ms: Math.round(performance.now() - t0),
    backend: tf.getBackend() as BackendName,
    domain: p.domain,
    words,
    ...(prosody === 'skip' ? {} : { prosody: prosodyCues(wave, prosody === 'measure' ? undefined : prosody) }),
  };
}

export async function analyzeClip(models: ModelStore, args: AnalyzeArgs, ctx: JobContext): Promise<ClipAnalysis> {
  const wave = checkWave(args.wave);
  const evaluators = models.requireEvaluators();
  ctx.progress('Analyzing', 0);
  await ctx.checkpoint();
  const out = await analyzeWith(evaluators, models.lexiconWords, wave);
  ctx.progress('Analyzing', 1);
  return out;
}

export interface Protected {
  wave: Float32Array;
  snrDb: number;
  attention: { so: Float32Array; er: Float32Array } | null;
  generatorId: string | null;
  /** The generator's further weights that ran, chosen by the budget; null for its base weights and baselines. */
  band: WeightsBand | null;
  /** Per span, when only spans were protected. */
  spans?: SpanReport[];
}

/** Protects only the spans (the core's protectSpans around the same protection), the rest left bit for bit. */
async function protectOnly(
  models: ModelStore,
  method: ProtectMethod,
  wave: Float32Array,
  budgetDb: number,
  spans: Span[],
  opts: { params?: BaselineParams; seed?: number; ctx?: JobContext },
  onFraction: (f: number) => void,
): Promise<Protected> {
  let done = 0;
  const total = spans.reduce((n, s) => n + s.end - s.start, 0);
  let generatorId: string | null = null;
  let band: Protected['band'] = null;
  const so = new Float32Array(ATTENTION_BINS);
  const er = new Float32Array(ATTENTION_BINS);
  let weight = 0;
  const r = await protectSpans(
    wave,
    spans,
    async (piece, b) => {
      const one = await protectWave(models, method, piece, b, opts);
      generatorId = one.generatorId;
      band = one.band;
      if (one.attention) {
        for (let k = 0; k < ATTENTION_BINS; k++) {
          so[k]! += one.attention.so[k]! * piece.length;
          er[k]! += one.attention.er[k]! * piece.length;
        }
        weight += piece.length;
      }
      done += piece.length / SAMPLE_RATE;
      onFraction(Math.min(1, done / Math.max(total, 1e-9)));
      return one.wave;
    },
    { budgetDb },
  );
  if (weight > 0) {
    for (let k = 0; k < ATTENTION_BINS; k++) {
      so[k]! /= weight;
      er[k]! /= weight;
    }
  }
  return {
    wave: r.wave,
    snrDb: r.snrDb,
    attention: weight > 0 ? { so, er } : null,
    generatorId,
    band,
    spans: r.spans,
  };
}

/**
 * The protection itself. Aclipse is the generator's protect, which goes in its own 20-s pieces (each meets the
 * budget, so the clip does), cancellable through the job's signal and reporting progress between pieces.
 */
export async function protectWave(
  models: ModelStore,
  method: ProtectMethod,
  wave: Float32Array,
  budgetDb: number,
  opts: { params?: BaselineParams; seed?: number; ctx?: JobContext; onFraction?: (f: number) => void } = {},
): Promise<Protected> {
  if (method !== 'aclipse') {
    if (!BASELINE_IDS.includes(method)) throw new Error(`Unknown protection method “${String(method)}”.`);
    const r = applyBaseline(method, wave, { minSnrDb: budgetDb, params: opts.params, seed: opts.seed });
    opts.onFraction?.(1);
    return { wave: r.y, snrDb: r.snrDb, attention: null, generatorId: null, band: null };
  }
  const { id, generator, band } = models.requireGenerator(budgetDb);
  const r = await generator.protect(wave, budgetDb, { signal: opts.ctx?.signal, onProgress: opts.onFraction });
  return {
    wave: r.wave,
    snrDb: r.snrDb,
    attention: { so: r.soAttention, er: r.erAttention },
    generatorId: id,
    band,
  };
}

export async function protectClip(models: ModelStore, args: ProtectArgs, ctx: JobContext): Promise<ProtectResult> {
  const started = performance.now();
  const wave = checkWave(args.wave);
  const budgetDb = checkBudget(args.budgetDb);
  const evaluators = args.analyze === false ? null : models.evaluators;

  const spans = checkSpans(args.spans, wave);

  const analyzeShare = evaluators ? 0.5 : 0;
  ctx.progress('Protecting', 0);
  const t0 = performance.now();
  const opts = { params: args.params, seed: args.seed, ctx };
  const onFraction = (f: number) => ctx.progress('Protecting', f * (1 - analyzeShare) * 0.95);
  const p = spans
    ? await protectOnly(models, args.method, wave, budgetDb, spans, opts, onFraction)
    : await protectWave(models, args.method, wave, budgetDb, { ...opts, onFraction });
  const protectMs = performance.now() - t0;

  // The cues need no model, so they are measured even without the evaluators; the pitch tracks are shared with the
  // prosody of each analysis and the spectra's F0 overlay. A checkpoint between the two clips keeps a 10-minute clip
  // cancellable here.
  ctx.progress('Measuring the emotion cues', (1 - analyzeShare) * 0.95);
  const originalCues = analyzeCues(wave);
  await ctx.checkpoint();
  const protectedCues = analyzeCues(p.wave);
  await ctx.checkpoint();

  let original: ClipAnalysis | null = null;
  let prot: ClipAnalysis | null = null;
  let analyzeMs = 0;
  if (evaluators) {
    const t1 = performance.now();
    ctx.progress('Analyzing the original', 0.5);
    await ctx.checkpoint();
    original = await analyzeWith(evaluators, models.lexiconWords, wave, originalCues);
    ctx.progress('Analyzing the protected clip', 0.7);
    await ctx.checkpoint();
    prot = await analyzeWith(evaluators, models.lexiconWords, p.wave, protectedCues);
    analyzeMs = performance.now() - t1;
  }
  ctx.progress('Measuring', 0.95);
  await ctx.checkpoint();
  const given = args.referenceText?.trim();
  const intel =
    original && prot
      ? given
        ? intelligibility(given, 'given-text', prot.transcript)
        : intelligibility(original.transcript, 'original-transcript', prot.transcript)
      : null;
  const perturbation = perturbationReport(wave, p.wave);
  const cues = compareCues(originalCues, protectedCues);
  const spectra = args.spectra
    ? computeSpectra(wave, p.wave, args.spectra, SAMPLE_RATE, {
        original: originalCues.pitch,
        protected: protectedCues.pitch,
      })
    : null;
  const spanResults: SpanResult[] | undefined = p.spans?.map((s) => ({
    ...s,
    before: original?.words ? wordsInSpan(original.words, s) : null,
    after: prot?.words ? wordsInSpan(prot.words, s) : null,
  }));
  const totalMs = performance.now() - started;
  ctx.progress('Done', 1);
  return {
    method: args.method,
    generatorId: p.generatorId,
    band: p.band,
    budgetDb,
    wave: p.wave,
    snrDb: p.snrDb,
    attention: p.attention ? { ...p.attention, binHz: SAMPLE_RATE / PR_NFFT } : null,
    original,
    protected: prot,
    intelligibility: intel,
    perturbation,
    spectra,
    timing: {
      protectMs: Math.round(protectMs),
      analyzeMs: Math.round(analyzeMs),
      totalMs: Math.round(totalMs),
      realtimeFactor: protectMs > 0 ? wave.length / SAMPLE_RATE / (protectMs / 1000) : Infinity,
    },
    backend: tf.getBackend() as BackendName,
    cues,
    ...(spanResults ? { spans: spanResults } : {}),
  };
}
