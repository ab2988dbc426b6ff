/**
 * The one privacy–utility evaluation, shared by the app's Evaluate screen (workers/evaluate.ts), `npm run eval`,
 * `npm run eval:aclipse` and the external-attacker report: for each clip and each condition (a method held to a
 * budget), protect, read the result with the frozen evaluators (and, in Node, external recognizers), and score.
 * One row type, one summary. Plain TypeScript: the readers are injected, so this file never touches tfjs.
 */
import { throwIfAborted } from './abort';
import { perturbationReport } from './analysis';
import { applyBaseline, type BaselineId, type BaselineParams } from './baselines';
import type { Protector } from './aclipse/banded';
import { EMOTIONS, type Emotion } from './data/emotions';
import { median } from './stats';
import { cer, confusionMatrix, unweightedAccuracy, wer, weightedAccuracy, type ErrorRate } from './metrics/scores';

export type MethodId = 'original' | 'aclipse' | BaselineId;

/**
 * A dataset clip to evaluate, by reference: its wave loads lazily so a long dataset never sits in memory whole.
 * (Decoded clips in memory are `LabelledClip`s, in `data/clip.ts`.)
 */
export interface ClipRef {
  id: string;
  emotion: Emotion | null;
  /** Reference transcript (raw or normalised; scoring normalises), null when the dataset has none. */
  text: string | null;
  load(): Promise<Float32Array> | Float32Array;
}

/** A method held to a minimum SNR. 'original' ignores the budget. */
export interface Condition {
  method: MethodId;
  budgetDb: number;
}

/** What the frozen evaluators read from one clip. */
export interface Reading {
  predicted: Emotion;
  probabilities: number[];
  greedy: string;
  /** Beam search with word list and LM, when the ASR has one. */
  beam: string | null;
}

/** Transcripts of external recognizers (Node only), by attacker id. */
export type ExternalTranscripts = Record<string, string>;

/** The protected clip read again after white noise of the same energy (the "gain over noise" reference). */
export interface MatchedNoise {
  snrDb: number;
  predicted: Emotion;
  transcript: string;
  external: ExternalTranscripts | null;
  /** Cue retention of the noisy twin against the original (absent when cues are not measured). */
  cues?: CueMetrics | null;
}

/** One clip under one condition: the single row type of every evaluation. */
export interface EvaluationRow {
  clipId: string;
  method: MethodId;
  /** The budget the method was held to (null for 'original'). */
  budgetDb: number | null;
  emotion: Emotion | null;
  predicted: Emotion;
  probabilities: number[];
  reference: string | null;
  greedy: string;
  beam: string | null;
  /** What the app shows: the beam transcript when there is one, else greedy. */
  transcript: string;
  /** Per-clip WER / CER of `transcript` against the reference (null without one). */
  wer: number | null;
  cer: number | null;
  /** Achieved SNR against the original (null for 'original'). */
  snrDb: number | null;
  lowChangeDb: number | null;
  highChangeDb: number | null;
  perturbationHighShare: number | null;
  /** Label-free emotion-cue retention against the original (null for 'original' or when not measured). */
  cues: CueMetrics | null;
  external: ExternalTranscripts | null;
  matchedNoise: MatchedNoise | null;
  ms: number;
}

/**
 * The cue-retention numbers the evaluation aggregates: a structural subset of src/core/cues' CueRetention, so the
 * evaluation does not depend on how they are computed (see there for each one's definition).
 */
export interface CueMetrics {
  f0Correlation: number;
  f0RmseSemitones: number;
  voicingAgreement: number;
  loudnessCorrelation: number;
  syllableRateChange: number;
}

export interface ExternalSummary {
  wer: ErrorRate;
  cer: ErrorRate;
  /** Same recognizer on the matched-noise copies (null when not measured). */
  werNoise: ErrorRate | null;
  /** Mean over clips of (clip WER − clip WER under matched noise), in rate units (0.25 = 25 points). */
  gainOverNoise: number | null;
  /** Standard error of that mean (null under two clips). */
  gainOverNoiseSe: number | null;
  /**
   * The same with each clip's WER capped at 100 %: the share of words hidden beyond noise. A recognizer that loops
   * ("the the the …") can reach thousands of % on one clip and carry the plain mean; this one it cannot.
   */
  gainOverNoiseCapped: number | null;
}

/** Medians over clips with a finite value. */
export interface CueSummary extends CueMetrics {
  clips: number;
}

