/** The Train tab's jobs: the two-stage generator training (resumable) and fine-tuning the evaluators. */
import type { FineTuneArgs, TrainArgs } from '../../engine/api';
import { isAbortError } from '../../core/abort';
import { errorText, loadModels, run, setModels, startTrack, withSample } from '../shared/jobs';
import { activeGeneratorOf, IDLE_JOB, useAppStore } from '../store';

const get = () => useAppStore.getState();
const set = useAppStore.setState;

// ---------------------------------------------------------------------------------------------------------------
// Training
// ---------------------------------------------------------------------------------------------------------------

let trainController: AbortController | null = null;
const MAX_STEP_POINTS = 2000;

/**
 * Progress over all requested stages (the worker's fraction restarts with each stage), from a step report:
 * epochs before this one, plus the share of this epoch done.
 */
export function overallTrainFraction(
  step: { stage: 1 | 2; epoch: number; step: number; steps: number },
  args: Pick<TrainArgs, 'config' | 'stages'>,
): number | null {
  const e1 = args.stages.includes(1) ? args.config.stage1.epochs : 0;
  const e2 = args.stages.includes(2) ? args.config.stage2.epochs : 0;
  const total = e1 + e2;
  if (total <= 0) return null;
  const before = step.stage === 2 ? e1 : 0;
  return Math.min(1, Math.max(0, (before + step.epoch + (step.step + 1) / Math.max(1, step.steps)) / total));
}

export async function runTraining(args: TrainArgs): Promise<void> {
  trainController?.abort();
  const controller = new AbortController();
  trainController = controller;
  const prev = get().training;
  const keepHistory = !!args.resume && !!prev.session;
  set({
    training: {
      ...prev,
      ...startTrack(),
      args,
      lastStep: null,
      steps: keepHistory ? prev.steps : [],
      epochs: keepHistory ? prev.session!.epochs : [],
      comparison: null,
      comparing: false,
      session: keepHistory ? prev.session : null,
      kept: false,
    },
  });
  let stepIndex = keepHistory ? (prev.steps.at(-1)?.index ?? 0) : 0;
  await loadModels(false, { languageModel: false }); // the trainer decodes greedily
  try {
    const result = await run('train', args, controller.signal, (p) => {
      if (trainController !== controller) return;
      const d = p.detail;
      set((s) => {
        const t = s.training;
        let steps = t.steps;
        let epochs = t.epochs;
        let lastStep = t.lastStep;
        let fraction = t.fraction;
        if (d?.kind === 'train-step') {
          fraction = overallTrainFraction(d, args);
          lastStep = d;
          stepIndex++;
          steps = [
            ...steps,
            {
              index: stepIndex,
              stage: d.stage,
              ce: d.losses.ce,
              ctc: d.losses.ctc,
              ...(d.losses.cue === undefined ? {} : { cue: d.losses.cue }),
            },
          ];
          // Keep the curve light: drop every other old point once it gets long.
          if (steps.length > MAX_STEP_POINTS) steps = steps.filter((_, i) => i % 2 === 0 || i > steps.length - 200);
        } else if (d?.kind === 'train-epoch') {
          epochs = [...epochs.filter((e) => !(e.stage === d.report.stage && e.epoch === d.report.epoch)), d.report];
          fraction = overallTrainFraction({ stage: d.report.stage, epoch: d.report.epoch, step: 0, steps: 1 }, args);
        }
        const moved = fraction !== t.fraction;
        return {
          training: {
            ...t,
            stage: p.stage,
            fraction,
            samples: moved ? withSample(t, fraction) : t.samples,
            steps,
            epochs,
            lastStep,
          },
        };
      });
    });
    if (trainController !== controller) return;
    set((s) => ({
      training: {
        ...s.training,
        status: 'done',
        session: result.state,
        epochs: result.state.epochs,
        fraction: 1,
        stage: '',
      },
    }));
  } catch (err) {
    if (trainController !== controller) return;
    const cancelled = isAbortError(err);
    set((s) => ({
      training: {
        ...s.training,
        status: cancelled ? 'cancelled' : 'error',
        error: cancelled ? null : errorText(err),
        stage: '',
      },
    }));
    // The worker keeps the session after a cancel; it stops after the step it is in and rolls back to the last
    // finished epoch: wait until it has, then offer Resume from where it really is.
    set((s) => ({ training: { ...s.training, stopping: true } }));
    try {
      for (let i = 0; i < 600; i++) {
        const session = await run('trainingState', {});
        if (trainController !== controller) return;
        set((s) => ({ training: { ...s.training, session, epochs: session?.epochs ?? s.training.epochs } }));
        if (!session?.running) break;
        await new Promise((r) => setTimeout(r, 400));
      }
    } catch {
      // no session to resume; the Resume button stays hidden
    } finally {
      if (trainController === controller) set((s) => ({ training: { ...s.training, stopping: false } }));
    }
  }
}

