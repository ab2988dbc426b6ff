/**
 * The models the engine holds: the evaluators (SER + ASR + lexicon) and any number of generators (shipped, trained
 * in the browser, imported), one of them active. Loading streams the weights with byte progress (whisper-web
 * style). Missing weights are reported, never replaced by something fake.
 */
import * as tf from '@tensorflow/tfjs';
import { AclipseGenerator, generatorFromArtifacts, type GeneratorModelJson } from '../src/core/aclipse/model';
import { BandedGenerator, type LoadedBand } from '../src/core/aclipse/banded';
import { parseBands, sameBand } from '../src/core/bands';
import { parseCueEmotionModel, type CueEmotionModel } from '../src/core/cues/emotion';
import { parseDomainCalibration } from '../src/core/domain';
import { fetchModelFile, loadArtifacts, MissingModelError } from '../src/core/ml/artifacts';
import { parseClaims, type ExternalClaim } from '../src/core/claims';
import { Evaluators } from '../src/core/ml/evaluators';
import type { NgramLm } from '../src/core/text/lm';
import { decoderSettings, type ModelArtifacts, type ModelJson } from '../src/core/ml/weights';
import type {
  EvaluatorInfo,
  ExportedModel,
  GeneratorInfo,
  JsonObject,
  JsonValue,
  LoadModelsArgs,
  ModelLoadProgress,
  ModelsReport,
  WeightsBand,
} from '../src/engine/api';
import type { JobContext } from './jobs';

type LoadTarget = ModelLoadProgress['model'];

/** The targets loaded as model folders (the word list and the LM have loaders of their own). */
type FolderTarget = Exclude<LoadTarget, 'words' | 'lm'>;

/** What the progress line calls each folder ("Loading …"); a new target fails the typecheck until named here. */
const FOLDER_NAMES: Record<FolderTarget, string> = {
  ser: 'SER',
  asr: 'ASR',
  aclipse: 'ACLIPSE',
  'aclipse-bands': 'ACLIPSE (weights by budget)',
};