export interface MethodSummary {
  method: MethodId;
  budgetDb: number | null;
  clips: number;
  /** Over clips with an emotion label (NaN without any). */
  wa: number;
  ua: number;
  /** confusion[true][predicted] in EMOTIONS order. */
  confusion: number[][];
  /** Corpus-level, over clips with a reference: of the shown transcript, of greedy decoding, of the beam search. */
  wer: ErrorRate;
  cer: ErrorRate;
  werGreedy: ErrorRate;
  cerGreedy: ErrorRate;
  werBeam: ErrorRate | null;
  /** Share of clips whose predicted emotion differs from the prediction on the original (null without it). */
  serChanged: number | null;
  meanSnrDb: number | null;
  meanLowChangeDb: number | null;
  meanHighChangeDb: number | null;
  meanPerturbationHighShare: number | null;
  cues: CueSummary | null;
  external: Record<string, ExternalSummary> | null;
  /** The same clips' white-noise twins at the same achieved SNR, read by the SER and the cue metrics. */
  matchedNoise?: { clips: number; wa: number; cues: CueSummary | null } | null;
  seconds: number;
}

export interface ProtectOptions {
  budgetDb: number;
  generator?: Protector | null;
  baselineParams?: BaselineParams;
  seed?: number;
}

/** Applies one protection method to a clip (Node and tests; the worker chunks long clips itself). */
export async function protectWith(
  method: MethodId,
  wave: Float32Array,
  opts: ProtectOptions,
): Promise<{ wave: Float32Array; snrDb: number | null }> {
  if (method === 'original') return { wave, snrDb: null };
  if (method === 'aclipse') {
    if (!opts.generator) throw new Error('No Aclipse generator is loaded');
    const r = await opts.generator.protect(wave, opts.budgetDb);
    return { wave: r.wave, snrDb: r.snrDb };
  }
  const r = applyBaseline(method, wave, { minSnrDb: opts.budgetDb, params: opts.baselineParams, seed: opts.seed });
  return { wave: r.y, snrDb: r.snrDb };
}

export interface EvaluationReaders {
  /** Protects one clip; `seed` is per clip so noise-like methods are reproducible. */
  protect(
    method: MethodId,
    wave: Float32Array,
    budgetDb: number,
    seed: number,
  ): Promise<{ wave: Float32Array; snrDb: number | null }>;
  /** The frozen evaluators on a batch of clips. */
  read(waves: Float32Array[]): Promise<Reading[]>;
  /** External recognizers (Node only). */
  external?(wave: Float32Array): Promise<ExternalTranscripts>;
  /** Label-free cue retention of a processed clip against its original. */
  cues?(original: Float32Array, processed: Float32Array): CueMetrics;
  /**
   * What a clip goes through between protection and every reader (e.g. a lossy codec on an upload path): applied to
   * each condition's output, the original included, and to the matched-noise twin, so both meet the same channel.
   * The achieved SNR and the perturbation's bands stay those of the protection itself.
   */
  channel?(wave: Float32Array): Promise<Float32Array>;
}

export interface EvaluationOptions {
  /** Clips read together (Node: 16 for speed; the worker: 1 so progress and cancel stay immediate). */
  batchSize?: number;
  /** Base seed; clip i gets seed + i. */
  seed?: number;
  /** Also read each protected clip's white-noise twin at the same achieved SNR (gain over noise). */
  matchedNoise?: boolean;
  signal?: AbortSignal;
  onRow?(row: EvaluationRow, done: number, total: number): void;
}

export interface EvaluationRun {
  rows: EvaluationRow[];
  failed: { clipId: string; error: string }[];
  /** Seconds spent per condition key (conditionKey). */
  seconds: Map<string, number>;
}

export function conditionKey(c: { method: MethodId; budgetDb: number | null }): string {
  return c.method === 'original' ? 'original' : `${c.method}@${c.budgetDb}`;
}

const emptyCount = { substitutions: 0, deletions: 0, insertions: 0, refLength: 0 };
const clipRate = (ref: string, hyp: string, f: typeof wer): number => f([ref], [hyp]).rate;

/**
 * Evaluates clips under conditions, clip batch by clip batch (each clip is decoded once, for all conditions), with
 * cancellation between steps and one callback per finished row.
 */
