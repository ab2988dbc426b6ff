/** The Evaluate tab's job: methods × clips on a dataset, rows streamed into the store. */
import { BASELINE_IDS } from '../../core/baselines';
import type { EvalMethod, EvaluateArgs, JobResult } from '../../engine/api';
import { isAbortError } from '../../core/abort';
import { errorText, loadModels, run, startTrack, withSample } from '../shared/jobs';
import { useAppStore } from '../store';

const set = useAppStore.setState;

// ---------------------------------------------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------------------------------------------

let evalController: AbortController | null = null;

export async function runEvaluation(args: EvaluateArgs): Promise<void> {
  evalController?.abort();
  const controller = new AbortController();
  evalController = controller;
  // The previous results stay on screen until the new run finishes (a cancelled run does not cost them).
  set((s) => ({ evaluation: { ...startTrack(), args, rows: [], done: 0, total: 0, result: s.evaluation.result } }));
  await loadModels();
  // Rows arrive one per clip and method; batch them so a fast run does not re-render per row.
  let pending: JobResult<'evaluate'>['rows'] = [];
  let flushTimer: ReturnType<typeof setTimeout> | null = null;
  const flush = () => {
    flushTimer = null;
    if (!pending.length || evalController !== controller) return;
    const add = pending;
    pending = [];
    set((s) => ({ evaluation: { ...s.evaluation, rows: [...s.evaluation.rows, ...add] } }));
  };
  try {
    const result = await run('evaluate', args, controller.signal, (p) => {
      if (evalController !== controller) return;
      const d = p.detail;
      if (d?.kind === 'evaluate-row') {
        pending.push(d.row);
        flushTimer ??= setTimeout(flush, 200);
      }
      set((s) => ({
        evaluation: {
          ...s.evaluation,
          stage: p.stage,
          fraction: p.fraction,
          samples: withSample(s.evaluation, p.fraction),
          ...(d?.kind === 'evaluate-row' ? { done: d.done, total: d.total } : {}),
        },
      }));
    });
    if (evalController !== controller) return;
    set((s) => ({
      evaluation: { ...s.evaluation, status: 'done', result, rows: result.rows, fraction: 1, stage: '' },
    }));
  } catch (err) {
    if (evalController !== controller) return;
    flush();
    const cancelled = isAbortError(err);
    set((s) => ({
      evaluation: {
        ...s.evaluation,
        status: cancelled ? 'cancelled' : 'error',
        error: cancelled ? null : errorText(err),
        stage: '',
      },
    }));
  } finally {
    if (flushTimer) clearTimeout(flushTimer);
  }
}

export function cancelEvaluation(): void {
  evalController?.abort();
}

export const ALL_METHODS: EvalMethod[] = ['original', 'aclipse', ...BASELINE_IDS];