function defaultModelsUrl(): string {
  return new URL(`${import.meta.env.BASE_URL}models/`, self.location.href).href;
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

/** Every model file fetched by this worker (reported, so the page can keep them in the offline cache). */
const fetchedUrls = new Set<string>();

/** Fetches one file with the job's cancel, reporting bytes as they arrive (the core's one model-file fetch). */
function fetchWithProgress(
  url: string,
  ctx: JobContext,
  onBytes: (loaded: number, total: number | null) => void,
): Promise<Response> {
  return fetchModelFile(url, { signal: ctx.signal, onBytes, onFetched: (u) => fetchedUrls.add(u) });
}

/**
 * An optional JSON file beside the models, parsed: null when it is missing or does not parse, so a broken optional
 * file costs only what it adds. Cancelling the job still cancels.
 */
async function fetchOptional<T>(
  url: string,
  parse: (json: unknown) => T | Promise<T>,
  ctx: JobContext,
): Promise<T | null> {
  try {
    return await parse(await (await fetchWithProgress(url, ctx, () => undefined)).json());
  } catch {
    ctx.signal.throwIfAborted();
    return null;
  }
}

interface Fetched {
  modelJson: unknown;
  weights: ArrayBuffer;
  bytes: number;
}

/** model.json + its weight files from a folder URL, with progress over all of them. */
async function fetchModelFolder(base: string, target: FolderTarget, ctx: JobContext): Promise<Fetched> {
  const art = await loadArtifacts(base, {
    signal: ctx.signal,
    onFetched: (u) => fetchedUrls.add(u),
    afterFile: () => ctx.checkpoint(),
    onProgress: ({ loadedBytes, totalBytes, done }) =>
      ctx.progress(`Loading ${FOLDER_NAMES[target]}`, totalBytes ? loadedBytes / totalBytes : null, {
        kind: 'model-load',
        model: target,
        loadedBytes,
        totalBytes,
        done,
      }),
  });
  return { modelJson: art.modelJson, weights: art.weightData, bytes: art.bytes };
}

async function fetchWords(url: string, ctx: JobContext): Promise<string[]> {
  const res = await fetchWithProgress(url, ctx, () => undefined);
  const words = (await res.text())
    .split('\n')
    .map((w) => w.trim())
    .filter((w) => w);
  ctx.progress('Loading word list', 1, {
    kind: 'model-load',
    model: 'words',
    loadedBytes: 0,
    totalBytes: null,
    done: true,
  });
  return words;
}

async function fetchLanguageModel(url: string, ctx: JobContext): Promise<ArrayBuffer> {
  const report = (loadedBytes: number, totalBytes: number | null, done: boolean) =>
    ctx.progress('Loading language model', totalBytes ? loadedBytes / totalBytes : null, {
      kind: 'model-load',
      model: 'lm',
      loadedBytes,
      totalBytes,
      done,
    });
  const res = await fetchWithProgress(url, ctx, (loaded, total) => report(loaded, total, false));
  const buf = await res.arrayBuffer();
  report(buf.byteLength, buf.byteLength, true);
  return buf;
}

function describeLm(lm: NgramLm | null): string | null {
  if (!lm) return null;
  const n = lm.sizes.reduce((a, b) => a + b, 0);
  return `${lm.order}-gram LM, ${lm.vocab.length.toLocaleString('en')} words, ${Math.round(n / 1000).toLocaleString('en')}k n-grams`;
}

function json(v: unknown): JsonValue | null {
  return v === undefined ? null : (JSON.parse(JSON.stringify(v)) as JsonValue);
}

function jsonObject(v: unknown): JsonObject {
  const j = json(v);
  return j && typeof j === 'object' && !Array.isArray(j) ? j : {};
}

interface HeldGenerator {
  /** The base weights plus any further weights by budget (none for trained and imported generators). */
  generator: BandedGenerator;
  info: GeneratorInfo;
}

interface HeldEvaluators {
  evaluators: Evaluators;
  ser: EvaluatorInfo;
  asr: EvaluatorInfo;
  lexiconWords: number;
  /** The emotion reading relative to the voice (cue-emotion.json), for voices the SER does not know; null without. */
  cueEmotion: CueEmotionModel | null;
  languageModel: string | null;
  /** The LM's URL while it is not loaded yet (skipped because nothing needed a beam decode), else null. */
  lmPending: string | null;
}

function evaluatorInfo(
  kind: 'ser' | 'asr',
  origin: EvaluatorInfo['origin'],
  url: string | null,
  modelJson: ModelJson,
  bytes: number,
  parameters: number,
): EvaluatorInfo {
  return {
    kind,
    origin,
    url,
    parameters,
    bytes,
    config: jsonObject(modelJson.config),
    metrics: jsonObject(modelJson.metrics),
    trainedWith: jsonObject(modelJson.trainedWith),
  };
}

function countParams(model: { params: { vars: Map<string, tf.Variable> } }): number {
  let n = 0;
  for (const v of model.params.vars.values()) n += v.size;
  return n;
}

export function generatorInfo(
  id: string,
  origin: GeneratorInfo['origin'],
  label: string,
  gen: AclipseGenerator,
  modelJson: Pick<GeneratorModelJson, 'metrics' | 'trainedWith'>,
  bytes: number,
  claims: ExternalClaim[] = [],
  bands: GeneratorInfo['bands'] = [],
): GeneratorInfo {
  return {
    id,
    origin,
    label,
    parameters: gen.parameterCount(),
    bytes,
    config: { so: { ...gen.config.so }, er: { ...gen.config.er }, budgetDb: gen.config.budgetDb },
    metrics: json(modelJson.metrics),
    trainedWith: json(modelJson.trainedWith),
    claims,
    bands,
  };
}

/** A weight folder's external-attacker claims, if its claims.json exists and was made for exactly these weights. */
async function fetchClaims(folder: string, weights: ArrayBuffer, ctx: JobContext): Promise<ExternalClaim[]> {
  const claims = await fetchOptional(
    `${folder}claims.json`,
    async (file) => {
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', weights));
      return parseClaims(file, Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join(''));
    },
    ctx,
  );
  return claims ?? []; // optional: without it the app simply makes no external claim
}

/**
 * The shipped generator's further weights by budget. No bands.json: none (its weights serve every budget). A
 * bands.json that is there but wrong fails the load, because ignoring it would change which weights protect a clip.
 */
async function fetchBands(folder: string, ctx: JobContext) {
  let res: Response;
  try {
    res = await fetchWithProgress(`${folder}bands.json`, ctx, () => undefined);
  } catch (e) {
    ctx.signal.throwIfAborted();
    if (e instanceof MissingModelError) return [];
    throw e;
  }
  return parseBands(await res.json());
}

function problemText(what: string, err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  if (err instanceof MissingModelError) return `${what} are not installed: ${msg}.`;
  return `${what} could not be loaded: ${msg}`;
}

export function exportedFiles(modelJson: unknown, weights: ArrayBuffer): ExportedModel {
  return {
    files: [
      {
        name: 'model.json',
        mimeType: 'application/json',
        data: new TextEncoder().encode(JSON.stringify(modelJson, null, 1)).buffer as ArrayBuffer,
      },
      { name: 'weights.bin', mimeType: 'application/octet-stream', data: weights },
    ],
  };
}

export class ModelStore {
  private held: HeldEvaluators | null = null;
  private evaluatorsProblem: string | null = null;
  private readonly generators = new Map<string, HeldGenerator>();
  private active: string | null = null;
  private generatorProblem: string | null = null;
  private counters = { trained: 0, imported: 0 };

  report(): ModelsReport {
    const h = this.held;
    return {
      evaluators: h
        ? {
            ser: h.ser,
            asr: h.asr,
            lexiconWords: h.lexiconWords,
            languageModel: h.languageModel,
            cueEmotion: h.cueEmotion,
          }
        : null,
      evaluatorsProblem: this.evaluatorsProblem,
      generators: [...this.generators.values()].map((g) => g.info),
      activeGenerator: this.active,
      generatorProblem: this.generatorProblem,
      files: [...fetchedUrls],
    };
  }

  get evaluators(): Evaluators | null {
    return this.held?.evaluators ?? null;
  }

  get lexiconWords(): number {
    return this.held?.lexiconWords ?? 0;
  }

  requireEvaluators(): Evaluators {
    if (this.held) return this.held.evaluators;
    throw new Error(this.evaluatorsProblem ?? 'The evaluators are not loaded yet (load the models first).');
  }

  activeGenerator(): { id: string; generator: BandedGenerator } | null {
    if (!this.active) return null;
    const g = this.generators.get(this.active);
    return g ? { id: this.active, generator: g.generator } : null;
  }

  /** The active generator; with a budget, the weights of it that serve that budget (and their band, if not the base). */
  requireGenerator(budgetDb?: number): {
    id: string;
    generator: AclipseGenerator;
    band: WeightsBand | null;
  } {
    const g = this.activeGenerator();
    if (g) {
      if (budgetDb === undefined) return { id: g.id, generator: g.generator.base, band: null };
      const { generator, band } = g.generator.weightsFor(budgetDb);
      return { id: g.id, generator, band: band && { fromDb: band.fromDb, label: band.label } };
    }
    throw new Error(
      this.generatorProblem ??
        'No protection weights are loaded: load the shipped generator, train one, or import one.',
    );
  }

  /** A generator's base weights (what export and training start from). */
  getGenerator(id: string): AclipseGenerator {
    const g = this.generators.get(id);
    if (!g) throw new Error(`No generator with id “${id}”`);
    return g.generator.base;
  }

  private loadQueue: Promise<unknown> = Promise.resolve();

  /** Loads run one after another: a second call waits for the first and then finds the models loaded. */
  load(args: LoadModelsArgs, ctx: JobContext): Promise<ModelsReport> {
    const next = this.loadQueue.then(() => this.loadNow(args, ctx));
    this.loadQueue = next.catch(() => undefined);
    return next;
  }

  private async loadNow(args: LoadModelsArgs, ctx: JobContext): Promise<ModelsReport> {
    const base = withSlash(args.baseUrl ?? defaultModelsUrl());
    const which = args.which ?? ['evaluators', 'generator'];
    const withLm = args.languageModel !== false;
    if (which.includes('evaluators') && (args.reload || !this.held)) {
      // A reload shows what is at the URL now: nothing stale survives a failed one.
      this.held?.evaluators.dispose();
      this.held = null;
      await this.loadEvaluators(base, ctx, withLm);
    } else if (which.includes('evaluators') && withLm && this.held?.lmPending) {
      await this.attachPendingLm(this.held, ctx);
    }
    if (which.includes('generator') && (args.reload || !this.generators.has('shipped'))) {
      this.generators.get('shipped')?.generator.dispose();
      this.generators.delete('shipped');
      if (this.active === 'shipped') this.active = null;
      await this.loadShippedGenerator(base, ctx);
    }
    return this.report();
  }

  private async attachPendingLm(held: HeldEvaluators, ctx: JobContext): Promise<void> {
    const url = held.lmPending!;
    try {
      const lm = await fetchLanguageModel(url, ctx);
      held.evaluators.attachLanguageModel(lm);
      held.languageModel = describeLm(held.evaluators.languageModel);
    } catch {
      ctx.signal.throwIfAborted();
      // As at a first load: the beam search runs on the lexicon alone.
    }
    held.lmPending = null;
  }

  private async loadEvaluators(base: string, ctx: JobContext, withLm = true): Promise<void> {
    try {
      const ser = await fetchModelFolder(`${base}ser/`, 'ser', ctx);
      const asr = await fetchModelFolder(`${base}asr/`, 'asr', ctx);
      const asrJson = asr.modelJson as ModelJson;
      const decoder = decoderSettings(asrJson);
      let words: string[] | null = null;
      let lm: ArrayBuffer | null = null;
      // The beam search needs the word list (and uses the LM when there is one); greedy decoding works without them.
      if (decoder.lexicon) {
        try {
          words = await fetchWords(`${base}asr/${decoder.lexicon}`, ctx);
        } catch {
          ctx.signal.throwIfAborted();
          words = null;
        }
      }
      if (words && decoder.lm && withLm) {
        try {
          lm = await fetchLanguageModel(`${base}asr/${decoder.lm}`, ctx);
        } catch {
          ctx.signal.throwIfAborted();
          lm = null;
        }
      }
      // Both optional: without domain.json the app shows readings without a domain verdict, without
      // cue-emotion.json an unknown voice gets no emotion reading relative to the voice.
      const domain = await fetchOptional(`${base}domain.json`, parseDomainCalibration, ctx);
      const cueEmotion = await fetchOptional(`${base}cue-emotion.json`, parseCueEmotionModel, ctx);
      await ctx.checkpoint();
      const serArt: ModelArtifacts = { modelJson: ser.modelJson as ModelJson, weightData: ser.weights };
      const asrArt: ModelArtifacts = { modelJson: asrJson, weightData: asr.weights };
      const evaluators = await Evaluators.load({ ser: serArt, asr: asrArt, words, lm, domain });
      this.held = {
        evaluators,
        ser: evaluatorInfo('ser', 'shipped', `${base}ser/`, serArt.modelJson, ser.bytes, countParams(evaluators.ser)),
        asr: evaluatorInfo('asr', 'shipped', `${base}asr/`, asrArt.modelJson, asr.bytes, countParams(evaluators.asr)),
        lexiconWords: words?.length ?? 0,
        cueEmotion,
        languageModel: describeLm(evaluators.languageModel),
        lmPending: words && decoder.lm && !withLm ? `${base}asr/${decoder.lm}` : null,
      };
      this.evaluatorsProblem = null;
    } catch (e) {
      ctx.signal.throwIfAborted();
      this.evaluatorsProblem = problemText('The evaluator weights (SER and ASR)', e);
    }
  }

  private async loadShippedGenerator(base: string, ctx: JobContext): Promise<void> {
    const folder = `${base}aclipse/`;
    const loaded: LoadedBand[] = [];
    let generator: AclipseGenerator | null = null;
    try {
      const f = await fetchModelFolder(folder, 'aclipse', ctx);
      const modelJson = f.modelJson as GeneratorModelJson;
      generator = generatorFromArtifacts({ modelJson, weights: f.weights });
      const specs = await fetchBands(folder, ctx);
      // Each weight set's claims count only at the budgets it serves: the base's 20 dB claims say nothing about
      // the weights the app uses at 20 dB when a band takes over there.
      const claims = sameBand(await fetchClaims(folder, f.weights, ctx), specs, -Infinity);
      const bandInfo: GeneratorInfo['bands'] = [];
      for (const spec of specs) {
        const b = await fetchModelFolder(`${folder}${spec.path}`, 'aclipse-bands', ctx);
        const g = generatorFromArtifacts({ modelJson: b.modelJson as GeneratorModelJson, weights: b.weights });
        loaded.push({ ...spec, generator: g });
        claims.push(...sameBand(await fetchClaims(`${folder}${spec.path}`, b.weights, ctx), specs, spec.fromDb));
        bandInfo.push({
          fromDb: spec.fromDb,
          label: spec.label,
          why: spec.why,
          parameters: g.parameterCount(),
          bytes: b.bytes,
        });
      }
      const banded = new BandedGenerator(generator, loaded);
      this.put(
        'shipped',
        banded,
        generatorInfo('shipped', 'shipped', 'Shipped weights', generator, modelJson, f.bytes, claims, bandInfo),
      );
      this.active ??= 'shipped';
      this.generatorProblem = null;
    } catch (e) {
      generator?.dispose();
      for (const b of loaded) b.generator.dispose();
      ctx.signal.throwIfAborted();
      this.generatorProblem = problemText('The Aclipse protection weights', e);
    }
  }

  private put(id: string, generator: AclipseGenerator | BandedGenerator, info: GeneratorInfo): void {
    this.generators.get(id)?.generator.dispose();
    const banded = generator instanceof BandedGenerator ? generator : new BandedGenerator(generator, []);
    this.generators.set(id, { generator: banded, info });
  }

  use(id: string): ModelsReport {
    if (!this.generators.has(id)) throw new Error(`No generator with id “${id}”`);
    this.active = id;
    return this.report();
  }

  importGenerator(
    modelJsonText: string,
    weights: ArrayBuffer,
    label?: string,
    opts: { origin?: 'trained' | 'imported'; activate?: boolean } = {},
  ): ModelsReport {
    let modelJson: GeneratorModelJson;
    try {
      modelJson = JSON.parse(modelJsonText) as GeneratorModelJson;
    } catch {
      throw new Error('model.json is not valid JSON.');
    }
    const specs = modelJson.weightsManifest?.flatMap((g) => g.weights) ?? [];
    const expected = specs.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1) * 4, 0);
    if (expected !== weights.byteLength) {
      throw new Error(
        `weights.bin has ${weights.byteLength} bytes but model.json describes ${expected}; pick the matching pair.`,
      );
    }
    const generator = generatorFromArtifacts({ modelJson, weights });
    const origin = opts.origin ?? 'imported';
    const n = ++this.counters[origin];
    const id = `${origin}-${n}`;
    const fallback = origin === 'trained' ? `Trained in the browser ${n}` : `Imported ${n}`;
    this.put(id, generator, generatorInfo(id, origin, label ?? fallback, generator, modelJson, weights.byteLength));
    if (opts.activate !== false) this.active = id;
    return this.report();
  }

  /** Copies a generator's weights into a new held generator (the copy no longer changes with further training). */
  async addTrained(
    source: AclipseGenerator,
    provenance: { trainedWith: unknown; metrics: unknown },
    label?: string,
  ): Promise<ModelsReport> {
    const art = await source.toArtifacts(provenance);
    const generator = generatorFromArtifacts(art);
    const id = `trained-${++this.counters.trained}`;
    this.put(
      id,
      generator,
      generatorInfo(
        id,
        'trained',
        label ?? `Trained in the browser ${this.counters.trained}`,
        generator,
        art.modelJson,
        art.weights.byteLength,
      ),
    );
    this.active = id;
    return this.report();
  }

  async exportGenerator(
    gen: AclipseGenerator,
    provenance: { trainedWith?: unknown; metrics?: unknown },
  ): Promise<ExportedModel> {
    const art = await gen.toArtifacts(provenance);
    return exportedFiles(art.modelJson, art.weights);
  }

  generatorProvenance(id: string): { trainedWith?: unknown; metrics?: unknown } {
    const info = this.generators.get(id)?.info;
    return { trainedWith: info?.trainedWith ?? undefined, metrics: info?.metrics ?? undefined };
  }

  async exportEvaluators(): Promise<{ ser: ExportedModel; asr: ExportedModel }> {
    const ev = this.requireEvaluators();
    const { ser, asr } = await ev.exportWeights({
      exportedFrom: 'aclipse-web',
      origin: this.held?.ser.origin ?? 'shipped',
    });
    return { ser: exportedFiles(ser.modelJson, ser.weightData), asr: exportedFiles(asr.modelJson, asr.weightData) };
  }

  /** After fine-tuning: the weights are no longer the shipped ones. */
  markFineTuned(): void {
    if (!this.held) return;
    const ev = this.held.evaluators;
    this.held.ser = { ...this.held.ser, origin: 'fine-tuned', parameters: countParams(ev.ser) };
    this.held.asr = { ...this.held.asr, origin: 'fine-tuned', parameters: countParams(ev.asr) };
  }
}