export async function evaluateClips(
  clips: readonly ClipRef[],
  conditions: readonly Condition[],
  readers: EvaluationReaders,
  opts: EvaluationOptions = {},
): Promise<EvaluationRun> {
  const uniq = [...new Map(conditions.map((c) => [conditionKey(c), c])).values()];
  if (uniq.length === 0) throw new Error('Choose at least one method to evaluate.');
  const rows: EvaluationRow[] = [];
  const failed: EvaluationRun['failed'] = [];
  const seconds = new Map<string, number>(uniq.map((c) => [conditionKey(c), 0]));
  const total = clips.length * uniq.length;
  const batchSize = Math.max(1, opts.batchSize ?? 1);
  const baseSeed = opts.seed ?? 0;
  let done = 0;

  for (let start = 0; start < clips.length; start += batchSize) {
    throwIfAborted(opts.signal, 'Evaluation cancelled');
    const batch: { clip: ClipRef; wave: Float32Array; seed: number }[] = [];
    for (let i = start; i < Math.min(clips.length, start + batchSize); i++) {
      const clip = clips[i]!;
      try {
        const wave = await clip.load();
        if (wave.length === 0) throw new Error('empty clip');
        batch.push({ clip, wave, seed: baseSeed + i });
      } catch (e) {
        failed.push({ clipId: clip.id, error: e instanceof Error ? e.message : String(e) });
        done += uniq.length;
      }
    }
    for (const cond of uniq) {
      throwIfAborted(opts.signal, 'Evaluation cancelled');
      const key = conditionKey(cond);
      const t0 = performance.now();
      const outs: { wave: Float32Array; snrDb: number | null }[] = [];
      for (const b of batch) {
        throwIfAborted(opts.signal, 'Evaluation cancelled');
        outs.push(await readers.protect(cond.method, b.wave, cond.budgetDb, b.seed));
      }
      const heard: Float32Array[] = [];
      for (const o of outs) heard.push(readers.channel ? await readers.channel(o.wave) : o.wave);
      const readings = await readers.read(heard);
      const externals = readers.external ? await Promise.all(heard.map((w) => readers.external!(w))) : null;
      let noise: (MatchedNoise | null)[] | null = null;
      // White noise is its own reference: its gain over noise is zero by construction, so it is not read twice.
      if (opts.matchedNoise && cond.method !== 'original' && cond.method !== 'noise') {
        noise = [];
        for (let i = 0; i < outs.length; i++) {
          const achieved = outs[i]!.snrDb;
          if (achieved === null || !Number.isFinite(achieved)) {
            noise.push(null);
            continue;
          }
          const n = applyBaseline('noise', batch[i]!.wave, { minSnrDb: achieved, seed: batch[i]!.seed + 7919 });
          const ny = readers.channel ? await readers.channel(n.y) : n.y;
          const [r] = await readers.read([ny]);
          noise.push({
            snrDb: n.snrDb,
            predicted: r!.predicted,
            transcript: r!.beam ?? r!.greedy,
            external: readers.external ? await readers.external(ny) : null,
            ...(readers.cues ? { cues: readers.cues(batch[i]!.wave, ny) } : {}),
          });
        }
      }
      const perClipMs = (performance.now() - t0) / Math.max(1, batch.length);
      seconds.set(key, seconds.get(key)! + (performance.now() - t0) / 1000);
      batch.forEach((b, i) => {
        const r = readings[i]!;
        const y = outs[i]!;
        const isOriginal = cond.method === 'original';
        const band = isOriginal ? null : perturbationReport(b.wave, y.wave);
        const transcript = r.beam ?? r.greedy;
        const ref = b.clip.text;
        const row: EvaluationRow = {
          clipId: b.clip.id,
          method: cond.method,
          budgetDb: isOriginal ? null : cond.budgetDb,
          emotion: b.clip.emotion,
          predicted: r.predicted,
          probabilities: r.probabilities,
          reference: ref,
          greedy: r.greedy,
          beam: r.beam,
          transcript,
          wer: ref !== null ? clipRate(ref, transcript, wer) : null,
          cer: ref !== null ? clipRate(ref, transcript, cer) : null,
          snrDb: isOriginal ? null : (y.snrDb ?? band!.snrDb),
          lowChangeDb: band?.lowChangeDb ?? null,
          highChangeDb: band?.highChangeDb ?? null,
          perturbationHighShare: band?.perturbationHighShare ?? null,
          cues: !isOriginal && readers.cues ? readers.cues(b.wave, heard[i]!) : null,
          external: externals ? externals[i]! : null,
          matchedNoise: noise?.[i] ?? null,
          ms: Math.round(perClipMs),
        };
        rows.push(row);
        done++;
        opts.onRow?.(row, done, total);
      });
    }
  }
  return { rows, failed, seconds };
}

const mean = (xs: number[]): number | null => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
const standardError = (xs: number[]): number | null => (xs.length > 1 ? meanSd(xs).sd / Math.sqrt(xs.length) : null);

/**
 * Gain over noise from per-clip (WER on the protected clip, WER on its noise twin) pairs, in rate units: the mean
 * with its standard error, and the mean with each WER capped at 1 (see ExternalSummary). Null without pairs; the
 * standard error also under two.
 */
