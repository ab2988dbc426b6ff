/**
 * Privacy–utility evaluation shared by `npm run eval:aclipse`, `npm run eval` and the app's Evaluate screen:
 * protect each clip with a method at a budget, run the frozen (or attacker) evaluators on the result, and summarise
 * WA / UA / WER / CER, SNR and where the perturbation landed.
 */
import { perturbationReport } from './analysis';
import { applyBaseline, type BaselineId, type BaselineParams } from './baselines';
import type { AclipseGenerator } from './aclipse/model';
import { cer, confusionMatrix, unweightedAccuracy, wer, weightedAccuracy } from './ml/metrics';
import type { AsrModel, SerModel } from './ml/models';
import { argmax, predictAsr, predictSer, type DecodeOptions } from './ml/train';

export type MethodId = 'original' | 'aclipse' | BaselineId;

export interface LabelledClip {
  id: string;
  wave: Float32Array;
  /** Index into EMOTIONS. */
  emotion: number;
  /** Normalised reference transcript. */
  text: string;
}

export interface ClipResult {
  id: string;
  method: MethodId;
  emotion: number;
  predicted: number;
  probabilities: number[];
  reference: string;
  greedy: string;
  beam: string | null;
  /** SNR of the protected clip against the original (Infinity for 'original'). */
  snrDb: number;
  /** Share of the perturbation's energy at or above 2 kHz. */
  highShare: number;
  lowChangeDb: number;
  highChangeDb: number;
}

export interface MethodSummary {
  method: MethodId;
  n: number;
  wa: number;
  ua: number;
  wer: number;
  cer: number;
  /** With the lexicon beam search (the stronger decoder), when one was run. */
  werBeam: number | null;
  cerBeam: number | null;
  snrDb: number;
  highShare: number;
  lowChangeDb: number;
  highChangeDb: number;
  /** confusion[true][pred] */
  confusion: number[][];
}

export interface ProtectOptions {
  budgetDb: number;
  generator?: AclipseGenerator | null;
  baselineParams?: BaselineParams;
  seed?: number;
}

/** Applies one protection method to a clip. */
export async function protectWith(method: MethodId, wave: Float32Array, opts: ProtectOptions): Promise<Float32Array> {
  if (method === 'original') return wave;
  if (method === 'aclipse') {
    if (!opts.generator) throw new Error('No Aclipse generator is loaded');
    return (await opts.generator.protect(wave, opts.budgetDb)).wave;
  }
  return applyBaseline(method, wave, { minSnrDb: opts.budgetDb, params: opts.baselineParams, seed: opts.seed }).y;
}

export interface ScoreModels {
  ser: SerModel;
  asr: AsrModel;
  /** Lexicon beam search (stronger attacker) in addition to greedy decoding, when given. */
  beam?: DecodeOptions | null;
}

/** Runs the evaluators on already protected clips; batch-friendly and async (works on every backend). */
export async function scoreClips(
  method: MethodId,
  originals: LabelledClip[],
  protectedWaves: Float32Array[],
  models: ScoreModels,
): Promise<ClipResult[]> {
  const probs = await predictSer(models.ser, protectedWaves);
  const asr = await predictAsr(
    models.asr,
    protectedWaves,
    models.beam ? { beam: true, ...models.beam } : {},
  );
  return originals.map((c, i) => {
    const rep = method === 'original' ? null : perturbationReport(c.wave, protectedWaves[i]);
    return {
      id: c.id,
      method,
      emotion: c.emotion,
      predicted: argmax(probs[i]),
      probabilities: Array.from(probs[i]),
      reference: c.text,
      greedy: asr[i].greedy,
      beam: asr[i].beam ?? null,
      snrDb: rep ? rep.snrDb : Infinity,
      highShare: rep ? rep.perturbationHighShare : 0,
      lowChangeDb: rep ? rep.lowChangeDb : 0,
      highChangeDb: rep ? rep.highChangeDb : 0,
    };
  });
}

export interface EvaluateOptions extends ProtectOptions {
  batchSize?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/** Protects and scores a list of clips with one method. */
export async function evaluateMethod(
  method: MethodId,
  clips: LabelledClip[],
  models: ScoreModels,
  opts: EvaluateOptions,
): Promise<ClipResult[]> {
  const out: ClipResult[] = [];
  const batch = opts.batchSize ?? 16;
  for (let i = 0; i < clips.length; i += batch) {
    if (opts.signal?.aborted) throw new DOMException('Evaluation cancelled', 'AbortError');
    const part = clips.slice(i, i + batch);
    const waves: Float32Array[] = [];
    for (const c of part) waves.push(await protectWith(method, c.wave, { ...opts, seed: (opts.seed ?? 0) + i }));
    out.push(...(await scoreClips(method, part, waves, models)));
    opts.onProgress?.(Math.min(clips.length, i + batch), clips.length);
  }
  return out;
}

function mean(xs: number[]): number {
  const finite = xs.filter((x) => Number.isFinite(x));
  return finite.length ? finite.reduce((a, b) => a + b, 0) / finite.length : NaN;
}

/** Corpus-level metrics of one method's clip results. */
export function summarizeResults(method: MethodId, rows: ClipResult[], classes = 4): MethodSummary {
  const truth = rows.map((r) => r.emotion);
  const pred = rows.map((r) => r.predicted);
  const refs = rows.map((r) => r.reference);
  const hasBeam = rows.length > 0 && rows.every((r) => r.beam !== null);
  return {
    method,
    n: rows.length,
    wa: weightedAccuracy(truth, pred),
    ua: unweightedAccuracy(truth, pred, classes),
    wer: wer(refs, rows.map((r) => r.greedy)).rate,
    cer: cer(refs, rows.map((r) => r.greedy)).rate,
    werBeam: hasBeam ? wer(refs, rows.map((r) => r.beam as string)).rate : null,
    cerBeam: hasBeam ? cer(refs, rows.map((r) => r.beam as string)).rate : null,
    snrDb: method === 'original' ? Infinity : mean(rows.map((r) => r.snrDb)),
    highShare: mean(rows.map((r) => r.highShare)),
    lowChangeDb: mean(rows.map((r) => r.lowChangeDb)),
    highChangeDb: mean(rows.map((r) => r.highChangeDb)),
    confusion: confusionMatrix(truth, pred, classes),
  };
}

/** Mean and sample standard deviation (0 for one value). */
export function meanSd(xs: number[]): { mean: number; sd: number } {
  const m = xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const sd = xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1)) : 0;
  return { mean: m, sd };
}

/** CSV of clip results (one row per clip and method), for exports. */
export function resultsToCsv(rows: ClipResult[], emotionNames: readonly string[]): string {
  const esc = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const head = ['id', 'method', 'emotion', 'predicted', ...emotionNames.map((e) => `p_${e}`), 'reference', 'greedy', 'beam', 'snr_db', 'high_share', 'low_change_db', 'high_change_db'];
  const lines = rows.map((r) =>
    [
      r.id,
      r.method,
      emotionNames[r.emotion],
      emotionNames[r.predicted],
      ...r.probabilities.map((p) => p.toFixed(4)),
      r.reference,
      r.greedy,
      r.beam ?? '',
      Number.isFinite(r.snrDb) ? r.snrDb.toFixed(2) : 'inf',
      r.highShare.toFixed(4),
      r.lowChangeDb.toFixed(2),
      r.highChangeDb.toFixed(2),
    ]
      .map((v) => esc(String(v)))
      .join(','),
  );
  return [head.join(','), ...lines].join('\n') + '\n';
}
