import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SAMPLE_RATE } from '../audio/constants';
import { EMOTIONS, type Emotion } from '../data/emotions';
import {
  accuracyFor,
  fitCueEmotion,
  parseCueEmotionModel,
  PROSODY_CUES,
  prosodyCues,
  readByVoice,
  readCueEmotion,
  voiceBaseline,
  voiceReference,
  type CueEmotionRow,
  type ProsodyCues,
} from './emotion';

const sr = SAMPLE_RATE;

/** Syllable-like voiced speech: a harmonic source at f0 (with a slow glide), 4 bursts per second, some pauses. */
function voiced(f0: number, seconds = 2, amp = 0.3, glideSt = 2): Float32Array {
  const out = new Float32Array(Math.round(seconds * sr));
  let phase = 0;
  for (let i = 0; i < out.length; i++) {
    const t = i / sr;
    const f = f0 * 2 ** ((glideSt * Math.sin(2 * Math.PI * 0.7 * t)) / 12);
    phase += (2 * Math.PI * f) / sr;
    let s = 0;
    for (let h = 1; h <= 12; h++) s += Math.sin(h * phase) / h;
    const syllable = Math.max(0, Math.sin(2 * Math.PI * 4 * t)) ** 2;
    out[i] = amp * 0.4 * s * syllable;
  }
  return out;
}

const scaled = (x: Float32Array, db: number) => x.map((v) => v * 10 ** (db / 20));

describe('prosody cues', () => {
  it('reads mean F0 in semitones re 100 Hz, the level and a syllable rate; none on silence', () => {
    const c = prosodyCues(voiced(200))!;
    expect(c).not.toBeNull();
    expect(c.f0St).toBeGreaterThan(11.3);
    expect(c.f0St).toBeLessThan(12.7);
    expect(c.f0RangeSt).toBeGreaterThan(1);
    expect(c.f0RangeSt).toBeLessThan(5);
    expect(c.rate).toBeGreaterThan(2.5);
    expect(c.rate).toBeLessThan(5.5);
    expect(prosodyCues(new Float32Array(sr))).toBeNull();
    // An octave up reads 12 semitones higher.
    expect(prosodyCues(voiced(400))!.f0St - c.f0St).toBeCloseTo(12, 0);
  });

  it('a gain moves the level by the gain and leaves every other cue', () => {
    const x = voiced(150);
    const a = prosodyCues(x)!;
    for (const db of [-12, 6]) {
      const b = prosodyCues(scaled(x, db))!;
      expect(b.levelDb - a.levelDb).toBeCloseTo(db, 1);
      for (const c of ['f0St', 'f0RangeSt', 'tiltDb', 'rate'] as const) expect(b[c]).toBeCloseTo(a[c], 1);
    }
  });
});

/** Rows of a voice whose emotions shift pitch and level from the voice's own habits (as in the corpus). */
function rowsOf(baseSt: number, baseDb: number, jitter: () => number): { cues: ProsodyCues; emotion: Emotion }[] {
  const shift: Record<Emotion, [number, number]> = { neutral: [0, 0], sad: [-2, -4], happy: [2.5, 2], angry: [1, 6] };
  return EMOTIONS.flatMap((e) =>
    Array.from({ length: 20 }, () => ({
      emotion: e,
      cues: {
        f0St: baseSt + shift[e][0] + 0.3 * jitter(),
        f0RangeSt: 4 + jitter(),
        levelDb: baseDb + shift[e][1] + 0.5 * jitter(),
        tiltDb: -10 + jitter(),
        rate: 4 + 0.2 * jitter(),
      },
    })),
  );
}

function lcg(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5;
}