export function gainOverNoiseStats(pairs: readonly (readonly [number, number])[]): {
  mean: number | null;
  se: number | null;
  capped: number | null;
} {
  const gains = pairs.map(([p, n]) => p - n);
  return {
    mean: mean(gains),
    se: standardError(gains),
    capped: mean(pairs.map(([p, n]) => Math.min(1, p) - Math.min(1, n))),
  };
}
const finite = (xs: (number | null | undefined)[]): number[] =>
  xs.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));

function summarizeCues(cues: readonly (CueMetrics | null | undefined)[]): CueSummary | null {
  const c = cues.filter((x): x is CueMetrics => x !== null && x !== undefined);
  if (c.length === 0) return null;
  return {
    f0Correlation: median(c.map((x) => x.f0Correlation)),
    f0RmseSemitones: median(c.map((x) => x.f0RmseSemitones)),
    voicingAgreement: median(c.map((x) => x.voicingAgreement)),
    loudnessCorrelation: median(c.map((x) => x.loudnessCorrelation)),
    syllableRateChange: median(c.map((x) => x.syllableRateChange)),
    clips: c.length,
  };
}

function summarizeExternal(rows: readonly EvaluationRow[]): Record<string, ExternalSummary> | null {
  const scored = rows.filter((r) => r.reference !== null && r.external !== null);
  if (scored.length === 0) return null;
  const ids = [...new Set(scored.flatMap((r) => Object.keys(r.external!)))].sort();
  const out: Record<string, ExternalSummary> = {};
  for (const id of ids) {
    const rs = scored.filter((r) => r.external![id] !== undefined);
    const refs = rs.map((r) => r.reference!);
    const hyps = rs.map((r) => r.external![id]!);
    const withNoise = rs.filter((r) => r.matchedNoise?.external?.[id] !== undefined);
    const pairs = withNoise.map(
      (r) =>
        [
          clipRate(r.reference!, r.external![id]!, wer),
          clipRate(r.reference!, r.matchedNoise!.external![id]!, wer),
        ] as const,
    );
    const g = gainOverNoiseStats(pairs);
    out[id] = {
      wer: wer(refs, hyps),
      cer: cer(refs, hyps),
      werNoise: withNoise.length
        ? wer(
            withNoise.map((r) => r.reference!),
            withNoise.map((r) => r.matchedNoise!.external![id]!),
          )
        : null,
      gainOverNoise: g.mean,
      gainOverNoiseSe: g.se,
      gainOverNoiseCapped: g.capped,
    };
  }
  return out;
}

function summarizeMatchedNoise(rows: readonly EvaluationRow[]): MethodSummary['matchedNoise'] {
  const withNoise = rows.filter((r): r is EvaluationRow & { matchedNoise: MatchedNoise } => r.matchedNoise !== null);
  if (withNoise.length === 0) return null;
  const labelled = withNoise.filter((r) => r.emotion !== null);
  return {
    clips: withNoise.length,
    wa: labelled.length
      ? weightedAccuracy(
          labelled.map((r) => EMOTIONS.indexOf(r.emotion!)),
          labelled.map((r) => EMOTIONS.indexOf(r.matchedNoise.predicted)),
        )
      : NaN,
    cues: summarizeCues(withNoise.map((r) => r.matchedNoise.cues)),
  };
}

/**
 * Corpus-level metrics of one condition's rows. `originals` (the same clips' 'original' rows) gives the share of
 * emotion reads that changed.
 */