export function cancelTraining(): void {
  trainController?.abort();
}

export async function discardTraining(): Promise<void> {
  try {
    await run('discardTraining', {});
  } catch (err) {
    get().notify('error', `Could not discard the training session: ${errorText(err)}`, 'train:discard');
  }
  set((s) => ({
    training: {
      ...s.training,
      ...IDLE_JOB,
      session: null,
      epochs: [],
      steps: [],
      lastStep: null,
      comparison: null,
      kept: false,
    },
  }));
}

export async function adoptTrained(label?: string): Promise<void> {
  try {
    const report = await run('adoptTrainedGenerator', { label });
    setModels(report);
    set((s) => ({ training: { ...s.training, kept: true } }));
    const active = activeGeneratorOf(report);
    get().notify(
      'info',
      `Protect now uses the weights you trained (${active?.label ?? report.activeGenerator}).`,
      'train:adopted',
    );
  } catch (err) {
    get().notify('error', `Could not use the trained weights: ${errorText(err)}`, 'train:adopt');
  }
}

/**
 * Compares the trained generator's last validation scores with the generator in use (normally the shipped one),
 * scored now on the same validation split, with the same clip limit and budget.
 */
export async function compareWithActive(): Promise<void> {
  const s = get();
  const session = s.training.session;
  const generatorId = s.models.report?.activeGenerator ?? null;
  if (!session || !generatorId) return;
  const args = s.training.args;
  set((st) => ({ training: { ...st.training, comparing: true, comparison: null } }));
  await loadModels();
  try {
    const result = await run('evaluate', {
      datasetId: session.datasetId,
      split: args?.valSplit ?? 'val',
      limit: args?.valLimit ?? 32,
      seed: session.config.seed,
      methods: ['aclipse'],
      budgetDb: session.config.budgetDb,
    });
    set((st) => ({ training: { ...st.training, comparison: { generatorId, result }, comparing: false } }));
  } catch (err) {
    set((st) => ({ training: { ...st.training, comparing: false } }));
    get().notify('error', `The comparison failed: ${errorText(err)}`, 'train:compare');
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Fine-tuning the evaluators
// ---------------------------------------------------------------------------------------------------------------

let fineTuneController: AbortController | null = null;

export async function runFineTune(args: FineTuneArgs): Promise<void> {
  fineTuneController?.abort();
  const controller = new AbortController();
  fineTuneController = controller;
  set({ fineTune: { ...startTrack(), result: null } });
  await loadModels(false, { languageModel: false }); // fine-tuning decodes greedily
  try {
    const result = await run('fineTuneEvaluators', args, controller.signal, (p) => {
      if (fineTuneController !== controller) return;
      set((s) => ({
        fineTune: { ...s.fineTune, stage: p.stage, fraction: p.fraction, samples: withSample(s.fineTune, p.fraction) },
      }));
    });
    if (fineTuneController !== controller) return;
    setModels(result.models);
    set((s) => ({ fineTune: { ...s.fineTune, status: 'done', result, fraction: 1, stage: '' } }));
  } catch (err) {
    if (fineTuneController !== controller) return;
    const cancelled = isAbortError(err);
    set((s) => ({
      fineTune: {
        ...s.fineTune,
        status: cancelled ? 'cancelled' : 'error',
        error: cancelled ? null : errorText(err),
        stage: '',
      },
    }));
  }
}

export function cancelFineTune(): void {
  fineTuneController?.abort();
}
