/**
 * Framework-free evaluator service for the worker: load the shipped SER and ASR, run them on a clip, fine-tune them
 * on the user's own labelled clips (progress, AbortSignal cancel), and export the new weights.
 *
 *   const ev = await Evaluators.load({ ser: '/models/ser/', asr: '/models/asr/' });
 *   const p = await ev.predict(samples16k);          // { emotion, probabilities, transcript, ... }
 *   await ev.fineTune(entries, { epochs: 3 }, onProgress, signal);
 *   const { ser, asr } = await ev.exportWeights();    // model.json + weights.bin artifacts
 *
 * Only async readback (`await data()`) is used, so it runs on WebGPU as well as wasm/cpu.
 */
import * as tf from '@tensorflow/tfjs';
import { isAbortError } from '../abort';
import type { LabelledClip } from '../data/clip';
import { EMOTIONS, type Emotion } from '../data/emotions';
import {
  asrFrameStats,
  asrSignals,
  assessDomain,
  serSignals,
  speechPresence,
  type DomainCalibration,
  type DomainSignals,
  type DomainVerdict,
} from '../domain';
import { Lexicon } from '../text/decoders';
import { NgramLm } from '../text/lm';
import type { AsrModel, SerModel } from './models';
import { asrMetrics, lrAt, serMetrics, type AsrMetrics, type SerMetrics } from './train';
import { argmax, asrLogProbs, decodeAsr, predictAsr, predictSer } from './predict';
import { batchesPerEpoch, fit } from './fit';
import { FINE_TUNE_AUGMENT } from '../augment';
import { makeRng } from './nn';
import { decoderSettings, exportModel, fetchArtifacts, modelFromArtifacts, type ModelArtifacts } from './weights';

export interface EvaluatorSources {
  /** base URL of the model folder (model.json + weights.bin) or in-memory artifacts */
  ser: string | ModelArtifacts;
  asr: string | ModelArtifacts;
  /**
   * word list for the lexicon beam search: a URL of a newline-separated file, the words, or null for none.
   * Default: `words.txt` next to the ASR's model.json when the ASR was loaded from a URL and names one.
   */
  words?: string | string[] | null;
  /**
   * word n-gram LM for the beam search (lm.ts binary): a URL, the file's bytes, or null for none. Default: the file
   * model.json names (trainedWith.decoder.lm) next to the ASR when the ASR was loaded from a URL.
   */
  lm?: string | ArrayBuffer | Uint8Array | null;
  /**
   * Calibration of the out-of-domain check (public/models/domain.json, parsed). Default null: predictions then carry
   * the signals but no verdict. It belongs to the shipped weights; other weights need their own.
   */
  domain?: DomainCalibration | null;
}

export interface ClipPrediction {
  emotion: Emotion;
  /** probabilities in EMOTIONS order */
  probabilities: number[];
  /** best transcript (lexicon beam search when a word list is loaded, else greedy) */
  transcript: string;
  transcriptGreedy: string;
  /** What the out-of-domain check measures (always filled). */
  signals: DomainSignals;
  /** Whether the models know this kind of voice; null when no calibration is loaded. */
  domain: DomainVerdict | null;
}

/**
 * A LabelledClip without the id whose emotion may also be given by name. Entries without a transcript are skipped
 * for the ASR, entries without an emotion for the SER.
 */
export type FineTuneEntry = Omit<LabelledClip, 'id' | 'emotion'> & {
  /** emotion label or EMOTIONS index */
  emotion?: Emotion | number;
};

export interface FineTuneOptions {
  /** which models to tune (default both, each only on entries that carry its label) */
  targets?: ('ser' | 'asr')[];
  epochs?: number;
  /** peak learning rate (fine-tuning wants it small) */
  learningRate?: number;
  maxBatch?: number;
  /** padded audio per batch in seconds */
  maxSeconds?: number;
  augment?: boolean;
  /** fraction of entries held out to report metrics before/after (0 = none) */
  valFraction?: number;
  seed?: number;
  /** default: 'async' on webgpu/webgl, 'sync' elsewhere */
  ctcMode?: 'sync' | 'async';
}

