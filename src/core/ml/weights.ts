/**
 * Weight format 'aclipse-fn/1': model.json ({ format, config, weightsManifest, metrics, trainedWith }) + weights.bin,
 * the weights encoded with tf.io.encodeWeights (tfjs weights-manifest layout). Loads from a URL (fetch) or from
 * in-memory artifacts (browser import/export); the Node writer/reader lives in src/core/node/.
 */
import * as tf from '@tensorflow/tfjs';
import { ARTIFACT_FORMAT, loadArtifacts, type ArtifactLoadOptions } from './artifacts';
import { AsrModel, SerModel, createModel, sameArchitecture, type EvaluatorModel, type ModelConfig } from './models';

export const WEIGHTS_FILE = 'weights.bin';

export interface ModelJson {
  format: typeof ARTIFACT_FORMAT;
  config: ModelConfig;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  /** metrics the weights reached (split → metric → value) */
  metrics: Record<string, unknown>;
  /** how they were produced (command, training config, epochs, time) */
  trainedWith: Record<string, unknown>;
}

/** The ASR's decoder settings, chosen on val and stored in model.json as trainedWith.decoder. */
export interface DecoderSettings {
  beamWidth: number;
  wordBonus: number;
  lmWeight: number;
  /** word list beside model.json (lexicon-constrained beam search) */
  lexicon?: string;
  /** word n-gram LM beside model.json (src/core/text/lm.ts binary) */
  lm?: string;
}

export function decoderSettings(json: ModelJson): DecoderSettings {
  const d = (json.trainedWith?.decoder ?? {}) as Partial<DecoderSettings>;
  return {
    beamWidth: d.beamWidth ?? 16,
    wordBonus: d.wordBonus ?? 0,
    lmWeight: d.lmWeight ?? 0,
    lexicon: d.lexicon,
    lm: d.lm,
  };
}

export interface ModelArtifacts {
  modelJson: ModelJson;
  weightData: ArrayBuffer;
}

export async function exportModel(
  model: EvaluatorModel,
  metrics: Record<string, unknown> = {},
  trainedWith: Record<string, unknown> = {},
): Promise<ModelArtifacts> {
  const named: tf.NamedTensorMap = {};
  for (const [name, v] of model.params.vars) named[name] = v;
  const { data, specs } = await tf.io.encodeWeights(named);
  return {
    modelJson: {
      format: ARTIFACT_FORMAT,
      config: model.config,
      weightsManifest: [{ paths: [WEIGHTS_FILE], weights: specs }],
      metrics,
      trainedWith,
    },
    weightData: data,
  };
}

function checkJson(json: unknown): ModelJson {
  const j = json as Partial<ModelJson> | null;
  if (!j || j.format !== ARTIFACT_FORMAT) throw new Error(`not an ${ARTIFACT_FORMAT} model.json`);
  if (!j.config || (j.config.kind !== 'asr' && j.config.kind !== 'ser'))
    throw new Error('model.json has no valid config');
  if (!Array.isArray(j.weightsManifest) || j.weightsManifest.length === 0)
    throw new Error('model.json has no weightsManifest');
  return j as ModelJson;
}

/** Fetches model.json and its weight files from a base URL (ending with or without '/'); see loadArtifacts. */
export async function fetchArtifacts(
  baseUrl: string,
  fetchFn: typeof fetch = fetch,
  opts: ArtifactLoadOptions = {},
): Promise<ModelArtifacts> {
  const { modelJson, weightData } = await loadArtifacts(baseUrl, { ...opts, fetchFn, check: checkJson });
  return { modelJson, weightData };
}

/** Builds a model from artifacts; throws on a kind mismatch when `kind` is given. */
export function modelFromArtifacts(art: ModelArtifacts, kind: 'asr'): AsrModel;
export function modelFromArtifacts(art: ModelArtifacts, kind: 'ser'): SerModel;
export function modelFromArtifacts(art: ModelArtifacts, kind?: 'asr' | 'ser'): EvaluatorModel;
export function modelFromArtifacts(art: ModelArtifacts, kind?: 'asr' | 'ser'): EvaluatorModel {
  const json = checkJson(art.modelJson);
  if (kind && json.config.kind !== kind) throw new Error(`expected a ${kind} model, got ${json.config.kind}`);
  const specs = json.weightsManifest.flatMap((g) => g.weights);
  const tensors = tf.io.decodeWeights(art.weightData, specs);
  const model = createModel(json.config);
  try {
    model.params.assign(tensors);
  } catch (e) {
    model.dispose();
    throw e;
  } finally {
    tf.dispose(Object.values(tensors));
  }
  return model;
}

/** load(url | artifacts) in the tfjs-models style; a URL loads with the given progress and cancel. */
export async function loadModel(
  source: string | ModelArtifacts,
  kind?: 'asr' | 'ser',
  opts: ArtifactLoadOptions = {},
): Promise<EvaluatorModel> {
  const art = typeof source === 'string' ? await fetchArtifacts(source, fetch, opts) : source;
  return modelFromArtifacts(art, kind);
}

/**
 * The element-wise mean of the weights of models with one architecture (checkpoint averaging). The models here use
 * layer norm, not batch norm, so an averaged model needs no re-estimated statistics. model.json comes from the first
 * input (so its dropout, if the inputs' differ); the caller records where the average came from.
 */
export async function averageArtifacts(arts: readonly ModelArtifacts[]): Promise<ModelArtifacts> {
  if (!arts.length) throw new Error('nothing to average');
  const jsons = arts.map((a) => checkJson(a.modelJson));
  if (jsons.some((j) => !sameArchitecture(j.config, jsons[0].config))) {
    throw new Error('cannot average models with different architectures');
  }
  const decoded = arts.map((a, k) =>
    tf.io.decodeWeights(
      a.weightData,
      jsons[k].weightsManifest.flatMap((g) => g.weights),
    ),
  );
  const mean: tf.NamedTensorMap = {};
  try {
    for (const s of jsons[0].weightsManifest.flatMap((g) => g.weights)) {
      const values = decoded.map((d) => {
        const t = d[s.name];
        if (!t || t.shape.join() !== s.shape.join()) throw new Error(`weight ${s.name} differs between the models`);
        return t.dataSync() as Float32Array;
      });
      const out = new Float32Array(values[0].length);
      for (const v of values) for (let i = 0; i < out.length; i++) out[i] += v[i] / values.length;
      mean[s.name] = tf.tensor(out, s.shape, 'float32');
    }
    const { data, specs } = await tf.io.encodeWeights(mean);
    return {
      modelJson: { ...jsons[0], weightsManifest: [{ paths: [WEIGHTS_FILE], weights: specs }] },
      weightData: data,
    };
  } finally {
    tf.dispose(Object.values(mean));
    for (const d of decoded) tf.dispose(Object.values(d));
  }
}
