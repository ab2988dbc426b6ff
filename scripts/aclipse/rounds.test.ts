import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AclipseGenerator } from '../../src/core/aclipse/model';
import type { AsrModel } from '../../src/core/ml/models';
import { tinyEvaluators } from '../../src/core/ml/test-models';
import { exportModel, modelFromArtifacts } from '../../src/core/ml/weights';
import { readModelDir, writeAtomic, writeModelDir } from '../../src/core/node/io';
import { initTf } from '../../src/core/node/tf';
import { loadCorpus, loadEnsemble } from './common';
import { loadAclipseConfig } from './config';
import {
  attackerDone,
  deriveRoundConfig,
  earlierAttackers,
  roundPaths,
  runAttackerPart,
  type AttackerPart,
} from './rounds';

const CORPUS = 'tests/fixtures/corpus10';

async function weightsOf(asr: AsrModel): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const [name, v] of asr.params.vars) out.set(name, (await v.data()) as Float32Array);
  return out;
}

describe('deriveRoundConfig', () => {
  const base = JSON.parse(
    JSON.stringify({
      name: 'ensemble-eot',
      runDir: 'runs/aclipse',
      seeds: [0, 1],
      generator: { so: {}, er: {} },
      ensemble: { asrWeight: 1, members: [{ name: 'asr-b', dir: 'public/models/asr-b', weight: 1 }] },
      train: { budgetDb: 10, eot: {}, stage1: { epochs: 6, learningRate: 0.001 }, stage2: { epochs: 4 } },
    }),
  ) as Parameters<typeof deriveRoundConfig>[0];

  it('adds the round attacker to the ensemble and keeps the base members, EOT and learning rates', () => {
    const p = roundPaths('runs/adversarial', 2, 0);
    const cfg = deriveRoundConfig(base, { round: 2, paths: p, attackerWeight: 0.5, seed: 0, epochs1: 4, epochs2: 2 });
    expect(cfg.name).toBe('adversarial-r2');
    expect(cfg.ensemble?.members).toEqual([
      { name: 'asr-b', dir: 'public/models/asr-b', weight: 1 },
      { name: 'attacker-r2', dir: path.join('runs/adversarial', 'round-2', 'attacker'), weight: 0.5 },
    ]);
    expect(cfg.ensemble?.asrWeight).toBe(1);
    expect(cfg.train.stage1).toEqual({ epochs: 4, learningRate: 0.001 });
    expect(cfg.train.stage2).toEqual({ epochs: 2 });
    expect(cfg.train.eot).toEqual({});
    expect(cfg.seeds).toEqual([0]);
    // train-aclipse puts its run in <runDir>/<name>/seed-<s>: the round's generator folder
    expect(path.join(cfg.runDir as string, cfg.name, 'seed-0', 'final')).toBe(p.generator);
    // the base config is untouched
    expect(base.ensemble?.members).toHaveLength(1);
    expect(base.train.stage1?.epochs).toBe(6);
  });

  it("keeps the earlier rounds' attackers beside this round's, each at the attacker weight", () => {
    const p = roundPaths('runs/adversarial', 3, 0);
    const earlier = earlierAttackers('runs/adversarial', 3, 0);
    expect(earlier).toEqual([
      { name: 'attacker-r1', dir: roundPaths('runs/adversarial', 1, 0).attacker },
      { name: 'attacker-r2', dir: roundPaths('runs/adversarial', 2, 0).attacker },
    ]);
    expect(earlierAttackers('runs/adversarial', 1, 0)).toEqual([]);
    // a base that already names an earlier attacker does not get it twice
    const withR1 = structuredClone(base);
    withR1.ensemble?.members.push({ name: 'attacker-r1', dir: 'elsewhere', weight: 3 });
    const cfg = deriveRoundConfig(withR1, {
      round: 3,
      paths: p,
      attackerWeight: 0.5,
      seed: 0,
      earlier,
      batch: 8,
      batchSeconds: 12,
    });
    expect(cfg.train.batchSize).toBe(8);
    expect(cfg.train.maxBatchSeconds).toBe(12);
    expect(cfg.ensemble?.members.map((m) => [m.name, m.weight])).toEqual([
      ['asr-b', 1],
      ['attacker-r1', 0.5],
      ['attacker-r2', 0.5],
      ['attacker-r3', 0.5],
    ]);
    expect(cfg.ensemble?.members[1]?.dir).toBe(earlier[0]?.dir);
    expect(cfg._comment).toContain('attacker-r1, attacker-r2');
  });

  it('reads back through loadAclipseConfig with the attacker as a member', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'adversarial-config-'));
    const p = roundPaths(dir, 1, 0);
    const file = path.join(dir, 'config.json');
    writeFileSync(file, JSON.stringify(deriveRoundConfig(base, { round: 1, paths: p, attackerWeight: 1, seed: 0 })));
    const cfg = loadAclipseConfig(file);
    expect(cfg.ensemble?.members.map((m) => [m.name, m.dir, m.weight])).toEqual([
      ['asr-b', 'public/models/asr-b', 1],
      ['attacker-r1', p.attacker, 1],
    ]);
    expect(cfg.train.stage1.epochs).toBe(6);
    expect(cfg.train.eot).toBeDefined();
  });
});