export interface FineTuneProgress {
  model: 'ser' | 'asr';
  epoch: number;
  epochs: number;
  step: number;
  steps: number;
  loss: number;
}

export interface FineTuneReport {
  cancelled: boolean;
  ser?: { clips: number; steps: number; loss: number; before?: SerMetrics; after?: SerMetrics };
  asr?: { clips: number; steps: number; loss: number; before?: AsrMetrics; after?: AsrMetrics };
}

/** Longest stretch fed to the models at once; longer clips are processed in pieces (bounded memory). */
const CHUNK_SECONDS = 30;
const SR = 16000;

function chunks(x: Float32Array): Float32Array[] {
  const n = CHUNK_SECONDS * SR;
  if (x.length <= n) return [x];
  const out: Float32Array[] = [];
  for (let i = 0; i < x.length; i += n) {
    const c = x.subarray(i, Math.min(x.length, i + n));
    if (c.length >= SR / 2 || out.length === 0) out.push(c);
  }
  return out;
}

function emotionIndexOf(e: Emotion | number | undefined): number | undefined {
  if (e === undefined) return undefined;
  const i = typeof e === 'number' ? e : EMOTIONS.indexOf(e);
  if (!(i >= 0 && i < EMOTIONS.length)) throw new Error(`unknown emotion label ${String(e)}`);
  return i;
}

export class Evaluators {
  private constructor(
    private serModel: SerModel,
    private asrModel: AsrModel,
    private serJson: ModelArtifacts['modelJson'],
    private asrJson: ModelArtifacts['modelJson'],
    private lexicon: Lexicon | null,
    private lm: NgramLm | null,
    private calibration: DomainCalibration | null = null,
  ) {}

  static async load(sources: EvaluatorSources, fetchFn: typeof fetch = (u, i) => fetch(u, i)): Promise<Evaluators> {
    const serArt = typeof sources.ser === 'string' ? await fetchArtifacts(sources.ser, fetchFn) : sources.ser;
    const asrArt = typeof sources.asr === 'string' ? await fetchArtifacts(sources.asr, fetchFn) : sources.asr;
    let words: string[] | null = null;
    if (Array.isArray(sources.words)) words = sources.words;
    else if (typeof sources.words === 'string') words = await fetchWords(sources.words, fetchFn);
    const dec = decoderSettings(asrArt.modelJson);
    const asrBase =
      typeof sources.asr === 'string' ? (sources.asr.endsWith('/') ? sources.asr : sources.asr + '/') : null;
    if (sources.words === undefined && asrBase && dec.lexicon) words = await fetchWords(asrBase + dec.lexicon, fetchFn);
    let lm: NgramLm | null = null;
    if (sources.lm instanceof ArrayBuffer || sources.lm instanceof Uint8Array) lm = NgramLm.fromBinary(sources.lm);
    else if (typeof sources.lm === 'string') lm = await fetchLm(sources.lm, fetchFn);
    else if (sources.lm === undefined && asrBase && dec.lm) lm = await fetchLm(asrBase + dec.lm, fetchFn);
    const ser = modelFromArtifacts(serArt, 'ser');
    let asr: AsrModel;
    try {
      asr = modelFromArtifacts(asrArt, 'asr');
    } catch (e) {
      ser.dispose();
      throw e;
    }
    return new Evaluators(
      ser,
      asr,
      serArt.modelJson,
      asrArt.modelJson,
      words ? new Lexicon(words) : null,
      lm,
      sources.domain ?? null,
    );
  }

  get ser(): SerModel {
    return this.serModel;
  }

