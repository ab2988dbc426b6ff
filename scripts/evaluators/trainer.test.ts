import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initTf } from '../../src/core/node/tf';
import { loadRunConfig, type TrainRunConfig } from './config';
import { holdOutVoices, scheduledLr, trainKind } from './trainer';
import { lrAt } from '../../src/core/ml/train';

beforeAll(async () => {
  await initTf('wasm');
});

describe('learning-rate schedule', () => {
  it('is warm-up + cosine, with optional warm restarts', () => {
    const tc = { lr: 1e-3, warmupSteps: 5, epochs: 4 } as Parameters<typeof scheduledLr>[2];
    for (const s of [0, 4, 10, 39]) expect(scheduledLr(s, 10, tc)).toBeCloseTo(lrAt(s, 1e-3, 5, 40), 12);
    const r = { ...tc, restartAt: [2], restartScale: 0.5 };
    expect(scheduledLr(19, 10, r)).toBeCloseTo(lrAt(19, 1e-3, 5, 20), 12); // end of cycle 1: near the floor
    expect(scheduledLr(19, 10, r)).toBeLessThan(1e-4);
    expect(scheduledLr(24, 10, r)).toBeCloseTo(5e-4, 12); // warmed back up to lr × scale
    expect(scheduledLr(39, 10, r)).toBeLessThan(1e-4);
  });
});

describe('leave-one-voice-out fold', () => {
  const clip = (id: string, voice: string) => ({ id, voice });
  const train = ['a', 'b', 'c'].flatMap((v) => [1, 2, 3].map((i) => clip(`t${v}${i}`, v)));
  const val = ['a', 'b', 'c'].flatMap((v) => [1, 2, 3, 4].map((i) => clip(`v${v}${i}`, v)));
  it('drops the held-out voice from training and keeps all its val clips, flagged', () => {
    const f = holdOutVoices(train, val, (c) => c.voice, ['b'], 4);
    expect(f.train.map((c) => c.voice)).not.toContain('b');
    expect(f.train).toHaveLength(6);
    const held = f.val.filter((_, i) => f.isHeldOut[i]);
    expect(held.map((c) => c.id)).toEqual(['vb1', 'vb2', 'vb3', 'vb4']);
    const seen = f.val.filter((_, i) => !f.isHeldOut[i]);
    expect(seen).toHaveLength(4); // the limit applies to the seen voices only, spread over both
    expect(new Set(seen.map((c) => c.voice))).toEqual(new Set(['a', 'c']));
  });
  it('is the plain split without held-out voices, and refuses a voice val does not have', () => {
    const f = holdOutVoices(train, val, (c) => c.voice, [], null);
    expect(f.train).toEqual(train);
    expect(f.val).toEqual(val);
    expect(f.isHeldOut.some(Boolean)).toBe(false);
    expect(() => holdOutVoices(train, val, (c) => c.voice, ['z'], null)).toThrow(/no val clips/);
  });
});

const TINY = 'configs/evaluators.tiny.json';

/** The tiny config with its run and export folders in a fresh temporary folder. */
async function tinyRun(prefix: string): Promise<{ tmp: string; cfg: TrainRunConfig & { outDir: string } }> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), prefix));
  const cfg = { ...loadRunConfig(TINY), runDir: path.join(tmp, 'runs'), outDir: path.join(tmp, 'models') };
  return { tmp, cfg };
}

