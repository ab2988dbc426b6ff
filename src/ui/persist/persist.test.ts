import { cueRetention } from '../../core/cues';
import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ExportedModel, ImportGeneratorArgs, ModelsReport, ProtectResult } from '../../engine/api';
import { useAppStore, type AppState } from '../store';
import { Persister, unsavedWork, type GeneratorPort } from './persist';
import { idbStore, type KeyValueStore } from './storage';

const initial: AppState = useAppStore.getState();
let dbCount = 0;
let dbName = '';

beforeEach(() => {
  useAppStore.setState(initial, true);
  dbName = `test-${++dbCount}`;
});

/** Waits until every write the persister started has finished. */
async function settled(): Promise<void> {
  for (let i = 0; i < 200 && useAppStore.getState().storage.pending > 0; i++)
    await new Promise((r) => setTimeout(r, 5));
  expect(useAppStore.getState().storage.pending).toBe(0);
}

function fakeResult(wave: Float32Array): ProtectResult {
  return {
    method: 'noise',
    generatorId: null,
    budgetDb: 12,
    wave,
    snrDb: 12.3,
    attention: null,
    original: null,
    protected: null,
    intelligibility: null,
    perturbation: {} as ProtectResult['perturbation'],
    spectra: null,
    timing: { protectMs: 1, analyzeMs: 0, totalMs: 1, realtimeFactor: 100 },
    cues: cueRetention(wave, wave),
    backend: 'cpu',
  };
}

function report(generators: ModelsReport['generators'], active: string | null): ModelsReport {
  return { evaluators: null, evaluatorsProblem: null, generators, activeGenerator: active, generatorProblem: null };
}

function gen(
  id: string,
  origin: 'shipped' | 'trained' | 'imported',
  label: string,
): ModelsReport['generators'][number] {
  return {
    id,
    origin,
    label,
    parameters: 3,
    bytes: 12,
    config: { so: { hidden: 1, kernel: 1 }, er: { hidden: 1, kernel: 1 }, budgetDb: 10 } as never,
    metrics: null,
    trainedWith: null,
    claims: [],
    bands: [],
  };
}

/** A stand-in worker: holds imported generators like ModelStore does (new ones last). */
class FakePort implements GeneratorPort {
  imports: ImportGeneratorArgs[] = [];
  used: string[] = [];
  gens = [gen('shipped', 'shipped', 'Shipped weights')];
  active = 'shipped';
  exportGenerator(id: string): Promise<ExportedModel> {
    const weights = new Float32Array([1, 2, 3]).buffer;
    return Promise.resolve({
      files: [
        {
          name: 'model.json',
          mimeType: 'application/json',
          data: new TextEncoder().encode(JSON.stringify({ id })).buffer,
        },
        { name: 'weights.bin', mimeType: 'application/octet-stream', data: weights },
      ],
    });
  }
  importGenerator(args: ImportGeneratorArgs): Promise<ModelsReport> {
    this.imports.push(args);
    const origin = args.origin ?? 'imported';
    this.gens.push(gen(`${origin}-${this.gens.length}`, origin, args.label ?? ''));
    return Promise.resolve(report(this.gens, this.active));
  }
  useGenerator(id: string): Promise<ModelsReport> {
    this.used.push(id);
    this.active = id;
    return Promise.resolve(report(this.gens, id));
  }
  onReport(r: ModelsReport): void {
    useAppStore.setState((s) => ({ models: { ...s.models, report: r } }));
  }
}

