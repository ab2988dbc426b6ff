/**
 * The privacy–utility evaluation over a dataset: for each clip (decoded one at a time) and each method, protect at
 * the budget, run the frozen evaluators, and score emotion (WA/UA, confusion) and words (WER/CER against the
 * dataset transcript), plus SNR and where the perturbation's energy went (below/above 2 kHz).
 */
import * as tf from '@tensorflow/tfjs';
import { perturbationReport } from '../src/core/analysis';
import { EMOTIONS } from '../src/core/data';
import { cer, confusionMatrix, unweightedAccuracy, wer, weightedAccuracy } from '../src/core/ml/metrics';
import type {
  BackendName,
  EvalMethod,
  EvaluateArgs,
  EvaluateResult,
  EvaluationRow,
  MethodSummary,
} from '../src/engine/api';
import { decodeEntry, type DatasetStore } from './datasets';
import type { JobContext } from './jobs';
import type { ModelStore } from './models';
import { analyzeWith, protectWave } from './protect';

const mean = (xs: number[]): number | null => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

export function summarizeRows(method: EvalMethod, rows: EvaluationRow[], seconds: number): MethodSummary {
  const labelled = rows.filter((r) => r.emotion !== null);
  const truth = labelled.map((r) => EMOTIONS.indexOf(r.emotion!));
  const pred = labelled.map((r) => EMOTIONS.indexOf(r.predicted));
  const withText = rows.filter((r) => r.reference !== null);
  const finite = (xs: (number | null)[]) => xs.filter((x): x is number => x !== null && Number.isFinite(x));
  return {
    method,
    clips: rows.length,
    wa: weightedAccuracy(truth, pred),
    ua: unweightedAccuracy(truth, pred, EMOTIONS.length),
    confusion: confusionMatrix(truth, pred, EMOTIONS.length),
    wer: wer(withText.map((r) => r.reference!), withText.map((r) => r.transcript)),
    cer: cer(withText.map((r) => r.reference!), withText.map((r) => r.transcript)),
    meanSnrDb: mean(finite(rows.map((r) => r.snrDb))),
    meanLowChangeDb: mean(finite(rows.map((r) => r.lowChangeDb))),
    meanHighChangeDb: mean(finite(rows.map((r) => r.highChangeDb))),
    meanPerturbationHighShare: mean(finite(rows.map((r) => r.perturbationHighShare))),
    seconds,
  };
}

export async function evaluateDataset(
  models: ModelStore,
  datasets: DatasetStore,
  args: EvaluateArgs,
  ctx: JobContext,
): Promise<EvaluateResult> {
  const started = performance.now();
  const methods = [...new Set(args.methods)];
  if (methods.length === 0) throw new Error('Choose at least one method to evaluate.');
  const evaluators = models.requireEvaluators();
  const generatorId = methods.includes('aclipse') ? models.requireGenerator().id : null;
  if (!Number.isFinite(args.budgetDb)) throw new RangeError('The budget (minimum SNR in dB) must be a number.');
  const entries = datasets.select(args);
  const rows: EvaluationRow[] = [];
  const failed: EvaluateResult['failed'] = [];
  const seconds = new Map<EvalMethod, number>(methods.map((m) => [m, 0]));
  const total = entries.length * methods.length;
  let done = 0;

  for (const entry of entries) {
    await ctx.checkpoint();
    let wave: Float32Array;
    try {
      wave = await decodeEntry(entry);
    } catch (e) {
      failed.push({ clipId: entry.id, error: e instanceof Error ? e.message : String(e) });
      done += methods.length;
      continue;
    }
    for (const method of methods) {
      await ctx.checkpoint();
      const t0 = performance.now();
      let y = wave;
      let snr: number | null = null;
      if (method !== 'original') {
        const p = await protectWave(models, method, wave, args.budgetDb, { params: args.params, seed: args.seed });
        y = p.wave;
        snr = p.snrDb;
      }
      const a = await analyzeWith(evaluators, models.lexiconWords, y);
      const band = method === 'original' ? null : perturbationReport(wave, y);
      const ref = entry.text;
      const ms = performance.now() - t0;
      seconds.set(method, seconds.get(method)! + ms / 1000);
      const row: EvaluationRow = {
        clipId: entry.id,
        method,
        emotion: entry.emotion,
        predicted: a.emotion,
        probabilities: a.probabilities,
        reference: ref,
        transcript: a.transcript,
        wer: ref !== null ? wer([ref], [a.transcript]).rate : null,
        cer: ref !== null ? cer([ref], [a.transcript]).rate : null,
        snrDb: snr,
        lowChangeDb: band?.lowChangeDb ?? null,
        highChangeDb: band?.highChangeDb ?? null,
        perturbationHighShare: band?.perturbationHighShare ?? null,
        ms: Math.round(ms),
      };
      rows.push(row);
      done++;
      ctx.progress(`Evaluating ${method}`, done / total, { kind: 'evaluate-row', row, done, total });
    }
  }
  return {
    datasetId: args.datasetId,
    split: args.split,
    budgetDb: args.budgetDb,
    clips: entries.length - failed.length,
    failed,
    summaries: methods.map((m) => summarizeRows(m, rows.filter((r) => r.method === m), seconds.get(m)!)),
    rows,
    generatorId,
    backend: tf.getBackend() as BackendName,
    seconds: (performance.now() - started) / 1000,
  };
}
