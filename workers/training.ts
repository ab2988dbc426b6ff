/**
 * Training in the browser: the two-stage Aclipse trainer against the frozen evaluators, and fine-tuning of the
 * evaluators themselves. The training session (generator, optimizer, history) lives here between jobs, so a
 * cancelled run resumes from its last finished epoch, and its weights can be adopted, exported or discarded.
 */
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_MODULE_CONFIG } from '../src/core/aclipse/generator';
import { AclipseGenerator } from '../src/core/aclipse/model';
import {
  AclipseTrainer,
  cropProblem,
  type AclipseTrainConfig,
  type FrozenEvaluators,
} from '../src/core/aclipse/trainer';
import { validCueKeep } from '../src/core/training-config';
import type { TrainingClip } from '../src/core/data/clip';
import { emotionIndex, stratifiedSubset, type DatasetEntry } from '../src/core/data';
import type { FineTuneEntry } from '../src/core/ml/evaluators';
import type {
  BackendName,
  FineTuneArgs,
  FineTuneMetrics,
  FineTuneResult,
  ModelsReport,
  TrainArgs,
  TrainConfig,
  TrainEpochReport,
  TrainingState,
  TrainResult,
} from '../src/engine/api';
import { HELD_OUT_SPLITS, decodeEntry, splitOf, type DatasetStore } from './datasets';
import { abortError, isAbortError } from '../src/core/abort';
import { jobCancelledMessage, type JobContext } from './jobs';
import type { ModelStore } from './models';

const SR = 16000;
/** Fine-tuning batches are padded to their longest clip; longer clips are cut so a batch stays bounded. */
const MAX_FINETUNE_SAMPLES = 20 * SR;

function refuseHeldOut(split: string, use: string): void {
  if (HELD_OUT_SPLITS.has(split)) {
    throw new Error(
      `The “${split}” split is held out for evaluation and is never used for ${use}. Choose “train” (or “val”).`,
    );
  }
}

export function checkTrainConfig(c: TrainConfig): AclipseTrainConfig {
  const pos = (v: number, name: string, int = false) => {
    if (!Number.isFinite(v) || v <= 0 || (int && !Number.isInteger(v)))
      throw new RangeError(`${name} must be a positive ${int ? 'integer' : 'number'}.`);
  };
  const nonNeg = (v: number, name: string) => {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`${name} must be a whole number ≥ 0.`);
  };
  if (!Number.isFinite(c.budgetDb)) throw new RangeError('The budget must be a number of dB.');
  pos(c.subsetSize, 'The subset size', true);
  pos(c.swapEvery, 'The swap interval', true);
  pos(c.batchSize, 'The batch size', true);
  nonNeg(c.stage1.epochs, 'Stage 1 epochs');
  nonNeg(c.stage2.epochs, 'Stage 2 epochs');
  pos(c.stage1.learningRate, 'The stage 1 learning rate');
  pos(c.stage2.learningRate, 'The stage 2 learning rate');
  if (!Number.isFinite(c.stage1.lambda1)) throw new RangeError('λ1 must be a number.');
  if (!Number.isFinite(c.stage2.lambda2) || c.stage2.lambda2 <= 0)
    throw new RangeError('λ2 must be a positive number.');
  if (c.stage2.tune !== 'er' && c.stage2.tune !== 'so') throw new RangeError("Stage 2 tunes 'er' or 'so'.");
  const cue = c.cueKeep;
  if (cue && !validCueKeep(cue)) throw new RangeError('The cue-keeping weights must be numbers ≥ 0.');
  return {
    seed: Math.floor(c.seed),
    budgetDb: c.budgetDb,
    subsetSize: c.subsetSize,
    swapEvery: c.swapEvery,
    batchSize: c.batchSize,
    stage1: { ...c.stage1 },
    stage2: { ...c.stage2 },
    ...(cue ? { cueKeep: { pitch: cue.pitch, tilt: cue.tilt, level: cue.level } } : {}),
  };
}

/** Labelled clips a training split can use: the trainer needs both an emotion and a transcript. */
function trainable(entries: readonly DatasetEntry[]): DatasetEntry[] {
  return entries.filter((e) => e.emotion !== null && e.text !== null && e.text !== '');
}

async function toClip(e: DatasetEntry, maxSamples: number): Promise<TrainingClip> {
  const wave = await decodeEntry(e);
  return {
    id: e.id,
    samples: wave.length > maxSamples ? wave.slice(0, maxSamples) : wave,
    emotion: emotionIndex(e.emotion!),
    text: e.text!,
  };
}

