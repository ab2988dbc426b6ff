/**
 * The Aclipse generator as a loadable model (tfjs-models style: `loadGenerator()` then `protect()`), shared by the
 * worker, the `protect` CLI and the trainers.
 */
import * as tf from '@tensorflow/tfjs';
import { checkpoint } from '../abort';
import { snrDb } from '../analysis';
import { ARTIFACT_FORMAT, loadArtifacts, type ArtifactLoadOptions } from '../ml/artifacts';
import {
  DEFAULT_MODULE_CONFIG,
  createModuleWeights,
  runCascade,
  type CascadeWeights,
  type ModuleConfig,
  type ModuleName,
  type RunOptions,
} from './generator';

export interface GeneratorConfig {
  so: ModuleConfig;
  er: ModuleConfig;
  /** Budget (minimum SNR, dB) the weights were trained with; the default for protect(). */
  budgetDb: number;
}

export const DEFAULT_GENERATOR_CONFIG: GeneratorConfig = {
  so: DEFAULT_MODULE_CONFIG,
  er: DEFAULT_MODULE_CONFIG,
  budgetDb: 10,
};

/** model.json of a generator (tfjs weights-manifest format plus our config and provenance). */
export interface GeneratorModelJson {
  format: typeof ARTIFACT_FORMAT;
  kind: 'aclipse-generator';
  config: GeneratorConfig;
  weightsManifest: tf.io.WeightsManifestConfig;
  /** Free-form provenance: the training config, the command, the metrics it reached. */
  trainedWith?: unknown;
  metrics?: unknown;
}

export interface GeneratorArtifacts {
  modelJson: GeneratorModelJson;
  weights: ArrayBuffer;
}

export interface ProtectResult {
  wave: Float32Array;
  snrDb: number;
  /** Mean attention of SO / ER over the input frequency bins (0…1 per bin, 257 bins of 31.25 Hz). */
  soAttention: Float32Array;
  erAttention: Float32Array;
}

/** Longest piece protected in one go; longer clips are split so memory stays bounded (each piece meets the budget). */
export const PROTECT_CHUNK_SAMPLES = 16000 * 20;

export interface ProtectOptions {
  /** Checked before every piece, after a yield to the event loop (so a cancel message can land): AbortError. */
  signal?: AbortSignal;
  /** After every piece: the fraction of the clip done (0…1]. */
  onProgress?: (fraction: number) => void;
}

export class AclipseGenerator {
  readonly weights: CascadeWeights;

  constructor(
    readonly config: GeneratorConfig = DEFAULT_GENERATOR_CONFIG,
    seed = 0,
  ) {
    this.weights = {
      so: createModuleWeights(config.so, seed * 2 + 1),
      er: createModuleWeights(config.er, seed * 2 + 2),
    };
  }

  variables(module: ModuleName): tf.Variable[] {
    return Object.values(this.weights[module]);
  }

  parameterCount(): number {
    return [...this.variables('so'), ...this.variables('er')].reduce((n, v) => n + v.size, 0);
  }

  /** Differentiable protected batch [B, N] from a padded batch and its lengths. */
  forward(x: tf.Tensor2D, lengths: number[], budgetDb: number, opts: RunOptions): tf.Tensor2D {
    const out = runCascade(this.weights, this.config, x, lengths, budgetDb, opts);
    tf.dispose([out.soAttention, out.erAttention]);
    return out.protectedWave;
  }