export function summarizeRows(
  cond: { method: MethodId; budgetDb: number | null },
  rows: readonly EvaluationRow[],
  seconds = 0,
  originals: readonly EvaluationRow[] = [],
): MethodSummary {
  const labelled = rows.filter((r) => r.emotion !== null);
  const truth = labelled.map((r) => EMOTIONS.indexOf(r.emotion!));
  const pred = labelled.map((r) => EMOTIONS.indexOf(r.predicted));
  const withText = rows.filter((r) => r.reference !== null);
  const refs = withText.map((r) => r.reference!);
  const hasBeam = withText.length > 0 && withText.every((r) => r.beam !== null);
  const before = new Map(originals.map((r) => [r.clipId, r.predicted]));
  const compared = cond.method === 'original' ? [] : rows.filter((r) => before.has(r.clipId));
  const none: ErrorRate = { ...emptyCount, rate: NaN };
  return {
    method: cond.method,
    budgetDb: cond.method === 'original' ? null : cond.budgetDb,
    clips: rows.length,
    wa: labelled.length ? weightedAccuracy(truth, pred) : NaN,
    ua: labelled.length ? unweightedAccuracy(truth, pred, EMOTIONS.length) : NaN,
    confusion: confusionMatrix(truth, pred, EMOTIONS.length),
    wer: withText.length
      ? wer(
          refs,
          withText.map((r) => r.transcript),
        )
      : none,
    cer: withText.length
      ? cer(
          refs,
          withText.map((r) => r.transcript),
        )
      : none,
    werGreedy: withText.length
      ? wer(
          refs,
          withText.map((r) => r.greedy),
        )
      : none,
    cerGreedy: withText.length
      ? cer(
          refs,
          withText.map((r) => r.greedy),
        )
      : none,
    werBeam: hasBeam
      ? wer(
          refs,
          withText.map((r) => r.beam!),
        )
      : null,
    serChanged: compared.length
      ? compared.filter((r) => r.predicted !== before.get(r.clipId)).length / compared.length
      : null,
    meanSnrDb: mean(finite(rows.map((r) => r.snrDb))),
    meanLowChangeDb: mean(finite(rows.map((r) => r.lowChangeDb))),
    meanHighChangeDb: mean(finite(rows.map((r) => r.highChangeDb))),
    meanPerturbationHighShare: mean(finite(rows.map((r) => r.perturbationHighShare))),
    cues: summarizeCues(rows.map((r) => r.cues)),
    external: summarizeExternal(rows),
    matchedNoise: summarizeMatchedNoise(rows),
    seconds,
  };
}

/** One summary per condition, in the order given, each compared with the run's 'original' rows. */
export function summarizeRun(run: EvaluationRun, conditions: readonly Condition[]): MethodSummary[] {
  const originals = run.rows.filter((r) => r.method === 'original');
  const uniq = [...new Map(conditions.map((c) => [conditionKey(c), c])).values()];
  return uniq.map((c) => {
    const key = conditionKey(c);
    return summarizeRows(
      c,
      run.rows.filter((r) => conditionKey(r) === key),
      run.seconds.get(key) ?? 0,
      originals,
    );
  });
}

/** Mean and sample standard deviation (0 for one value). */
export function meanSd(xs: number[]): { mean: number; sd: number } {
  const m = xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const sd = xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1)) : 0;
  return { mean: m, sd };
}

/** CSV of evaluation rows (one per clip and condition), for exports and reports. */
export function rowsToCsv(rows: readonly EvaluationRow[]): string {
  const esc = (v: unknown) => {
    const s =
      v === null || v === undefined
        ? ''
        : typeof v === 'number'
          ? Number.isFinite(v)
            ? String(Math.round(v * 1e4) / 1e4)
            : String(v)
          : String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const externalIds = [...new Set(rows.flatMap((r) => Object.keys(r.external ?? {})))].sort();
  const head = [
    'clip',
    'method',
    'budget_db',
    'emotion',
    'predicted',
    ...EMOTIONS.map((e) => `p_${e}`),
    'reference',
    'greedy',
    'beam',
    'transcript',
    'wer',
    'cer',
    'snr_db',
    'low_change_db',
    'high_change_db',
    'perturbation_high_share',
    'f0_corr',
    'f0_rmse_st',
    'voicing_agreement',
    'loudness_corr',
    'rate_change',
    ...externalIds.map((id) => `${id}_transcript`),
    'noise_snr_db',
    ...externalIds.map((id) => `${id}_noise_transcript`),
    'noise_predicted',
    'noise_f0_corr',
    'noise_loudness_corr',
    'ms',
  ];
  const lines = rows.map((r) =>
    [
      r.clipId,
      r.method,
      r.budgetDb,
      r.emotion,
      r.predicted,
      ...EMOTIONS.map((_, i) => r.probabilities[i]),
      r.reference,
      r.greedy,
      r.beam,
      r.transcript,
      r.wer,
      r.cer,
      r.snrDb,
      r.lowChangeDb,
      r.highChangeDb,
      r.perturbationHighShare,
      r.cues?.f0Correlation,
      r.cues?.f0RmseSemitones,
      r.cues?.voicingAgreement,
      r.cues?.loudnessCorrelation,
      r.cues?.syllableRateChange,
      ...externalIds.map((id) => r.external?.[id]),
      r.matchedNoise?.snrDb,
      ...externalIds.map((id) => r.matchedNoise?.external?.[id]),
      r.matchedNoise?.predicted,
      r.matchedNoise?.cues?.f0Correlation,
      r.matchedNoise?.cues?.loudnessCorrelation,
      r.ms,
    ]
      .map(esc)
      .join(','),
  );
  return [head.join(','), ...lines].join('\n') + '\n';
}
