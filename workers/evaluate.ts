/**
 * The Evaluate screen's job: the shared evaluation pipeline (src/core/evaluation.ts, the same one `npm run eval`
 * runs) over a dataset the user opened, one clip at a time so progress and cancel stay immediate, with the worker's
 * own protection (chunked, any active generator) and the frozen evaluators as they are loaded in the app.
 */
import * as tf from '@tensorflow/tfjs';
import { cueRetention } from '../src/core/cues';
import {
  evaluateClips,
  summarizeRun,
  type Condition,
  type ClipRef,
  type EvaluationReaders,
} from '../src/core/evaluation';
import type { BackendName, EvaluateArgs, EvaluateResult } from '../src/engine/api';
import { decodeEntry, type DatasetStore } from './datasets';
import type { JobContext } from './jobs';
import type { ModelStore } from './models';
import { analyzeWith, protectWave } from './protect';

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
  const clips: ClipRef[] = datasets
    .select(args)
    .map((e) => ({ id: e.id, emotion: e.emotion, text: e.text, load: () => decodeEntry(e) }));
  const conditions: Condition[] = methods.map((method) => ({ method, budgetDb: args.budgetDb }));
  const readers: EvaluationReaders = {
    async protect(method, wave, budgetDb, seed) {
      await ctx.checkpoint();
      if (method === 'original') return { wave, snrDb: null };
      const p = await protectWave(models, method, wave, budgetDb, { params: args.params, seed, ctx });
      return { wave: p.wave, snrDb: p.snrDb };
    },
    async read(waves) {
      const out = [];
      for (const w of waves) {
        await ctx.checkpoint();
        // The prosody is for the voice-relative reading of the user's own clips, not for dataset scores.
        const a = await analyzeWith(evaluators, models.lexiconWords, w, 'skip');
        out.push({
          predicted: a.emotion,
          probabilities: a.probabilities,
          greedy: a.transcriptGreedy,
          beam: a.transcriptBeam,
        });
      }
      return out;
    },
    // Label-free, so it is the one emotion measure that holds on datasets whose voices the SER does not know.
    cues: cueRetention,
  };
  const run = await evaluateClips(clips, conditions, readers, {
    batchSize: 1,
    seed: args.seed ?? 0,
    signal: ctx.signal,
    onRow: (row, done, total) =>
      ctx.progress(`Evaluating ${row.method}`, done / total, { kind: 'evaluate-row', row, done, total }),
  });
  return {
    datasetId: args.datasetId,
    split: args.split,
    budgetDb: args.budgetDb,
    clips: clips.length - run.failed.length,
    failed: run.failed,
    summaries: summarizeRun(run, conditions),
    rows: run.rows,
    generatorId,
    backend: tf.getBackend() as BackendName,
    seconds: (performance.now() - started) / 1000,
  };
}