  /**
   * Protects one clip (any length) for the app and the CLI; no gradients, no dropout. Clips longer than
   * PROTECT_CHUNK_SAMPLES go in pieces, each held to the budget (so the whole clip is, by construction), with
   * progress and cancellation between pieces; the attention is the length-weighted mean over the pieces.
   */
  async protect(
    wave: Float32Array,
    budgetDb = this.config.budgetDb,
    opts: ProtectOptions = {},
  ): Promise<ProtectResult> {
    const out = new Float32Array(wave.length);
    const soAtt = new Float32Array(257);
    const erAtt = new Float32Array(257);
    let weightSum = 0;
    for (let start = 0; start < wave.length; start += PROTECT_CHUNK_SAMPLES) {
      await checkpoint(opts.signal);
      const piece = wave.subarray(start, Math.min(wave.length, start + PROTECT_CHUNK_SAMPLES));
      const res = tf.tidy(() => {
        const r = runCascade(
          this.weights,
          this.config,
          tf.tensor2d(piece, [1, piece.length]),
          [piece.length],
          budgetDb,
          {
            training: false,
          },
        );
        return [r.protectedWave, r.soAttention, r.erAttention];
      });
      const [y, so, er] = await Promise.all(res.map((t) => t.data() as Promise<Float32Array>));
      tf.dispose(res);
      out.set(y, start);
      const w = piece.length / wave.length;
      for (let k = 0; k < 257; k++) {
        soAtt[k] += so[k] * w;
        erAtt[k] += er[k] * w;
      }
      weightSum += w;
      opts.onProgress?.(Math.min(1, (start + piece.length) / wave.length));
    }
    if (weightSum > 0 && Math.abs(weightSum - 1) > 1e-6) {
      for (let k = 0; k < 257; k++) {
        soAtt[k] /= weightSum;
        erAtt[k] /= weightSum;
      }
    }
    return { wave: out, snrDb: snrDb(wave, out), soAttention: soAtt, erAttention: erAtt };
  }

  /** Named weights ('so/conv0/w', …), for saving and for bit-exact comparisons in tests. */
  namedWeights(): tf.NamedTensorMap {
    const map: tf.NamedTensorMap = {};
    for (const m of ['so', 'er'] as const) for (const [k, v] of Object.entries(this.weights[m])) map[`${m}/${k}`] = v;
    return map;
  }

  setWeights(map: tf.NamedTensorMap): void {
    for (const m of ['so', 'er'] as const) {
      for (const [k, v] of Object.entries(this.weights[m])) {
        const t = map[`${m}/${k}`];
        if (!t) throw new Error(`Generator weights lack ${m}/${k}`);
        if (t.shape.join(',') !== v.shape.join(',')) {
          throw new Error(`Generator weight ${m}/${k} has shape [${t.shape}], expected [${v.shape}]`);
        }
        if (t !== v) v.assign(t);
      }
    }
  }

  async toArtifacts(extra: { trainedWith?: unknown; metrics?: unknown } = {}): Promise<GeneratorArtifacts> {
    const { data, specs } = await tf.io.encodeWeights(this.namedWeights());
    return {
      modelJson: {
        format: ARTIFACT_FORMAT,
        kind: 'aclipse-generator',
        config: this.config,
        weightsManifest: [{ paths: ['weights.bin'], weights: specs }],
        ...extra,
      },
      weights: data,
    };
  }

  dispose(): void {
    for (const v of [...this.variables('so'), ...this.variables('er')]) v.dispose();
  }
}

export function generatorFromArtifacts(art: GeneratorArtifacts): AclipseGenerator {
  const json = art.modelJson;
  if (json.format !== ARTIFACT_FORMAT || json.kind !== 'aclipse-generator') {
    throw new Error('This file is not an Aclipse generator (model.json has the wrong format or kind).');
  }
  const specs = json.weightsManifest.flatMap((g) => g.weights);
  const tensors = tf.io.decodeWeights(art.weights, specs);
  const gen = new AclipseGenerator(json.config);
  try {
    gen.setWeights(tensors);
  } catch (e) {
    gen.dispose();
    throw e;
  } finally {
    tf.dispose(Object.values(tensors));
  }
  return gen;
}

/** Loads a generator from a folder URL holding model.json + weights.bin (browser or any fetch-capable runtime). */
export async function loadGenerator(
  baseUrl: string,
  fetchFn: typeof fetch = fetch,
  opts: ArtifactLoadOptions = {},
): Promise<AclipseGenerator> {
  const { modelJson, weightData } = await loadArtifacts<GeneratorModelJson>(baseUrl, { ...opts, fetchFn });
  return generatorFromArtifacts({ modelJson, weights: weightData });
}