  /**
   * Adds the beam search's word LM after loading: it is the largest file by far, so the app fetches it only when a
   * beam decode first needs it (training and fine-tuning decode greedily).
   */
  attachLanguageModel(lm: ArrayBuffer | Uint8Array): void {
    this.lm = NgramLm.fromBinary(lm);
  }

  get asr(): AsrModel {
    return this.asrModel;
  }

  /** Beam settings chosen on val at training time (model.json trainedWith.decoder), with the word list and LM. */
  private decoderOptions(): {
    beamWidth: number;
    wordBonus: number;
    lmWeight: number;
    lexicon?: Lexicon;
    lm?: NgramLm;
  } {
    const { beamWidth, wordBonus, lmWeight } = decoderSettings(this.asrJson);
    return { beamWidth, wordBonus, lmWeight, lexicon: this.lexicon ?? undefined, lm: this.lm ?? undefined };
  }

  /** The word n-gram LM of the beam search, if one is loaded. */
  get languageModel(): NgramLm | null {
    return this.lm;
  }

  /** The out-of-domain calibration in use (null: none). */
  get domainCalibration(): DomainCalibration | null {
    return this.calibration;
  }

  set domainCalibration(c: DomainCalibration | null) {
    this.calibration = c;
  }

  /** Emotion (with probabilities), transcript and the out-of-domain verdict of one 16 kHz mono clip. */
  async predict(samples: Float32Array): Promise<ClipPrediction> {
    if (samples.length === 0) throw new Error('empty clip');
    const pieces = chunks(samples);
    const probs = await predictSer(this.serModel, pieces);
    const avg = new Array<number>(EMOTIONS.length).fill(0);
    probs.forEach((p, i) => p.forEach((v, k) => (avg[k] += (v * pieces[i].length) / samples.length)));
    const beam = this.lexicon !== null;
    // The same as predictAsr, keeping the log-probabilities for the domain signals.
    const logProbs = await asrLogProbs(this.asrModel, pieces);
    const v = this.asrModel.config.vocab;
    const asr = decodeAsr(logProbs, v, beam ? this.decoderOptions() : {});
    const presence = speechPresence(samples, SR);
    const signals: DomainSignals = {
      ...presence,
      ...asrSignals(
        logProbs.map((lp) => asrFrameStats(lp, v)),
        presence.activeSeconds,
      ),
      ...serSignals(avg),
    };
    const join = (xs: (string | undefined)[]) => xs.filter((x) => x).join(' ');
    const greedy = join(asr.map((a) => a.greedy));
    return {
      emotion: EMOTIONS[argmax(avg)],
      probabilities: avg,
      transcript: beam ? join(asr.map((a) => a.beam)) : greedy,
      transcriptGreedy: greedy,
      signals,
      domain: this.calibration ? assessDomain(signals, this.calibration) : null,
    };
  }

