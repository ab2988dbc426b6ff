/**
 * The Protect tab's jobs: the protection queue (its waiting clips are the store's `protectQueue`), reading a clip's
 * words, naming and downloading protected clips, and the demo clips.
 */
import { encodeWav } from '../../core/audio';
import { BASELINES } from '../../core/baselines';
import type { Emotion } from '../../core/data';
import { SPECTRA_MAX_FRAMES, type ProtectResult, type Span } from '../../engine/api';
import { isAbortError } from '../../core/abort';
import { addClipFromFile } from '../actions';
import { keepOffline } from '../pwa/offline';
import { errorText, loadModels, modelsReadyWithLm, run } from '../shared/jobs';
import { useAppStore, type AppState, type Clip, type ProtectSettings, type SpanSelection } from '../store';
import { protectedFileName, saveBlob, stamp, uniqueNames, zipStore } from '../view/export';

const get = () => useAppStore.getState();
const set = useAppStore.setState;

// ---------------------------------------------------------------------------------------------------------------
// Protection queue (one clip at a time; the worker runs one job at a time anyway)
// ---------------------------------------------------------------------------------------------------------------

/** The job being protected now; the clips waiting are the store's `protectQueue`. */
let current: { clipId: string; controller: AbortController } | null = null;

/** Display resolution for the Spectra tab. */
const SPECTRA = { maxFrames: SPECTRA_MAX_FRAMES } as const;

export function protectClips(ids: readonly string[], settings: ProtectSettings = get().settings): void {
  const s = get();
  for (const id of ids) {
    if (!s.clips.some((c) => c.id === id)) continue;
    if (get().protectQueue.includes(id) || current?.clipId === id) continue;
    const spans = activeSpans(s.spanSelections[id]);
    s.patchProtection(id, {
      status: 'queued',
      settings: { ...settings, ...(spans ? { spans } : {}) },
      stage: 'Waiting…',
      fraction: null,
      error: null,
    });
    set((st) => ({ protectQueue: [...st.protectQueue, id] }));
  }
  void pump();
}

async function pump(): Promise<void> {
  if (current) return;
  while (get().protectQueue.length) {
    const clipId = get().protectQueue[0]!;
    set((st) => ({ protectQueue: st.protectQueue.slice(1) }));
    const clip = get().clips.find((c) => c.id === clipId);
    const job = get().protections[clipId];
    if (!clip || !job || job.status !== 'queued') continue;
    const controller = new AbortController();
    current = { clipId, controller };
    const { patchProtection } = get();
    patchProtection(clipId, { status: 'running', stage: 'Starting…', fraction: null });
    try {
      // The analysis decodes with the beam search, so the LM comes too (on the first protect only).
      if (!modelsReadyWithLm()) patchProtection(clipId, { stage: 'Loading the models…' });
      await loadModels();
      const { method, budgetDb, params, spans } = job.settings;
      const result = await run(
        'protect',
        { wave: clip.samples, method, budgetDb, params, spectra: SPECTRA, analyze: true, ...(spans ? { spans } : {}) },
        controller.signal,
        (p) => patchProtection(clipId, { stage: p.stage, fraction: p.fraction }),
      );
      if (get().clips.some((c) => c.id === clipId))
        patchProtection(clipId, { status: 'done', result, stage: '', fraction: 1, error: null });
    } catch (err) {
      if (!get().clips.some((c) => c.id === clipId)) continue; // removed while it ran
      if (isAbortError(err)) patchProtection(clipId, { status: 'cancelled', stage: '', fraction: null });
      else patchProtection(clipId, { status: 'error', error: errorText(err), stage: '', fraction: null });
    } finally {
      current = null;
    }
  }
}

/** Removes a clip; if it is being protected or waiting, that job goes too. */
export function removeClip(id: string): void {
  if (current?.clipId === id) current.controller.abort();
  get().removeClip(id); // also takes it out of the queue
}

/** Stops the running protection and empties the queue; finished results stay. */
export function cancelProtection(): void {
  const { patchProtection, protections, protectQueue } = get();
  set({ protectQueue: [] });
  for (const id of protectQueue)
    if (protections[id]?.status === 'queued') patchProtection(id, { status: 'cancelled', stage: '' });
  current?.controller.abort();
}

/** The spans a clip's next protection uses, or undefined for the whole clip. */
export function activeSpans(sel: SpanSelection | undefined): Span[] | undefined {
  return sel?.enabled && sel.spans.length ? sel.spans.map((s) => ({ ...s })) : undefined;
}

/**
 * Reads the words of a clip and when each was said (the recognizer's CTC alignment), so they can be picked. Runs
 * the evaluators only; the clip is not changed.
 */
export async function findWords(clipId: string): Promise<void> {
  const clip = get().clips.find((c) => c.id === clipId);
  if (!clip) return;
  get().setBusy('Reading the words…');
  try {
    await loadModels();
    const a = await run('analyze', { wave: clip.samples });
    get().patchSpans(clipId, { words: { words: a.words ?? [], domain: a.domain } });
  } catch (err) {
    if (!isAbortError(err)) get().notify('error', `Could not read the words: ${errorText(err)}`, 'spans:words');
  } finally {
    get().setBusy(null);
  }
}