function frozenEvaluators(models: ModelStore): FrozenEvaluators {
  // Looked up on every call: fine-tuning replaces the evaluator models, and a kept session must follow.
  return {
    ser: (w, l) => models.requireEvaluators().ser.forward(w, l, { training: false }),
    asr: (w, l) => {
      const o = models.requireEvaluators().asr.forward(w, l, { training: false });
      return { logits: o.logits, lengths: o.outLengths };
    },
  };
}

interface Session {
  datasetId: string;
  config: AclipseTrainConfig;
  stages: (1 | 2)[];
  generator: AclipseGenerator;
  trainer: AclipseTrainer;
  train: DatasetEntry[];
  val: TrainingClip[];
  maxSamples: number;
  epochs: TrainEpochReport[];
  next: { stage: 1 | 2; epoch: number } | null;
  readback: 'async' | 'sync';
  backend: BackendName;
  /** Weights at the end of the last finished epoch: a cancel mid-epoch rolls back to them. */
  lastGood: tf.NamedTensorMap | null;
}

function snapshot(gen: AclipseGenerator): tf.NamedTensorMap {
  const out: tf.NamedTensorMap = {};
  for (const [k, v] of Object.entries(gen.namedWeights())) out[k] = tf.clone(v);
  return out;
}

function firstNext(stages: (1 | 2)[], config: AclipseTrainConfig): Session['next'] {
  const s = stages.find((st) => (st === 1 ? config.stage1.epochs : config.stage2.epochs) > 0);
  return s ? { stage: s, epoch: 0 } : null;
}

export class TrainingService {
  private session: Session | null = null;
  private running = false;

  constructor(
    private readonly models: ModelStore,
    private readonly datasets: DatasetStore,
  ) {}

  state(): TrainingState | null {
    const s = this.session;
    if (!s) return null;
    return {
      running: this.running,
      datasetId: s.datasetId,
      config: { ...s.config, stage1: { ...s.config.stage1 }, stage2: { ...s.config.stage2 } },
      stages: [...s.stages],
      next: s.next ? { ...s.next } : null,
      epochs: s.epochs.slice(),
      trainClips: s.train.length,
      valClips: s.val.length,
      readback: s.readback,
      backend: s.backend,
    };
  }

  discard(): void {
    if (this.running) throw new Error('Training is running; cancel it before discarding the session.');
    this.drop();
  }

  private drop(): void {
    const s = this.session;
    if (!s) return;
    s.trainer.dispose();
    s.generator.dispose();
    if (s.lastGood) tf.dispose(Object.values(s.lastGood));
    this.session = null;
  }

  generator(): AclipseGenerator {
    if (!this.session) throw new Error('There is no training session (train first).');
    return this.session.generator;
  }

  provenance(): { trainedWith: unknown; metrics: unknown } {
    const s = this.session;
    if (!s) throw new Error('There is no training session (train first).');
    const lastVal = [...s.epochs].reverse().find((e) => e.val)?.val ?? null;
    return {
      trainedWith: {
        where: 'browser',
        dataset: this.datasets.info(s.datasetId).name,
        config: s.config,
        stages: s.stages,
        epochsDone: s.epochs.length,
        backend: s.backend,
        readback: s.readback,
      },
      metrics: lastVal ? { val: lastVal } : {},
    };
  }

  async adopt(label?: string): Promise<ModelsReport> {
    const gen = this.generator();
    return this.models.addTrained(gen, this.provenance(), label);
  }