describe('emotion relative to the voice', () => {
  const rng = lcg(7);
  const voices = [rowsOf(10, -25, rng), rowsOf(22, -30, rng)];
  const train: CueEmotionRow[] = voices.flatMap((rows) => {
    const baseline = voiceBaseline(rows.map((r) => r.cues));
    return rows.map((r) => ({ ...r, baseline }));
  });
  const model = fitCueEmotion(train, ['f0St', 'levelDb'], { minClips: 5, priorClips: 3 });
  // A voice neither training voice resembles: half an octave off, recorded 15 dB quieter.
  const unseen = rowsOf(16, -45, rng);
  const wa = (baseline: (r: { cues: ProsodyCues }) => ProsodyCues) =>
    unseen.filter((r) => readCueEmotion(model, r.cues, baseline(r)).emotion === r.emotion).length / unseen.length;

  it('reads an unseen voice against its own baseline, and fails against another voice’s', () => {
    const own = voiceBaseline(unseen.map((r) => r.cues));
    expect(wa(() => own)).toBeGreaterThan(0.9);
    const other = voiceBaseline(voices[0]!.map((r) => r.cues));
    expect(wa(() => other)).toBeLessThan(wa(() => own) - 0.3);
  });

  it('a recording gain on all of a voice’s clips changes nothing', () => {
    const louder = unseen.map((r) => ({ ...r, cues: { ...r.cues, levelDb: r.cues.levelDb + 12 } }));
    const b0 = voiceBaseline(unseen.map((r) => r.cues));
    const b1 = voiceBaseline(louder.map((r) => r.cues));
    unseen.forEach((r, i) => {
      const p0 = readCueEmotion(model, r.cues, b0).probs;
      const p1 = readCueEmotion(model, louder[i]!.cues, b1).probs;
      p0.forEach((p, k) => expect(p1[k]).toBeCloseTo(p, 9));
    });
  });

  it('pulls a reference from few clips toward the training voices, and lets many clips decide', () => {
    const all = unseen.map((r) => r.cues);
    expect(voiceReference(model, [])).toEqual(model.prior.baseline);
    // The prior is the mean over the training voices' baselines.
    const [b0, b1] = voices.map((v) => voiceBaseline(v.map((r) => r.cues)));
    expect(model.prior.baseline.f0St).toBeCloseTo((b0!.f0St + b1!.f0St) / 2, 9);
    const one = voiceReference(model, [all[0]!]);
    expect(one.f0St).toBeCloseTo((all[0]!.f0St + 3 * model.prior.baseline.f0St) / 4, 9);
    const many = voiceReference(model, all);
    expect(Math.abs(many.f0St - voiceBaseline(all).f0St)).toBeLessThan(0.5);
    expect(wa((r) => voiceReference(model, [r.cues]))).toBeLessThan(wa(() => many));
  });

  it('reads each clip against all the clips of its own voice, whatever other voices are read beside it', () => {
    const a = unseen.map((r) => ({ voice: 'a', cues: r.cues }));
    // the same clips again as a second voice, 5 semitones higher and 10 dB louder: read alike
    const b = unseen.map((r) => ({
      voice: 'b',
      cues: { ...r.cues, f0St: r.cues.f0St + 5, levelDb: r.cues.levelDb + 10 },
    }));
    const both = readByVoice(model, [...a, ...b]);
    const ref = voiceReference(
      model,
      a.map((c) => c.cues),
    );
    a.forEach((c, i) => expect(both[i]).toEqual(readCueEmotion(model, c.cues, ref)));
    // (not exactly alike: each reference is pulled a little toward the training voices' average, model.prior)
    const same = b.filter((_, i) => both[a.length + i]!.emotion === both[i]!.emotion).length;
    expect(same / b.length).toBeGreaterThanOrEqual(0.95);
    // read as one voice, the higher copies all look aroused: the reading is only as good as its voice labels
    const merged = readByVoice(model, [...a, ...b.map((c) => ({ ...c, voice: 'a' }))]);
    expect(merged.map((r) => r.emotion)).not.toEqual(both.map((r) => r.emotion));
  });

  it('quotes the accuracy measured for the most reference clips not above the count', () => {
    const m = {
      ...model,
      accuracy: [
        { clips: 0, val: 0.4, testSpeaker: 0.4 },
        { clips: 5, val: 0.62, testSpeaker: 0.66 },
        { clips: 20, val: 0.68, testSpeaker: 0.73 },
      ],
    };
    expect(accuracyFor(m, 0)!.clips).toBe(0);
    expect(accuracyFor(m, 4)!.clips).toBe(0);
    expect(accuracyFor(m, 7)!.val).toBe(0.62);
    expect(accuracyFor(m, 500)!.testSpeaker).toBe(0.73);
    expect(accuracyFor({ ...m, accuracy: m.accuracy.slice(1) }, 2)).toBeNull();
  });

  it('gives probabilities that sum to one, and checks a model file', () => {
    const r = readCueEmotion(model, unseen[0]!.cues, voiceBaseline(unseen.map((x) => x.cues)));
    expect(r.probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    expect(r.probs.every((p) => p >= 0 && p <= 1)).toBe(true);
    expect(parseCueEmotionModel(JSON.parse(JSON.stringify(model)))).toEqual(model);
    expect(() => parseCueEmotionModel({ ...model, sd: [1] })).toThrow(/cue-emotion/);
    expect(() => parseCueEmotionModel({ ...model, cues: ['f0St', 'pitchiness'] })).toThrow(/cue-emotion/);
    expect(() => voiceBaseline([])).toThrow(/at least one clip/);
    expect(() =>
      fitCueEmotion(
        train.filter((t) => t.emotion !== 'sad'),
        ['f0St'],
        { minClips: 1, priorClips: 0 },
      ),
    ).toThrow(/sad/);
  });

  it('the shipped model parses and reads every cue it names', () => {
    const file = 'public/models/cue-emotion.json';
    const m = parseCueEmotionModel(JSON.parse(readFileSync(file, 'utf8')));
    expect(m.cues.every((c) => (PROSODY_CUES as readonly string[]).includes(c))).toBe(true);
    expect(m.minClips).toBeGreaterThanOrEqual(1);
    expect(m.emotions).toEqual([...EMOTIONS]);
  });
});
