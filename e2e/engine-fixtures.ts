/**
 * Test fixtures for the engine: tiny evaluators (SER + ASR + word list + bigram LM) and a tiny generator with random heads, plus
 * a 6-clip labelled dataset and a Node (wasm) reference of the evaluators on a demo clip. Built with the same core
 * code the app runs, written to a git-ignored temp folder, never into public/models/. Random weights are the point:
 * these tests check plumbing, shapes, budgets and backend agreement, not model quality.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_MODULE_CONFIG } from '../src/core/aclipse/generator';
import { AclipseGenerator } from '../src/core/aclipse/model';
import { decodeWavTo16kMono, encodeWav } from '../src/core/audio';
import { LIVE_DEFAULTS } from '../src/core/live';
import { Evaluators } from '../src/core/ml/evaluators';
import { NgramLm } from '../src/core/text/lm';
import { AsrModel, DEFAULT_ASR_CONFIG, DEFAULT_SER_CONFIG, SerModel } from '../src/core/ml/models';
import { exportModel } from '../src/core/ml/weights';
import { writeModelDir } from '../src/core/node/io';
import { initTf } from '../src/core/node/tf';

/** Bump when the fixtures change, so a stale cache is never used. */
const VERSION = 9;
export const ENGINE_FIXTURES = join(tmpdir(), 'aclipse-e2e', `engine-fixtures-v${VERSION}`);

/** The fixture generator's weights by budget (the e2e tests move the budget slider across its threshold). */
export const FIXTURE_BANDS = {
  format: 'aclipse-bands/1',
  bands: [{ fromDb: 20, path: 'range/', label: 'of the fixture band', why: 'A fixture.' }],
};

export const FIXTURE_WORDS = ['he', 'was', 'the', 'road', 'down', 'a', 'cat', 'dog', 'sat', 'ran'];
const FIXTURE_LM_TEXT = ['a cat sat', 'the dog ran', 'he was down the road', 'a dog sat'];
const FIXTURE_DECODER = { lexicon: 'words.txt', lm: 'lm.bin', beamWidth: 4, wordBonus: 0, lmWeight: 0.5 };

export interface NodeReference {
  clip: { id: string; path: string; samples: number };
  backend: string;
  emotion: string;
  probabilities: number[];
  transcriptGreedy: string;
  transcript: string;
}

export interface EngineFixtures {
  /** Folder served as the app's /models/ (ser/, asr/, aclipse/). */
  modelsDir: string;
  /** A labelled dataset: manifest.jsonl + clips/ (4 train, 2 val). */
  datasetDir: string;
  reference: NodeReference;
}

const tinyFrontend = { ...DEFAULT_ASR_CONFIG.frontend, nMels: 24 };

/** Harmonic bursts with a noisy tail: speech-like enough to exercise every path, different per clip. */
export function syntheticClip(i: number, seconds = 1): Float32Array {
  const n = Math.round(seconds * 16000);
  const f0 = 110 + 35 * (i % 4);
  const x = new Float32Array(n);
  let s = i * 7919 + 1;
  for (let t = 0; t < n; t++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const env = 0.6 + 0.4 * Math.sin((2 * Math.PI * 3 * t) / 16000 + i);
    let v = 0;
    for (let h = 1; h <= 6; h++) v += Math.sin((2 * Math.PI * f0 * h * t) / 16000) / h;
    x[t] = 0.15 * env * v + 0.01 * (s / 2147483648 - 0.5);
  }
  return x;
}

/** The generator's weights with the named ones replaced by seeded normal noise; `created` are the new tensors. */
function randomize(
  map: tf.NamedTensorMap,
  keys: string[],
  std: number,
  seed: number,
): { map: tf.NamedTensorMap; created: tf.Tensor[] } {
  const out: tf.NamedTensorMap = {};
  const created: tf.Tensor[] = [];
  for (const [k, v] of Object.entries(map)) {
    if (keys.some((p) => k.endsWith(p))) {
      out[k] = tf.randomNormal(v.shape, 0, std, 'float32', seed++);
      created.push(out[k]);
    } else {
      // A copy: assigning a variable to itself makes tfjs recurse forever.
      out[k] = tf.clone(v);
      created.push(out[k]);
    }
  }
  return { map: out, created };
}

