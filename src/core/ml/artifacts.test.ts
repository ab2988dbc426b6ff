import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MODULE_CONFIG } from '../aclipse/generator';
import { AclipseGenerator, loadGenerator } from '../aclipse/model';
import { initTf } from '../node/tf';
import { loadArtifacts, MissingModelError, type ArtifactLoadProgress } from './artifacts';
import { DEFAULT_ASR_CONFIG, DEFAULT_SER_CONFIG, SerModel } from './models';
import { exportModel, fetchArtifacts, loadModel } from './weights';

/** An in-memory host: path → body (JSON-able or bytes); a missing path answers 404, or an HTML page with 'spa'. */
function host(files: Record<string, unknown>, missing: '404' | 'spa' = '404') {
  const requested: string[] = [];
  const fetchFn = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    requested.push(url);
    if (init?.signal?.aborted) throw new DOMException('The operation was aborted.', 'AbortError');
    const body = files[url.replace(/^https:\/\/models\.test\//, '')];
    if (body === undefined) {
      return missing === 'spa'
        ? new Response('<!doctype html><title>app</title>', { status: 200, headers: { 'content-type': 'text/html' } })
        : new Response('not found', { status: 404 });
    }
    const bytes = body instanceof Uint8Array ? new Uint8Array(body) : new TextEncoder().encode(JSON.stringify(body));
    return new Response(bytes, {
      status: 200,
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(bytes.byteLength) },
    });
  }) as typeof fetch;
  return { fetchFn, requested };
}

const manifest = (paths: string[], floats: number) => ({
  format: 'aclipse-fn/1',
  weightsManifest: [{ paths, weights: [{ name: 'w', shape: [floats], dtype: 'float32' }] }],
});

describe('loadArtifacts', () => {
  it('concatenates the weight files in manifest order and reports bytes up to the manifest total', async () => {
    const a = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
    const b = new Uint8Array([9, 10, 11, 12]);
    const { fetchFn } = host({ 'm/model.json': manifest(['a.bin', 'b.bin'], 3), 'm/a.bin': a, 'm/b.bin': b });
    const progress: ArtifactLoadProgress[] = [];
    const fetched: string[] = [];
    let files = 0;
    const art = await loadArtifacts('https://models.test/m', {
      fetchFn,
      onProgress: (p) => progress.push(p),
      onFetched: (u) => fetched.push(u),
      afterFile: async () => void files++,
    });
    expect([...new Uint8Array(art.weightData)]).toEqual([...a, ...b]);
    expect(art.bytes).toBe(12);
    expect(files).toBe(2);
    expect(fetched).toEqual([
      'https://models.test/m/model.json',
      'https://models.test/m/a.bin',
      'https://models.test/m/b.bin',
    ]);
    expect(progress[0]).toEqual({ loadedBytes: 0, totalBytes: 12, done: false });
    expect(progress.at(-1)).toEqual({ loadedBytes: 12, totalBytes: 12, done: true });
    const loaded = progress.map((p) => p.loadedBytes);
    expect(loaded).toEqual([...loaded].sort((x, y) => x - y));
  });

  it('says which file is missing, for a 404 and for an SPA host answering with its page', async () => {
    for (const mode of ['404', 'spa'] as const) {
      const { fetchFn } = host({ 'm/model.json': manifest(['a.bin'], 1) }, mode);
      const err = await loadArtifacts('https://models.test/m/', { fetchFn }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MissingModelError);
      expect((err as Error).message).toMatch(
        mode === '404'
          ? /m\/a\.bin is missing \(HTTP 404\)/
          : /m\/a\.bin is missing \(the server answered with a web page\)/,
      );
    }
  });

  it('checks model.json before fetching any weights, and refuses one that lists none', async () => {
    const { fetchFn, requested } = host({ 'm/model.json': manifest(['a.bin'], 1), 'e/model.json': manifest([], 0) });
    await expect(
      loadArtifacts('https://models.test/m', {
        fetchFn,
        check: () => {
          throw new Error('wrong kind');
        },
      }),
    ).rejects.toThrow('wrong kind');
    expect(requested).toEqual(['https://models.test/m/model.json']);
    await expect(loadArtifacts('https://models.test/e', { fetchFn })).rejects.toThrow(/lists no weight files/);
  });

  it('stops at an aborted signal', async () => {
    const { fetchFn } = host({ 'm/model.json': manifest(['a.bin'], 1), 'm/a.bin': new Uint8Array(4) });
    const controller = new AbortController();
    controller.abort();
    await expect(loadArtifacts('https://models.test/m', { fetchFn, signal: controller.signal })).rejects.toThrow(
      /abort/i,
    );
  });
});

describe('the model loaders use it', () => {
  beforeAll(async () => {
    await initTf('cpu');
  });

  it('loadGenerator and loadModel / fetchArtifacts round-trip the weights they fetch', async () => {
    const module = { ...DEFAULT_MODULE_CONFIG, hidden: 8, kernel: 3, layers: 1 };
    const gen = new AclipseGenerator({ so: module, er: module, budgetDb: 10 }, 3);
    const genArt = await gen.toArtifacts();
    const frontend = { ...DEFAULT_ASR_CONFIG.frontend, nMels: 24 };
    const ser = new SerModel(
      { ...DEFAULT_SER_CONFIG, frontend, channels: 16, blocks: 2, kernel: 3, hidden: 8, specAugment: null },
      1,
    );
    const serArt = await exportModel(ser);
    const { fetchFn } = host({
      'gen/model.json': genArt.modelJson,
      'gen/weights.bin': new Uint8Array(genArt.weights),
      'ser/model.json': serArt.modelJson,
      'ser/weights.bin': new Uint8Array(serArt.weightData),
    });
    const progress: ArtifactLoadProgress[] = [];
    const loaded = await loadGenerator('https://models.test/gen', fetchFn, { onProgress: (p) => progress.push(p) });
    expect(progress.at(-1)).toEqual({
      loadedBytes: genArt.weights.byteLength,
      totalBytes: genArt.weights.byteLength,
      done: true,
    });
    const again = await loaded.toArtifacts();
    expect(new Uint8Array(again.weights)).toEqual(new Uint8Array(genArt.weights));

    const fetched = await fetchArtifacts('https://models.test/ser/', fetchFn);
    expect(new Uint8Array(fetched.weightData)).toEqual(new Uint8Array(serArt.weightData));
    await expect(fetchArtifacts('https://models.test/gen', fetchFn)).rejects.toThrow(/no valid config/);
    const model = await loadModel(fetched, 'ser');
    expect(model.config.kind).toBe('ser');
    for (const m of [gen, loaded, ser, model]) m.dispose();
  }, 30_000);
});