  private async start(args: TrainArgs, ctx: JobContext): Promise<Session> {
    const config = checkTrainConfig(args.config);
    const stages = [...new Set(args.stages)].filter((s) => s === 1 || s === 2).sort() as (1 | 2)[];
    if (stages.length === 0) throw new Error('Choose stage 1, stage 2 or both.');
    this.models.requireEvaluators();
    const trainSplit = args.trainSplit ?? 'train';
    refuseHeldOut(trainSplit, 'training');
    const all = this.datasets.get(args.datasetId).entries;
    const train = trainable(all.filter((e) => splitOf(e) === trainSplit));
    if (train.length === 0) {
      throw new Error(
        `The split “${trainSplit}” has no clips with both an emotion label and a transcript, which training needs.`,
      );
    }
    const hasVal = all.some((e) => splitOf(e) === 'val');
    const valSplit = args.valSplit === undefined ? (hasVal && trainSplit !== 'val' ? 'val' : null) : args.valSplit;
    if (valSplit !== null) refuseHeldOut(valSplit, 'validation during training');
    // Any positive cut is accepted here; whether it fits the transcripts is checked just below.
    const maxSamples = Math.round(Math.max(0.1, args.maxClipSeconds ?? 8) * SR);
    const asr = this.models.requireEvaluators().asr;
    const valCandidates = valSplit === null ? [] : trainable(all.filter((e) => splitOf(e) === valSplit));
    const tooShort = cropProblem(
      [...train, ...valCandidates].map((e) => ({
        text: e.text!,
        samples: e.duration === null ? null : Math.round(e.duration * SR),
      })),
      maxSamples,
      (n) => asr.outputLength(n),
      SR,
    );
    if (tooShort) throw new RangeError(tooShort);

    ctx.progress('Preparing validation clips', 0);
    const val: TrainingClip[] = [];
    if (valSplit !== null) {
      const n = Math.max(0, Math.floor(args.valLimit ?? 32));
      for (const e of stratifiedSubset(valCandidates, n, `val:${config.seed}`)) {
        await ctx.checkpoint();
        val.push(await toClip(e, maxSamples));
      }
    }

    const init = args.init ?? 'fresh';
    let generator: AclipseGenerator;
    if (init === 'active') {
      const src = this.models.requireGenerator().generator;
      generator = new AclipseGenerator({ ...src.config, budgetDb: config.budgetDb }, config.seed);
      generator.setWeights(src.namedWeights());
    } else {
      generator = new AclipseGenerator(
        {
          so: args.architecture?.so ?? DEFAULT_MODULE_CONFIG,
          er: args.architecture?.er ?? DEFAULT_MODULE_CONFIG,
          budgetDb: config.budgetDb,
        },
        config.seed,
      );
    }
    const backend = tf.getBackend() as BackendName;
    // WebGPU reads back slowly and only asynchronously; on the CPU backends the one-pass sync step is cheaper.
    const readback = backend === 'webgpu' ? 'async' : 'sync';
    const trainer = new AclipseTrainer(generator, frozenEvaluators(this.models), config, { readback });
    return {
      datasetId: args.datasetId,
      config,
      stages,
      generator,
      trainer,
      train,
      val,
      maxSamples,
      epochs: [],
      next: firstNext(stages, config),
      readback,
      backend,
      lastGood: null,
    };
  }

  async train(args: TrainArgs, ctx: JobContext): Promise<TrainResult> {
    if (this.running) throw new Error('Training is already running; cancel it first.');
    this.running = true;
    try {
      return await this.trainSession(args, ctx);
    } finally {
      this.running = false;
    }
  }

  private async trainSession(args: TrainArgs, ctx: JobContext): Promise<TrainResult> {
    let s: Session;
    if (args.resume) {
      if (!this.session) throw new Error('There is no training session to resume.');
      if (this.session.datasetId !== args.datasetId)
        throw new Error('The kept training session was trained on another dataset.');
      s = this.session;
    } else {
      this.drop();
      s = await this.start(args, ctx);
      this.session = s;
    }
    s.lastGood ??= snapshot(s.generator);

    const hooks = {
      subset: async (swapIndex: number): Promise<TrainingClip[]> => {
        const picked = stratifiedSubset(s.train, s.config.subsetSize, `${s.config.seed}:${swapIndex}`);
        const clips: TrainingClip[] = [];
        for (const e of picked) {
          await ctx.checkpoint();
          clips.push(await toClip(e, s.maxSamples));
        }
        return clips;
      },
      val: s.val,
      signal: ctx.signal,
      onStep: async (r: {
        stage: 1 | 2;
        epoch: number;
        step: number;
        steps: number;
        losses: { ce: number; ctc: number; total: number };
      }) => {
        const epochs = r.stage === 1 ? s.config.stage1.epochs : s.config.stage2.epochs;
        ctx.progress(`Stage ${r.stage}, epoch ${r.epoch + 1}/${epochs}`, (r.epoch + (r.step + 1) / r.steps) / epochs, {
          kind: 'train-step',
          stage: r.stage,
          epoch: r.epoch,
          epochs,
          step: r.step,
          steps: r.steps,
          losses: r.losses,
        });
        // A cancel arrives as a message; the step ran without yielding, so let it in now. Without this the worker
        // only saw it at the end of the epoch, after running every remaining step.
        await ctx.checkpoint();
      },
      onEpoch: async (r: TrainEpochReport) => {
        const report: TrainEpochReport = JSON.parse(JSON.stringify(r)) as TrainEpochReport;
        s.epochs.push(report);
        const epochs = r.stage === 1 ? s.config.stage1.epochs : s.config.stage2.epochs;
        s.next = r.epoch + 1 < epochs ? { stage: r.stage, epoch: r.epoch + 1 } : this.after(s, r.stage);
        if (s.lastGood) tf.dispose(Object.values(s.lastGood));
        s.lastGood = snapshot(s.generator);
        ctx.progress(`Stage ${r.stage}, epoch ${r.epoch + 1}/${epochs} done`, (r.epoch + 1) / epochs, {
          kind: 'train-epoch',
          report,
        });
        await ctx.checkpoint();
      },
    };

    try {
      while (s.next) {
        const { stage, epoch } = s.next;
        await s.trainer.runStage(stage, hooks, epoch);
        // runStage returns after its last epoch; onEpoch has moved `next` on (or to null).
        if (s.next && s.next.stage === stage && s.next.epoch <= epoch) s.next = this.after(s, stage);
      }
    } catch (e) {
      if (isAbortError(e) || ctx.cancelled) {
        // Back to the end of the last finished epoch, so a resume repeats the interrupted one from a clean state.
        if (s.lastGood) s.generator.setWeights(s.lastGood);
        throw abortError(jobCancelledMessage(ctx.id));
      }
      throw e;
    }
    return { state: { ...this.state()!, running: false } };
  }