async function build(dir: string): Promise<EngineFixtures> {
  await initTf('wasm');
  const modelsDir = join(dir, 'models');
  const datasetDir = join(dir, 'dataset');

  const ser = new SerModel(
    {
      ...DEFAULT_SER_CONFIG,
      frontend: tinyFrontend,
      channels: 16,
      blocks: 2,
      kernel: 3,
      hidden: 8,
      dropout: 0,
      specAugment: null,
    },
    4,
  );
  const asr = new AsrModel(
    {
      ...DEFAULT_ASR_CONFIG,
      frontend: tinyFrontend,
      channels: 16,
      blocks: 1,
      kernel: 3,
      dropout: 0,
      specAugment: null,
    },
    3,
  );
  const fixtureNote = { fixture: 'random weights for engine tests (e2e/engine-fixtures.ts)' };
  await writeModelDir(join(modelsDir, 'ser'), await exportModel(ser, { val: { wa: 0.25, ua: 0.25 } }, fixtureNote));
  await writeModelDir(
    join(modelsDir, 'asr'),
    await exportModel(asr, { val: { wer: 1 } }, { ...fixtureNote, decoder: FIXTURE_DECODER }),
  );
  writeFileSync(join(modelsDir, 'asr', 'words.txt'), FIXTURE_WORDS.join('\n') + '\n');
  const lm = NgramLm.train(
    FIXTURE_LM_TEXT.map((t) => t.split(' ')),
    { order: 2 },
  );
  writeFileSync(join(modelsDir, 'asr', 'lm.bin'), lm.toBinary());

  const module = { ...DEFAULT_MODULE_CONFIG, hidden: 8, kernel: 3, layers: 1 };
  const gen = new AclipseGenerator({ so: module, er: module, budgetDb: 10 }, 7);
  // A fresh generator is the identity (zero heads); random heads make it change the audio, so the budget binds.
  const randomized = randomize(gen.namedWeights(), ['head/w'], 3, 11);
  gen.setWeights(randomized.map);
  tf.dispose(randomized.created);
  const art = await gen.toArtifacts({ trainedWith: fixtureNote, metrics: { val: { wa: 0.5, wer: 0.9 } } });
  mkdirSync(join(modelsDir, 'aclipse'), { recursive: true });
  writeFileSync(join(modelsDir, 'aclipse', 'weights.bin'), new Uint8Array(art.weights));
  writeFileSync(join(modelsDir, 'aclipse', 'model.json'), JSON.stringify(art.modelJson));
  // An external-attacker claim bound to exactly these weights, as `npm run eval:claims` writes it.
  const weightsSha256 = createHash('sha256').update(new Uint8Array(art.weights)).digest('hex');
  const claim = {
    attacker: 'Fixture attacker',
    set: 'real',
    clips: 3,
    budgetDb: 10,
    cleanWer: 0.1,
    protectedWer: 0.9,
    noiseWer: 0.2,
    command: 'fixture',
    date: null,
  };
  writeFileSync(
    join(modelsDir, 'aclipse', 'claims.json'),
    // …and one measured on the live stream, which only the Live card may show.
    JSON.stringify({
      format: 'aclipse-claims/1',
      weightsSha256,
      claims: [
        claim,
        { ...claim, attacker: 'Fixture live attacker', protectedWer: 0.5, live: true, liveSettings: LIVE_DEFAULTS },
      ],
    }),
  );
  // Weights by budget, as the shipped generator has them: halved weights from 20 dB up (bands.json).
  mkdirSync(join(modelsDir, 'aclipse', 'range'), { recursive: true });
  const halved = new Float32Array(art.weights.slice(0)).map((v) => v * 0.5);
  writeFileSync(join(modelsDir, 'aclipse', 'range', 'weights.bin'), new Uint8Array(halved.buffer));
  writeFileSync(join(modelsDir, 'aclipse', 'range', 'model.json'), JSON.stringify(art.modelJson));
  writeFileSync(join(modelsDir, 'aclipse', 'bands.json'), JSON.stringify(FIXTURE_BANDS));

  // Dataset: 4 train clips (one per emotion, with transcripts), 2 val clips, 1 held-out test clip.
  mkdirSync(join(datasetDir, 'clips'), { recursive: true });
  const emotions = ['neutral', 'sad', 'happy', 'angry', 'sad', 'happy', 'angry'];
  const texts = ['a cat sat', 'the dog ran', 'he was down', 'the road', 'a dog sat', 'he ran', 'the cat'];
  const splits = ['train', 'train', 'train', 'train', 'val', 'val', 'test'];
  const lines = emotions.map((emotion, i) => {
    const path = `clips/c${i}.wav`;
    writeFileSync(join(datasetDir, path), encodeWav(syntheticClip(i, 0.8 + 0.1 * (i % 3)), 16000));
    return JSON.stringify({ id: `c${i}`, path, text: texts[i], emotion, speaker: `s${i % 2}`, split: splits[i] });
  });
  writeFileSync(join(datasetDir, 'manifest.jsonl'), lines.join('\n') + '\n');

  // The reference: the same weights on the first demo clip, in Node on wasm.
  const demo = readFileSync('public/demo/manifest.jsonl', 'utf8')
    .split('\n')
    .filter((l) => l.trim());
  const first = JSON.parse(demo[0]!) as { id: string; path: string };
  const clipPath = join('public/demo', first.path);
  const samples = decodeWavTo16kMono(new Uint8Array(readFileSync(clipPath)).buffer);
  const ev = await Evaluators.load({
    ser: await exportModel(ser, {}, {}),
    asr: await exportModel(asr, {}, { decoder: FIXTURE_DECODER }),
    words: FIXTURE_WORDS,
    lm: lm.toBinary(),
  });
  const p = await ev.predict(samples);
  const reference: NodeReference = {
    clip: { id: first.id, path: first.path, samples: samples.length },
    backend: tf.getBackend(),
    emotion: p.emotion,
    probabilities: p.probabilities,
    transcriptGreedy: p.transcriptGreedy,
    transcript: p.transcript,
  };
  ev.dispose();
  ser.dispose();
  asr.dispose();
  gen.dispose();
  writeFileSync(join(dir, 'reference.json'), JSON.stringify(reference, null, 1));
  writeFileSync(join(dir, 'done'), String(Date.now()));
  return { modelsDir, datasetDir, reference };
}

/** Builds the fixtures once per machine (cached in the temp folder by version). */
export async function engineFixtures(dir = ENGINE_FIXTURES): Promise<EngineFixtures> {
  if (existsSync(join(dir, 'done'))) {
    return {
      modelsDir: join(dir, 'models'),
      datasetDir: join(dir, 'dataset'),
      reference: JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8')) as NodeReference,
    };
  }
  return build(dir);
}