/**
 * "Aclipse · 10 dB", "Aclipse (trained across 10–20 dB) · 20 dB", "McAdams · 12 dB": which method, which of the
 * generator's weight sets (when the budget chose other than its base weights) and which budget made a clip.
 */
export function resultTag(result: Pick<ProtectResult, 'method' | 'budgetDb' | 'band'>): string {
  const method =
    result.method === 'aclipse'
      ? `Aclipse${result.band ? ` (${result.band.label})` : ''}`
      : (BASELINES.find((b) => b.id === result.method)?.label ?? result.method);
  return `${method} · ${formatBudget(result.budgetDb)} dB`;
}

function formatBudget(db: number): string {
  return String(Math.round(db * 10) / 10);
}

/** File name of a protected clip: its name, the method and the budget ("take 1-aclipse-10dB.wav"). */
export function protectedName(
  clip: Pick<Clip, 'name'>,
  result: Pick<ProtectResult, 'method' | 'budgetDb' | 'spans'>,
): string {
  return protectedFileName(
    clip.name,
    `${result.method}-${formatBudget(result.budgetDb)}dB${result.spans?.length ? '-spans' : ''}`,
  );
}

export function downloadProtected(clipId: string): void {
  const s = get();
  const clip = s.clips.find((c) => c.id === clipId);
  const result = s.protections[clipId]?.result;
  if (!clip || !result) return;
  saveBlob(encodeWav(result.wave, clip.sampleRate) as BlobPart, protectedName(clip, result), 'audio/wav');
}

/** The distinct method + budget combinations among finished protections, with how many clips each. */
export function protectedMix(s: Pick<AppState, 'clips' | 'protections'>): { tag: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const c of s.clips) {
    const r = s.protections[c.id]?.status === 'done' ? s.protections[c.id]?.result : null;
    if (r) counts.set(resultTag(r), (counts.get(resultTag(r)) ?? 0) + 1);
  }
  return [...counts].map(([tag, count]) => ({ tag, count }));
}

/** All finished protections: one WAV when there is one, else a ZIP of WAVs named with their method and budget. */
export function downloadAllProtected(): void {
  const s = get();
  const done = s.clips.filter((c) => s.protections[c.id]?.status === 'done' && s.protections[c.id]?.result);
  if (done.length === 0) return;
  if (done.length === 1) return downloadProtected(done[0]!.id);
  const mix = protectedMix(s);
  if (mix.length > 1) {
    s.notify(
      'warning',
      `The download mixes ${mix.map((m) => `${m.count} × ${m.tag}`).join(', ')}; each file name says which method and budget made it.`,
      'protect:mixed',
    );
  }
  const names = uniqueNames(done.map((c) => protectedName(c, s.protections[c.id]!.result!)));
  const zip = zipStore(
    done.map((c, i) => ({ name: names[i]!, data: encodeWav(s.protections[c.id]!.result!.wave, c.sampleRate) })),
  );
  saveBlob(
    zip as BlobPart,
    `aclipse-protected-${done.length}-clips${mix.length > 1 ? '-mixed' : ''}-${stamp()}.zip`,
    'application/zip',
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Demo clips (served from our own origin, decoded like any file)
// ---------------------------------------------------------------------------------------------------------------

export interface DemoClip {
  id: string;
  path: string;
  text: string;
  emotion: Emotion;
  duration: number;
  split?: string;
}

let demoList: Promise<DemoClip[]> | null = null;

export function demoClips(): Promise<DemoClip[]> {
  demoList ??= fetch(`${import.meta.env.BASE_URL}demo/manifest.jsonl`)
    .then((r) => {
      if (!r.ok) throw new Error(`the demo list is missing (HTTP ${r.status})`);
      return r.text();
    })
    .then((text) =>
      text
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as DemoClip)
        // The picker offers held-out clips only; the train/val ones are there for the Train tab.
        .filter((d) => !d.split || d.split === 'test'),
    );
  demoList.catch(() => (demoList = null));
  return demoList;
}

export async function loadDemoClip(demo: DemoClip): Promise<boolean> {
  const { notify, setBusy } = get();
  try {
    setBusy(`Loading demo clip “${demo.id}”…`);
    const url = `${import.meta.env.BASE_URL}demo/${demo.path}`;
    const res = await fetch(url);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    keepOffline([`${import.meta.env.BASE_URL}demo/manifest.jsonl`, url]);
    const file = new File([await res.blob()], `${demo.id}.wav`, { type: 'audio/wav' });
    return await addClipFromFile(file, 'demo', `${demo.id}.wav`, {
      label: { text: demo.text, emotion: demo.emotion },
      detail: `Demo set · acted ${demo.emotion}`,
    });
  } catch (err) {
    notify('error', `Could not load the demo clip: ${errorText(err)}`, 'input:demo');
    return false;
  } finally {
    get().setBusy(null);
  }
}
