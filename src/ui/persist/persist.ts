/**
 * Keeps the user's work across reloads and crashes: clips (original samples), their protected versions and
 * results, the last evaluation, the Protect settings, and every generator trained or imported in the browser
 * (its weights, exported from the worker and re-imported into each new worker).
 *
 * Writes follow the store as it changes (write-through, per item, so one big clip does not rewrite the rest).
 * When storage is missing or full, the app keeps working from memory and says so; the unload guard then warns
 * before anything held only in memory is lost.
 */
import type { StoreApi } from 'zustand';
import type {
  EvaluateArgs,
  EvaluateResult,
  ExportedModel,
  GeneratorInfo,
  ImportGeneratorArgs,
  ModelsReport,
  ProtectResult,
} from '../../engine/api';
import type { AppState, Clip, Protection, ProtectSettings, SpanSelection } from '../store';
import { isQuotaError, type KeyValueStore } from './storage';

/** Bumped when a stored shape changes incompatibly; older records are then skipped, never misread. */
export const STORAGE_VERSION = 1;

export interface StoredClip {
  v: number;
  clip: Clip;
}

export interface StoredProtection {
  v: number;
  settings: ProtectSettings;
  result: ProtectResult;
}

export interface StoredSpans {
  v: number;
  selection: SpanSelection;
}

export interface StoredGenerator {
  v: number;
  key: string;
  label: string;
  origin: 'trained' | 'imported';
  modelJson: string;
  weights: ArrayBuffer;
  savedAt: number;
}

export interface StoredPrefs {
  v: number;
  settings: ProtectSettings;
  selectedClipId: string | null;
  /** Storage key of the active generator, 'shipped', or null when unknown. */
  activeGenerator: string | null;
}

export interface StoredEvaluation {
  v: number;
  args: EvaluateArgs | null;
  result: EvaluateResult;
}

/** What the persister needs from the engine, so tests can stand in for the worker. */
export interface GeneratorPort {
  exportGenerator(id: string): Promise<ExportedModel>;
  importGenerator(args: ImportGeneratorArgs): Promise<ModelsReport>;
  useGenerator(id: string): Promise<ModelsReport>;
  /** A report from a restore, for the store. */
  onReport(report: ModelsReport): void;
}

const CLIP = 'clip:';
const PROTECTION = 'protection:';
const GENERATOR = 'generator:';
const SPANS = 'spans:';
const PREFS = 'prefs';
const EVALUATION = 'evaluation';

function isRecord(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object';
}

function current(v: unknown): v is Record<string, unknown> & { v: number } {
  return isRecord(v) && v.v === STORAGE_VERSION;
}

function validClip(v: unknown): v is StoredClip {
  return current(v) && isRecord(v.clip) && typeof v.clip.id === 'string' && v.clip.samples instanceof Float32Array;
}

function validProtection(v: unknown): v is StoredProtection {
  return current(v) && isRecord(v.result) && v.result.wave instanceof Float32Array && isRecord(v.settings);
}

function validSpans(v: unknown): v is StoredSpans {
  return (
    current(v) && isRecord(v.selection) && Array.isArray(v.selection.spans) && typeof v.selection.enabled === 'boolean'
  );
}

function validGenerator(v: unknown): v is StoredGenerator {
  return current(v) && typeof v.key === 'string' && typeof v.modelJson === 'string' && v.weights instanceof ArrayBuffer;
}

/** Why leaving the page now would lose something; empty when nothing would be lost. */
export function unsavedWork(s: AppState): string[] {
  const reasons: string[] = [];
  const hasData = s.clips.length > 0;
  if (s.storage.pending > 0) reasons.push('some of your data is still being saved');
  if (s.storage.mode === 'memory' && hasData)
    reasons.push('your clips and results are kept in memory only (storage is unavailable)');
  const unsavedGens = Object.values(s.storage.unsavedGenerators);
  if (unsavedGens.length)
    reasons.push(`the generator weights ${unsavedGens.map((l) => `“${l}”`).join(', ')} are not saved`);
  if (s.training.status === 'running') reasons.push('training is running');
  else if (s.training.session && !s.training.kept)
    reasons.push('the generator you trained is neither adopted nor exported');
  if (Object.values(s.protections).some((p) => p.status === 'running' || p.status === 'queued'))
    reasons.push('a protection is running');
  if (s.evaluation.status === 'running') reasons.push('an evaluation is running');
  if (s.fineTune.status === 'running') reasons.push('fine-tuning is running');
  return reasons;
}

