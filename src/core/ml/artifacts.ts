/**
 * The one way model artifacts are fetched (evaluators, generators, the worker's model store): a folder URL holding
 * model.json (tfjs weights-manifest layout plus our config and provenance) and the weight files it lists, loaded
 * tfjs-models style with `loadArtifacts(url, { signal, onProgress })`. Bytes are reported as they arrive; a missing
 * file (404, or a single-page-app host answering with its HTML page) is a MissingModelError, never something fake.
 */
import * as tf from '@tensorflow/tfjs';

/** The format of every model.json we write and read: evaluators ('asr' / 'ser' config) and Aclipse generators. */
export const ARTIFACT_FORMAT = 'aclipse-fn/1';

/** A model file that is not there: HTTP error, or the SPA fallback answering a missing path with index.html. */
export class MissingModelError extends Error {
  override name = 'MissingModelError';
}

export interface FetchFileOptions {
  fetchFn?: typeof fetch;
  /** Cancels the request and the body stream. */
  signal?: AbortSignal;
  /** Bytes of the body as they arrive, with the Content-Length total when the server sends one. */
  onBytes?: (loaded: number, total: number | null) => void;
  /** Called with the URL once it answered with a file (the worker lists them for the offline cache). */
  onFetched?: (url: string) => void;
}

/** Fetches one model file, refusing missing ones and counting bytes as the body is read. */
export async function fetchModelFile(url: string, opts: FetchFileOptions = {}): Promise<Response> {
  const fetchFn = opts.fetchFn ?? fetch;
  const res = await fetchFn(url, { signal: opts.signal });
  if (!res.ok) throw new MissingModelError(`${url} is missing (HTTP ${res.status})`);
  if ((res.headers.get('content-type') ?? '').includes('text/html')) {
    throw new MissingModelError(`${url} is missing (the server answered with a web page)`);
  }
  opts.onFetched?.(url);
  const lengthHeader = res.headers.get('content-length');
  const total = lengthHeader ? Number(lengthHeader) : null;
  if (!res.body || !opts.onBytes) return res;
  const onBytes = opts.onBytes;
  let loaded = 0;
  const reader = res.body.getReader();
  const counted = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) {
        controller.close();
        return;
      }
      loaded += value.byteLength;
      onBytes(loaded, total);
      controller.enqueue(value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
  return new Response(counted, { headers: res.headers, status: res.status });
}

export interface ArtifactLoadProgress {
  /** Weight bytes received so far, over all weight files. */
  loadedBytes: number;
  /** From the manifest (float32/int32 weights: known before the first byte), null when it cannot tell. */
  totalBytes: number | null;
  done: boolean;
}

export interface LoadArtifactsOptions<J> extends Omit<FetchFileOptions, 'onBytes'> {
  onProgress?: (progress: ArtifactLoadProgress) => void;
  /** Awaited after each weight file, e.g. a job's cancel checkpoint. */
  afterFile?: () => Promise<void>;
  /** Checks model.json before any weight file is fetched (throw to refuse it); its result is returned as modelJson. */
  check?: (json: unknown) => J;
}

/** What the model loaders (loadModel, loadGenerator) pass through: progress and cancel, no format check. */
export type ArtifactLoadOptions = Omit<LoadArtifactsOptions<unknown>, 'fetchFn' | 'check'>;

export interface LoadedArtifacts<J> {
  modelJson: J;
  /** The weight files, concatenated in manifest order. */
  weightData: ArrayBuffer;
  bytes: number;
}

interface ManifestShape {
  weightsManifest?: { paths: string[]; weights: { shape: number[]; dtype: string }[] }[];
}

/** model.json + its weight files from a folder URL (ending with or without '/'), with progress over all of them. */
export async function loadArtifacts<J = unknown>(
  baseUrl: string,
  opts: LoadArtifactsOptions<J> = {},
): Promise<LoadedArtifacts<J>> {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  const { fetchFn, signal, onFetched } = opts;
  const report = (loadedBytes: number, totalBytes: number | null, done: boolean) =>
    opts.onProgress?.({ loadedBytes, totalBytes, done });
  const jsonRes = await fetchModelFile(`${base}model.json`, { fetchFn, signal, onFetched, onBytes: () => undefined });
  let raw: unknown;
  try {
    raw = await jsonRes.json();
  } catch {
    throw new Error(`${base}model.json is not valid JSON`);
  }
  const modelJson = opts.check ? opts.check(raw) : (raw as J);
  const groups = (raw as ManifestShape).weightsManifest ?? [];
  const paths = groups.flatMap((g) => g.paths);
  if (paths.length === 0) throw new Error(`${base}model.json lists no weight files`);
  // Float32 weights: the manifest gives the exact total before the first byte arrives.
  const expected = groups
    .flatMap((g) => g.weights)
    .reduce(
      (n, w) => n + w.shape.reduce((a, b) => a * b, 1) * (w.dtype === 'float32' || w.dtype === 'int32' ? 4 : 1),
      0,
    );
  let done = 0;
  const buffers: ArrayBuffer[] = [];
  report(0, expected || null, false);
  for (const p of paths) {
    const res = await fetchModelFile(`${base}${p}`, {
      fetchFn,
      signal,
      onFetched,
      onBytes: (loaded) => report(done + loaded, expected || null, false),
    });
    const buf = await res.arrayBuffer();
    done += buf.byteLength;
    buffers.push(buf);
    await opts.afterFile?.();
  }
  report(done, done, true);
  return { modelJson, weightData: tf.io.concatenateArrayBuffers(buffers), bytes: done };
}