describe('evaluator training CLI core (tiny config on the 10-clip fixture corpus)', () => {
  it('trains, resumes from its checkpoint, and exports model.json + weights.bin with val metrics', async () => {
    const { cfg } = await tinyRun('aclipse-train-');
    cfg.asr!.epochs = 1;
    await trainKind(cfg, 'asr', true, TINY);
    const state1 = JSON.parse(readFileSync(path.join(cfg.runDir, 'asr', 'state.json'), 'utf8'));
    expect(state1.epoch).toBe(1);
    cfg.asr!.epochs = 2; // resume: only the second epoch runs
    await trainKind(cfg, 'asr', false, TINY);
    const state2 = JSON.parse(readFileSync(path.join(cfg.runDir, 'asr', 'state.json'), 'utf8'));
    expect(state2.epoch).toBe(2);
    expect(state2.history).toHaveLength(2);
    expect(state2.step).toBe(2 * state1.step);
    const json = JSON.parse(readFileSync(path.join(cfg.outDir, 'asr', 'model.json'), 'utf8'));
    expect(json.format).toBe('aclipse-fn/1');
    expect(json.metrics.val.n).toBe(2);
    expect(json.trainedWith.decoder.lexicon).toBe('words.txt');
    expect(existsSync(path.join(cfg.outDir, 'asr', 'weights.bin'))).toBe(true);
    expect(readFileSync(path.join(cfg.outDir, 'asr', 'words.txt'), 'utf8').split('\n').length).toBeGreaterThan(5);
    await trainKind(cfg, 'ser', true, TINY);
    const ser = JSON.parse(readFileSync(path.join(cfg.outDir, 'ser', 'model.json'), 'utf8'));
    expect(ser.config.kind).toBe('ser');
    expect(ser.metrics.val.confusion).toHaveLength(4);
  }, 60_000);

  it('fine-tunes from an init folder (its weights, not a random start) with its own dropout, grows a head input, and refuses another architecture', async () => {
    const { tmp, cfg } = await tinyRun('aclipse-init-');
    cfg.ser!.epochs = 1;
    await trainKind(cfg, 'ser', true, TINY);
    const base = path.join(cfg.outDir, 'ser');
    const ser = { ...cfg.ser!, init: base, lr: 1e-9, warmupSteps: 1, model: { ...cfg.ser!.model, dropout: 0.05 } };
    const ft = { ...cfg, runDir: path.join(tmp, 'runs-ft'), outDir: path.join(tmp, 'ft'), ser };
    await trainKind(ft, 'ser', true, TINY);
    // a learning rate of 1e-9 leaves the start point: the weights equal the init's, which a random init would not
    const a = new Float32Array(readFileSync(path.join(base, 'weights.bin')).buffer.slice(0));
    const b = new Float32Array(readFileSync(path.join(tmp, 'ft', 'ser', 'weights.bin')).buffer.slice(0));
    expect(b.length).toBe(a.length);
    let maxDiff = 0;
    for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i]! - b[i]!));
    expect(maxDiff).toBeLessThan(1e-5);
    const json = JSON.parse(readFileSync(path.join(tmp, 'ft', 'ser', 'model.json'), 'utf8'));
    expect(json.trainedWith.init.from).toBe(base);
    expect(json.config.dropout).toBe(0.05);
    expect(json.trainedWith.init.command).toContain('train:evaluators');
    // a config that only adds the loud-level head input grows from the init: one more head row, the rest kept
    const grow = {
      ...ft,
      runDir: path.join(tmp, 'runs-grow'),
      outDir: path.join(tmp, 'grow'),
      ser: { ...ft.ser, model: { ...ft.ser.model, loudLevel: { center: 5, scale: 0.7 } } },
    };
    await trainKind(grow, 'ser', true, TINY);
    const g = new Float32Array(readFileSync(path.join(tmp, 'grow', 'ser', 'weights.bin')).buffer.slice(0));
    expect(g.length).toBe(a.length + (cfg.ser!.model.hidden ?? 0));
    expect(JSON.parse(readFileSync(path.join(tmp, 'grow', 'ser', 'model.json'), 'utf8')).config.loudLevel).toEqual({
      center: 5,
      scale: 0.7,
    });
    const wider = {
      ...ft,
      runDir: path.join(tmp, 'runs-bad'),
      ser: { ...ft.ser, model: { ...ft.ser.model, channels: 32 } },
    };
    await expect(trainKind(wider, 'ser', true, TINY)).rejects.toThrow(/architecture cannot start from/);
  }, 60_000);
});