export class Persister {
  private kv: KeyValueStore | null;
  private readonly storedClips = new Set<string>();
  private readonly storedResults = new Map<string, ProtectResult>();
  private readonly storedSpans = new Map<string, SpanSelection>();
  private storedEvaluation: EvaluateResult | null = null;
  private prefsJson = '';
  /** Worker generator id → storage key, for the worker of the current engine generation. */
  private readonly genKeys = new Map<string, string>();
  private readonly savingGens = new Set<string>();
  private readonly savedGenerators = new Map<string, StoredGenerator>();
  private wantedActive: string | null = null;
  private restoringGenerators = false;
  private unsubscribe: (() => void) | null = null;

  constructor(
    kv: KeyValueStore | null,
    private readonly store: StoreApi<AppState>,
    private readonly port: GeneratorPort,
  ) {
    this.kv = kv;
  }

  /** Reads what was stored and puts it back into the app, then follows the store's changes. */
  async start(): Promise<{ clips: number; results: number; generators: number }> {
    let data: [string, unknown][] = [];
    if (this.kv) {
      try {
        data = await this.kv.entries();
      } catch (err) {
        this.fallBack(err);
      }
    } else {
      this.fallBack(new Error('IndexedDB is not available'));
    }
    const restored = this.restore(data);
    if (this.kv) this.patchStorage({ mode: 'persistent' });
    this.unsubscribe = this.store.subscribe(() => this.sync());
    this.sync();
    return restored;
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  get mode(): 'persistent' | 'memory' {
    return this.kv ? 'persistent' : 'memory';
  }

  private restore(data: [string, unknown][]): { clips: number; results: number; generators: number } {
    const clips: Clip[] = [];
    const protections: Record<string, Protection> = {};
    const spanSelections: Record<string, SpanSelection> = {};
    let prefs: StoredPrefs | null = null;
    let evaluation: StoredEvaluation | null = null;
    for (const [key, value] of data) {
      if (key.startsWith(CLIP) && validClip(value)) clips.push(value.clip);
      else if (key.startsWith(PROTECTION) && validProtection(value)) {
        protections[key.slice(PROTECTION.length)] = {
          status: 'done',
          settings: value.settings,
          stage: '',
          fraction: 1,
          result: value.result,
          error: null,
        };
      } else if (key.startsWith(SPANS) && validSpans(value)) spanSelections[key.slice(SPANS.length)] = value.selection;
      else if (key.startsWith(GENERATOR) && validGenerator(value)) this.savedGenerators.set(value.key, value);
      else if (key === PREFS && current(value) && isRecord(value.settings)) prefs = value as unknown as StoredPrefs;
      else if (key === EVALUATION && current(value) && isRecord(value.result))
        evaluation = value as unknown as StoredEvaluation;
    }
    clips.sort((a, b) => a.createdAt - b.createdAt);
    for (const c of clips) this.storedClips.add(c.id);
    for (const [id, p] of Object.entries(protections)) {
      if (this.storedClips.has(id)) this.storedResults.set(id, p.result!);
      else delete protections[id];
    }
    for (const [id, sel] of Object.entries(spanSelections)) {
      if (this.storedClips.has(id)) this.storedSpans.set(id, sel);
      else delete spanSelections[id];
    }
    this.wantedActive = prefs?.activeGenerator ?? null;
    if (evaluation) this.storedEvaluation = evaluation.result;
    this.store.setState((s) => {
      // Clips added while storage was being read (a fast drop) stay, after the restored ones.
      const fresh = s.clips.filter((c) => !this.storedClips.has(c.id));
      const all = [...clips, ...fresh];
      const selected =
        s.selectedClipId ??
        (prefs && all.some((c) => c.id === prefs.selectedClipId) ? prefs.selectedClipId : (all.at(-1)?.id ?? null));
      return {
        clips: all,
        selectedClipId: selected,
        protections: { ...protections, ...s.protections },
        spanSelections: { ...spanSelections, ...s.spanSelections },
        settings: prefs ? { ...s.settings, ...prefs.settings } : s.settings,
        evaluation:
          evaluation && !s.evaluation.result
            ? {
                ...s.evaluation,
                status: 'done',
                args: evaluation.args,
                result: evaluation.result,
                rows: evaluation.result.rows,
              }
            : s.evaluation,
      };
    });
    return { clips: clips.length, results: this.storedResults.size, generators: this.savedGenerators.size };
  }

  private patchStorage(patch: Partial<AppState['storage']>): void {
    this.store.setState((s) => ({ storage: { ...s.storage, ...patch } }));
  }

  private fallBack(err: unknown): void {
    if (!this.kv && this.store.getState().storage.mode === 'memory') return;
    this.kv = null;
    const problem = isQuotaError(err)
      ? 'This browser’s storage for the site is full'
      : `This browser does not let the page store data (${err instanceof Error ? err.message : String(err)})`;
    this.patchStorage({ mode: 'memory', problem });
    this.store
      .getState()
      .notify(
        'warning',
        `${problem}, so your clips and results are kept in this tab’s memory only and are lost when it closes. Download what you want to keep, or free space with “Delete all my data” on the Engine tab.`,
        'storage:memory',
      );
  }

  private track<T>(p: Promise<T>): Promise<T | undefined> {
    this.patchStorage({ pending: this.store.getState().storage.pending + 1 });
    return p
      .then(
        (v) => v,
        (err: unknown) => {
          this.fallBack(err);
          return undefined;
        },
      )
      .finally(() => this.patchStorage({ pending: Math.max(0, this.store.getState().storage.pending - 1) }));
  }

  private write(key: string, value: unknown): void {
    if (!this.kv) return;
    void this.track(this.kv.set(key, value));
  }

  private remove(key: string): void {
    if (!this.kv) return;
    void this.track(this.kv.del(key));
  }

  /** Writes what changed since the last call. */
  sync(): void {
    const s = this.store.getState();
    this.syncGenerators(s);
    if (!this.kv) return;
    const ids = new Set(s.clips.map((c) => c.id));
    for (const c of s.clips) {
      if (this.storedClips.has(c.id)) continue;
      this.storedClips.add(c.id);
      this.write(CLIP + c.id, { v: STORAGE_VERSION, clip: c } satisfies StoredClip);
    }
    for (const id of [...this.storedClips]) {
      if (ids.has(id)) continue;
      this.storedClips.delete(id);
      this.remove(CLIP + id);
      if (this.storedResults.delete(id)) this.remove(PROTECTION + id);
      if (this.storedSpans.delete(id)) this.remove(SPANS + id);
    }
    for (const [id, sel] of Object.entries(s.spanSelections)) {
      if (!ids.has(id) || this.storedSpans.get(id) === sel) continue;
      this.storedSpans.set(id, sel);
      this.write(SPANS + id, { v: STORAGE_VERSION, selection: sel } satisfies StoredSpans);
    }
    for (const [id, p] of Object.entries(s.protections)) {
      if (!p.result || !ids.has(id) || this.storedResults.get(id) === p.result) continue;
      this.storedResults.set(id, p.result);
      this.write(PROTECTION + id, {
        v: STORAGE_VERSION,
        settings: p.settings,
        result: p.result,
      } satisfies StoredProtection);
    }
    const ev = s.evaluation.result;
    if (ev && ev !== this.storedEvaluation) {
      this.storedEvaluation = ev;
      this.write(EVALUATION, { v: STORAGE_VERSION, args: s.evaluation.args, result: ev } satisfies StoredEvaluation);
    }
    const prefs: StoredPrefs = {
      v: STORAGE_VERSION,
      settings: s.settings,
      selectedClipId: s.selectedClipId,
      activeGenerator: this.activeKey(s),
    };
    const json = JSON.stringify(prefs);
    if (json !== this.prefsJson) {
      this.prefsJson = json;
      this.write(PREFS, prefs);
    }
  }

  private activeKey(s: AppState): string | null {
    const active = s.models.report?.activeGenerator ?? null;
    // While generators are being restored, the worker's choice is not the user's yet.
    if (this.restoringGenerators || !active) return this.wantedActive;
    if (active === 'shipped') return 'shipped';
    return this.genKeys.get(active) ?? this.wantedActive;
  }

  private syncGenerators(s: AppState): void {
    const report = s.models.report;
    if (!report || this.restoringGenerators) return;
    for (const g of report.generators) {
      if (g.origin === 'shipped' || this.genKeys.has(g.id) || this.savingGens.has(g.id)) continue;
      void this.saveGenerator(g);
    }
  }

  private async saveGenerator(g: GeneratorInfo): Promise<void> {
    this.savingGens.add(g.id);
    this.patchStorage({ unsavedGenerators: { ...this.store.getState().storage.unsavedGenerators, [g.id]: g.label } });
    if (!this.kv) return; // stays listed as unsaved: the unload guard warns about it
    try {
      const { files } = await this.port.exportGenerator(g.id);
      const json = files.find((f) => f.name.endsWith('.json'));
      const bin = files.find((f) => f.name.endsWith('.bin'));
      if (!json || !bin) throw new Error('the engine exported no model.json + weights.bin');
      const key = `${g.origin}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
      const stored: StoredGenerator = {
        v: STORAGE_VERSION,
        key,
        label: g.label,
        origin: g.origin === 'trained' ? 'trained' : 'imported',
        modelJson: new TextDecoder().decode(json.data),
        weights: bin.data,
        savedAt: Date.now(),
      };
      if (!this.kv) return;
      const kv = this.kv;
      await this.track(kv.set(GENERATOR + key, stored));
      if (this.kv !== kv) return; // the write failed and storage fell back to memory
      this.savedGenerators.set(key, stored);
      this.genKeys.set(g.id, key);
      const { [g.id]: _saved, ...rest } = this.store.getState().storage.unsavedGenerators;
      this.patchStorage({ unsavedGenerators: rest });
      this.sync(); // the active generator may now have a key
    } catch (err) {
      this.store
        .getState()
        .notify(
          'warning',
          `Could not save the generator “${g.label}” in this browser: ${err instanceof Error ? err.message : String(err)}. Export it to keep it.`,
          'storage:generator',
        );
    } finally {
      this.savingGens.delete(g.id);
    }
  }

  /**
   * Puts the stored generators into a (new) worker, without switching, then re-selects the one that was active.
   * Call it once per engine generation: a new worker holds none of them.
   */
  async restoreGenerators(): Promise<void> {
    this.genKeys.clear();
    this.savingGens.clear();
    this.patchStorage({ unsavedGenerators: {} });
    if (this.savedGenerators.size === 0) return;
    this.restoringGenerators = true;
    let report: ModelsReport | null = null;
    try {
      for (const g of [...this.savedGenerators.values()].sort((a, b) => a.savedAt - b.savedAt)) {
        // A copy: the bridge may transfer (detach) the buffer it is given.
        report = await this.port.importGenerator({
          modelJson: g.modelJson,
          weights: g.weights.slice(0),
          label: g.label,
          origin: g.origin,
          activate: false,
        });
        // A new generator is added last in the worker's list.
        const added = report.generators.at(-1);
        if (added && added.origin === g.origin) this.genKeys.set(added.id, g.key);
      }
      const wanted = this.wantedActive;
      const id = wanted ? [...this.genKeys].find(([, key]) => key === wanted)?.[0] : undefined;
      if (id) report = await this.port.useGenerator(id);
    } catch (err) {
      this.store
        .getState()
        .notify(
          'warning',
          `Could not restore a saved generator: ${err instanceof Error ? err.message : String(err)}`,
          'storage:restore',
        );
    } finally {
      this.restoringGenerators = false;
      if (report) this.port.onReport(report);
      this.sync();
    }
  }

  /** The stored keys of generators restored into this worker (for tests and the data panel). */
  restoredGenerators(): string[] {
    return [...this.genKeys.values()];
  }

  /** Deletes everything this app stored in the browser. */
  async clearAll(): Promise<void> {
    this.stop();
    this.storedClips.clear();
    this.storedResults.clear();
    this.storedSpans.clear();
    this.savedGenerators.clear();
    this.genKeys.clear();
    if (this.kv) await this.kv.clear();
  }
}