  private after(s: Session, stage: 1 | 2): Session['next'] {
    const later = s.stages.filter((st) => st > stage);
    return firstNext(later, s.config);
  }

  async fineTune(args: FineTuneArgs, ctx: JobContext): Promise<FineTuneResult> {
    const evaluators = this.models.requireEvaluators();
    const split = args.split ?? 'train';
    refuseHeldOut(split, 'fine-tuning');
    const picked = this.datasets.select({ ...args, split, limit: args.limit ?? 200 });
    const entries: FineTuneEntry[] = [];
    for (const [i, e] of picked.entries()) {
      await ctx.checkpoint();
      ctx.progress('Reading clips', i / picked.length);
      try {
        const wave = await decodeEntry(e);
        entries.push({
          samples: wave.length > MAX_FINETUNE_SAMPLES ? wave.slice(0, MAX_FINETUNE_SAMPLES) : wave,
          text: e.text ?? undefined,
          emotion: e.emotion ?? undefined,
        });
      } catch {
        // An unreadable clip is left out; the dataset's skip report already names broken files.
      }
    }
    if (entries.length === 0) throw new Error('None of the selected clips could be read.');
    const report = await evaluators.fineTune(
      entries,
      {
        targets: args.targets,
        epochs: args.epochs,
        learningRate: args.learningRate,
        maxBatch: args.maxBatch,
        valFraction: args.valFraction ?? 0.1,
        seed: args.seed,
      },
      (p) => ctx.progress(`Fine-tuning ${p.model.toUpperCase()}`, p.step / p.steps, { kind: 'finetune-step', ...p }),
      ctx.signal,
    );
    if (report.cancelled) throw abortError(jobCancelledMessage(ctx.id));
    this.models.markFineTuned();
    const ser = report.ser
      ? {
          clips: report.ser.clips,
          steps: report.ser.steps,
          loss: report.ser.loss,
          before: report.ser.before ? serMetrics(report.ser.before) : null,
          after: report.ser.after ? serMetrics(report.ser.after) : null,
        }
      : null;
    const asr = report.asr
      ? {
          clips: report.asr.clips,
          steps: report.asr.steps,
          loss: report.asr.loss,
          before: report.asr.before ? asrMetrics(report.asr.before) : null,
          after: report.asr.after ? asrMetrics(report.asr.after) : null,
        }
      : null;
    return { ser, asr, models: this.models.report() };
  }
}

function serMetrics(m: { n: number; wa: number; ua: number }): FineTuneMetrics {
  return { n: m.n, wa: m.wa, ua: m.ua };
}

function asrMetrics(m: {
  n: number;
  werGreedy: number;
  cerGreedy: number;
  werBeam?: number;
  cerBeam?: number;
}): FineTuneMetrics {
  return { n: m.n, wer: m.werBeam ?? m.werGreedy, cer: m.cerBeam ?? m.cerGreedy };
}