describe('runAttackerPart on the fixture corpus', () => {
  let dir: string;
  let part: AttackerPart;
  let initial: Map<string, Float32Array>;

  beforeAll(async () => {
    await initTf('wasm');
    dir = mkdtempSync(path.join(os.tmpdir(), 'adversarial-'));
    const { asr, ser } = tinyEvaluators();
    const asrDir = path.join(dir, 'models', 'asr');
    await writeModelDir(asrDir, await exportModel(asr));
    initial = await weightsOf(asr);
    asr.dispose();
    ser.dispose();
    const gen = new AclipseGenerator({
      so: { hidden: 8, kernel: 3, layers: 1, seReduction: 8, dropout: 0, maskScale: 1, addScale: 1 },
      er: { hidden: 8, kernel: 3, layers: 1, seReduction: 8, dropout: 0, maskScale: 1, addScale: 1 },
      budgetDb: 10,
    });
    const art = await gen.toArtifacts();
    await writeAtomic(path.join(dir, 'gen', 'weights.bin'), new Uint8Array(art.weights));
    await writeAtomic(path.join(dir, 'gen', 'model.json'), JSON.stringify(art.modelJson));
    gen.dispose();
    part = await runAttackerPart({
      corpus: await loadCorpus(CORPUS),
      asrDir,
      generatorDir: path.join(dir, 'gen'),
      attacker: { trainClips: 4, epochs: 1, learningRate: 1e-2, budgetDb: 10, maxBatch: 2 },
      valClips: 10,
      beam: false,
      seed: 0,
      round: 1,
      out: roundPaths(dir, 1, 0).attacker,
      log: () => undefined,
    });
  }, 120_000);

  afterAll(() => part?.asr.dispose());

  it('trains on train clips only and scores on val clips only', async () => {
    const corpus = await loadCorpus(CORPUS);
    const splitOf = new Map(corpus.entries.map((e) => [e.id, e.split]));
    expect(part.trainIds).toHaveLength(4);
    expect(part.trainIds.every((id) => splitOf.get(id) === 'train')).toBe(true);
    expect(part.valIds.length).toBeGreaterThan(0);
    expect(part.valIds.every((id) => splitOf.get(id) === 'val')).toBe(true);
    expect(part.result.steps).toBeGreaterThan(0);
  });

  it('saves the fine-tuned model as an ASR folder that loads back with the same weights', async () => {
    const p = roundPaths(dir, 1, 0);
    expect(attackerDone(p)).toBe(true);
    const art = await readModelDir(p.attacker);
    expect(art.modelJson.metrics.attacker).toEqual(part.result);
    const loaded = modelFromArtifacts(art, 'asr');
    const tuned = await weightsOf(part.asr);
    const back = await weightsOf(loaded);
    loaded.dispose();
    expect([...back.keys()]).toEqual([...tuned.keys()]);
    for (const [name, w] of tuned) expect(back.get(name), name).toEqual(w);
    // and it is the fine-tuned model, not the ASR it started from
    const changed = [...tuned].filter(([name, w]) => w.some((x, i) => x !== initial.get(name)![i]));
    expect(changed.length).toBeGreaterThan(0);
  });

  it('serves as an ensemble member', async () => {
    const p = roundPaths(dir, 1, 0);
    const ens = await loadEnsemble({ members: [{ name: 'attacker-r1', dir: p.attacker, weight: 1 }] });
    expect(ens?.members.map((m) => m.name)).toEqual(['attacker-r1']);
    const wave = tf.randomNormal([1, 4000], 0, 0.1) as tf.Tensor2D;
    const out = ens!.members[0].asr(wave, [4000]);
    expect(out.logits.shape[0]).toBe(1);
    expect(out.logits.shape[2]).toBe(part.asr.config.vocab);
    expect(out.lengths[0]).toBeGreaterThan(0);
    tf.dispose([wave, out.logits]);
    ens?.dispose();
  });
});