describe('Persister', () => {
  it('brings back clips, protected versions and settings after a reload, and forgets removed clips', async () => {
    const p1 = new Persister(idbStore(dbName), useAppStore, new FakePort());
    await p1.start();
    const s = useAppStore.getState();
    const a = s.addClip({ name: 'a.wav', samples: Float32Array.from([0.1, -0.2, 0.3]), source: 'file', detail: 'WAV' });
    const b = s.addClip({ name: 'b.wav', samples: Float32Array.from([0.5, 0.5]), source: 'microphone', detail: 'Mic' });
    s.setSettings({ method: 'mcadams', budgetDb: 7 });
    s.patchProtection(a.id, {
      status: 'done',
      settings: { method: 'noise', budgetDb: 12, params: {} },
      result: fakeResult(Float32Array.from([0.11, -0.19, 0.29])),
    });
    s.removeClip(b.id);
    await settled();
    p1.stop();

    // A "reload": an empty app state and a new persister over the same database.
    useAppStore.setState(initial, true);
    const p2 = new Persister(idbStore(dbName), useAppStore, new FakePort());
    const restored = await p2.start();
    expect(restored).toEqual({ clips: 1, results: 1, generators: 0 });
    const after = useAppStore.getState();
    expect(after.storage.mode).toBe('persistent');
    expect(after.clips.map((c) => c.name)).toEqual(['a.wav']);
    expect([...after.clips[0]!.samples]).toEqual([...Float32Array.from([0.1, -0.2, 0.3])]);
    expect(after.selectedClipId).toBe(a.id);
    const prot = after.protections[a.id]!;
    expect(prot.status).toBe('done');
    expect(prot.settings.method).toBe('noise');
    expect([...prot.result!.wave]).toEqual([...Float32Array.from([0.11, -0.19, 0.29])]);
    expect(after.settings).toMatchObject({ method: 'mcadams', budgetDb: 7 });
    p2.stop();
  });

  it('keeps each clip’s marked parts with the clip, and forgets them with it', async () => {
    const p1 = new Persister(idbStore(dbName), useAppStore, new FakePort());
    await p1.start();
    const s = useAppStore.getState();
    const a = s.addClip({ name: 'a.wav', samples: new Float32Array(16000), source: 'file', detail: 'WAV' });
    const b = s.addClip({ name: 'b.wav', samples: new Float32Array(16000), source: 'file', detail: 'WAV' });
    const words = [{ word: 'hello', start: 0.1, end: 0.4 }];
    s.patchSpans(a.id, { enabled: true, spans: [{ start: 0.1, end: 0.5 }], words: { words, domain: null } });
    s.patchSpans(b.id, { enabled: true, spans: [{ start: 0.2, end: 0.3 }] });
    s.patchSpans('no-such-clip', { enabled: true });
    s.removeClip(b.id);
    await settled();
    p1.stop();

    useAppStore.setState(initial, true);
    const p2 = new Persister(idbStore(dbName), useAppStore, new FakePort());
    await p2.start();
    const after = useAppStore.getState().spanSelections;
    expect(Object.keys(after)).toEqual([a.id]);
    expect(after[a.id]).toEqual({ enabled: true, spans: [{ start: 0.1, end: 0.5 }], words: { words, domain: null } });
    p2.stop();
  });

  it('falls back to memory with a notice when storage is full, and then guards the unload', async () => {
    const full: KeyValueStore = {
      set: () =>
        Promise.reject(Object.assign(new Error('The quota has been exceeded.'), { name: 'QuotaExceededError' })),
      del: () => Promise.resolve(),
      entries: () => Promise.resolve([]),
      clear: () => Promise.resolve(),
    };
    const p = new Persister(full, useAppStore, new FakePort());
    await p.start();
    await settled();
    // Nothing in memory yet, so nothing to lose and no prompt.
    expect(unsavedWork(useAppStore.getState())).toEqual([]);
    useAppStore.getState().addClip({ name: 'big.wav', samples: new Float32Array(16), source: 'file', detail: '' });
    await settled();
    const s = useAppStore.getState();
    expect(s.storage.mode).toBe('memory');
    expect(s.storage.problem).toMatch(/full/);
    expect(s.clips).toHaveLength(1); // the clip is still there to work with
    expect(s.messages.find((m) => m.code === 'storage:memory')?.level).toBe('warning');
    expect(unsavedWork(s).join(' ')).toMatch(/memory only/);
    p.stop();
  });

  it('stores a trained generator and re-imports it, with its origin, into the next worker, re-selecting it', async () => {
    const port1 = new FakePort();
    const p1 = new Persister(idbStore(dbName), useAppStore, port1);
    await p1.start();
    // The worker reports a generator trained in this session, active.
    useAppStore.setState((s) => ({
      models: {
        ...s.models,
        report: report([gen('shipped', 'shipped', 'Shipped'), gen('trained-1', 'trained', 'My run')], 'trained-1'),
      },
    }));
    expect(unsavedWork(useAppStore.getState()).join(' ')).toMatch(/My run/);
    for (let i = 0; i < 100 && Object.keys(useAppStore.getState().storage.unsavedGenerators).length; i++)
      await new Promise((r) => setTimeout(r, 5));
    await settled();
    expect(useAppStore.getState().storage.unsavedGenerators).toEqual({});
    expect(unsavedWork(useAppStore.getState())).toEqual([]);
    p1.stop();

    useAppStore.setState(initial, true);
    const port2 = new FakePort();
    const p2 = new Persister(idbStore(dbName), useAppStore, port2);
    expect((await p2.start()).generators).toBe(1);
    await p2.restoreGenerators();
    expect(port2.imports).toHaveLength(1);
    expect(port2.imports[0]).toMatchObject({ label: 'My run', origin: 'trained', activate: false });
    expect([...new Float32Array(port2.imports[0]!.weights)]).toEqual([1, 2, 3]);
    expect(port2.used).toEqual(['trained-1']);
    expect(useAppStore.getState().models.report?.activeGenerator).toBe('trained-1');
    p2.stop();
  });

  it('clearAll leaves nothing to restore', async () => {
    const p1 = new Persister(idbStore(dbName), useAppStore, new FakePort());
    await p1.start();
    useAppStore.getState().addClip({ name: 'x.wav', samples: new Float32Array(4), source: 'file', detail: '' });
    await settled();
    await p1.clearAll();
    useAppStore.setState(initial, true);
    const p2 = new Persister(idbStore(dbName), useAppStore, new FakePort());
    expect(await p2.start()).toEqual({ clips: 0, results: 0, generators: 0 });
    expect(useAppStore.getState().clips).toEqual([]);
  });
});

describe('unsavedWork', () => {
  it('names a training session that is neither adopted nor exported, and a running protection', () => {
    const s = useAppStore.getState();
    expect(unsavedWork(s)).toEqual([]);
    const withSession = { ...s, training: { ...s.training, session: {} as never, kept: false } };
    expect(unsavedWork(withSession).join(' ')).toMatch(/trained/);
    expect(unsavedWork({ ...withSession, training: { ...withSession.training, kept: true } })).toEqual([]);
    const running = {
      ...s,
      protections: {
        c: { status: 'running' as const, settings: s.settings, stage: '', fraction: null, result: null, error: null },
      },
    };
    expect(unsavedWork(running).join(' ')).toMatch(/protection/);
  });
});