  /**
   * Fine-tunes on the user's clips. Weights change only when it completes: on cancel (signal) or error the
   * previous weights are restored, so nothing the user had is lost.
   */
  async fineTune(
    entries: FineTuneEntry[],
    options: FineTuneOptions = {},
    onProgress?: (p: FineTuneProgress) => void,
    signal?: AbortSignal,
  ): Promise<FineTuneReport> {
    const targets = options.targets ?? ['ser', 'asr'];
    const epochs = options.epochs ?? 3;
    const lr = options.learningRate ?? 3e-4;
    const maxBatch = options.maxBatch ?? 8;
    const maxSamples = Math.round((options.maxSeconds ?? 32) * SR);
    const rng = makeRng(options.seed ?? 1);
    const backend = tf.getBackend();
    const ctcMode = options.ctcMode ?? (backend === 'webgpu' || backend === 'webgl' ? 'async' : 'sync');
    const labelled = entries.map((e) => ({ ...e, emo: emotionIndexOf(e.emotion) }));
    // hold out a stable fraction for before/after metrics
    const valMask = labelled.map(() => rng() < (options.valFraction ?? 0));
    const snapshot = { ser: await exportModel(this.serModel), asr: await exportModel(this.asrModel) };
    const report: FineTuneReport = { cancelled: false };
    const yieldToLoop = () => new Promise<void>((r) => setTimeout(r, 0));
    try {
      for (const kind of targets) {
        const train = labelled.filter((e, i) => !valMask[i] && (kind === 'ser' ? e.emo !== undefined : !!e.text));
        const val = labelled.filter((e, i) => valMask[i] && (kind === 'ser' ? e.emo !== undefined : !!e.text));
        if (train.length === 0) continue;
        const evalVal = async () => {
          if (!val.length) return undefined;
          const clips = val.map((e) => e.samples);
          return kind === 'ser'
            ? serMetrics(
                val.map((e) => e.emo as number),
                await predictSer(this.serModel, clips),
                EMOTIONS.length,
              )
            : asrMetrics(
                val.map((e) => e.text as string),
                await predictAsr(this.asrModel, clips),
              );
        };
        const before = await evalVal();
        const optimizer = tf.train.adam(lr);
        const steps = batchesPerEpoch(train, maxBatch, maxSamples) * epochs;
        const warmup = Math.min(20, Math.ceil(steps / 10));
        let done: { step: number; loss: number };
        try {
          done = await fit(
            kind === 'ser' ? this.serModel : this.asrModel,
            optimizer,
            train.map((e) => ({ samples: e.samples, text: e.text, emotion: e.emo })),
            {
              epochs,
              maxBatch,
              maxSamples,
              rng: () => rng,
              lr: (step) => lrAt(step, lr, warmup, steps, 0.1),
              augment: (options.augment ?? true) ? FINE_TUNE_AUGMENT : null,
              augmentProb: 0.5,
              clipNorm: 5,
              ctcMode,
              signal,
              onStep: async (s) => {
                onProgress?.({ model: kind, epoch: s.epoch + 1, epochs, step: s.step, steps, loss: s.loss });
                await yieldToLoop();
              },
            },
          );
        } finally {
          optimizer.dispose();
        }
        const after = await evalVal();
        report[kind] = { clips: train.length, steps: done.step, loss: done.loss, before, after } as never;
      }
      return report;
    } catch (e) {
      this.restore(snapshot);
      if (isAbortError(e)) return { cancelled: true };
      throw e;
    }
  }

  private restore(snapshot: { ser: ModelArtifacts; asr: ModelArtifacts }): void {
    const ser = modelFromArtifacts(snapshot.ser, 'ser');
    const asr = modelFromArtifacts(snapshot.asr, 'asr');
    this.serModel.dispose();
    this.asrModel.dispose();
    this.serModel = ser;
    this.asrModel = asr;
  }

  /** Current weights as 'aclipse-fn/1' artifacts (model.json + weights.bin), ready to download or reload. */
  async exportWeights(note: Record<string, unknown> = {}): Promise<{ ser: ModelArtifacts; asr: ModelArtifacts }> {
    return {
      ser: await exportModel(this.serModel, this.serJson.metrics, { ...this.serJson.trainedWith, ...note }),
      asr: await exportModel(this.asrModel, this.asrJson.metrics, { ...this.asrJson.trainedWith, ...note }),
    };
  }

  dispose(): void {
    this.serModel.dispose();
    this.asrModel.dispose();
  }
}

async function fetchLm(url: string, fetchFn: typeof fetch): Promise<NgramLm> {
  const r = await fetchFn(url);
  if (!r.ok) throw new Error(`cannot load language model ${url}: HTTP ${r.status}`);
  return NgramLm.fromBinary(await r.arrayBuffer());
}

async function fetchWords(url: string, fetchFn: typeof fetch): Promise<string[]> {
  const r = await fetchFn(url);
  if (!r.ok) throw new Error(`cannot load word list ${url}: HTTP ${r.status}`);
  return (await r.text())
    .split('\n')
    .map((w) => w.trim())
    .filter((w) => w);
}
