import { DatasetError, type DatasetIndex } from './dataset';
import { loadIemocap, looksLikeIemocap, type IemocapOptions } from './iemocap';
import { findManifest, loadManifestDataset, type ManifestOptions } from './manifest';
import { cachedSource, type FileSource } from './source';

export type LoadOptions = IemocapOptions & ManifestOptions & { format?: 'auto' | 'iemocap' | 'manifest' };

/**
 * One entry point for every dataset: IEMOCAP layout when the folder has it, otherwise a manifest next to the audio
 * (our synthetic corpus included). Throws DatasetError with a readable message when neither fits or nothing is usable.
 */
export async function loadDataset(input: FileSource, opts: LoadOptions = {}): Promise<DatasetIndex> {
  const source = cachedSource(input);
  const format = opts.format ?? 'auto';
  if (format === 'iemocap') return loadIemocap(source, opts);
  if (format === 'manifest') return loadManifestDataset(source, opts);
  const refs = await source.list();
  if (opts.manifestPath || (findManifest(refs) && !looksLikeIemocap(refs.map((r) => r.path)))) {
    return loadManifestDataset(source, opts);
  }
  if (looksLikeIemocap(refs.map((r) => r.path))) return loadIemocap(source, opts);
  if (refs.length === 0) throw new DatasetError(`${source.name} is empty`);
  throw new DatasetError(
    `${source.name} is neither an IEMOCAP release (SessionN/dialog/EmoEvaluation, SessionN/sentences/wav) nor a ` +
      'folder with a manifest.jsonl / manifest.csv (path, text, emotion)',
  );
}
