/**
 * The corpus plan: which sentence is spoken by which voice with which emotion and prosody, in which split. It is a
 * pure function of (sentences, config), so every run with the same seed plans the same clips, and rendering order or
 * restarts cannot change a clip.
 */
import { EMOTIONS, type Emotion } from '../../src/core/data/emotions';
import { hashString, mulberry32, rngFor, shuffled, type Rng } from '../../src/core/data/random';
import type { CorpusSplit, ManifestRecord } from '../../src/core/data/types';
import { drawProsody } from './prosody';
import type { Sentence } from './sentences';
import { HELD_OUT_VOICE, trainingVoices, voiceById, VOICES } from './voices';

export interface CorpusConfig {
  seed: number;
  /** Distinct sentences drawn from the WordNet pool. */
  sentences: number;
  /** Fractions of sentences for train and val; the rest is test. */
  trainFraction: number;
  valFraction: number;
  /** Training voices per sentence (each with a different emotion) in train, val and test. */
  voicesPerSentence: number;
  /**
   * Extra training sentences, drawn after the first `sentences` from the same shuffled pool and assigned with their
   * own random stream: the val and test splits and the first training clips stay exactly those of a corpus without
   * them (optional so configs recorded before it existed still compare equal).
   */
  extraTrainSentences?: number;
  /**
   * More renderings of every training sentence, each by a voice and with an emotion that sentence has not had yet,
   * drawn with their own random stream after the base plan (so, as above, every clip of a corpus without them stays).
   * Val and test keep `voicesPerSentence` renderings.
   */
  extraRenderings?: number;
  heldOutVoice: string;
  /** Add espeak-ng clips (formant synthesis, its English voice variants) to the train split. */
  espeak: boolean;
  /**
   * Add one Piper (neural, recorded-speech) rendering of every training sentence, by the voice `piper_joe`. Left out
   * of the config when off, so corpora made before it existed still match their config.json.
   */
  piper?: boolean;
}

export const DEFAULT_CONFIG: CorpusConfig = {
  seed: 20240,
  sentences: 4000,
  trainFraction: 0.8,
  valFraction: 0.1,
  voicesPerSentence: 2,
  heldOutVoice: HELD_OUT_VOICE,
  espeak: false,
};

export type PlannedClip = Omit<ManifestRecord, 'duration'> & { tts: string };

/** n labels as balanced as possible (counts differ by at most one), in seeded random order. */
function balanced<T>(labels: readonly T[], n: number, rng: Rng): T[] {
  const out: T[] = [];
  const order = shuffled(labels, rng); // which labels get the remainder
  for (let i = 0; i < n; i++) out.push(order[i % labels.length]!);
  return shuffled(out, rng);
}

export function planCorpus(pool: readonly Sentence[], cfg: CorpusConfig): PlannedClip[] {
  const extra = cfg.extraTrainSentences ?? 0;
  if (pool.length < cfg.sentences + extra) {
    throw new Error(`Only ${pool.length} clean sentences available, ${cfg.sentences + extra} requested`);
  }
  const chosen = shuffled(pool, rngFor(cfg.seed, 'sentences')).slice(0, cfg.sentences + extra);
  const nTrain = Math.round(cfg.sentences * cfg.trainFraction);
  const nVal = Math.round(cfg.sentences * cfg.valFraction);
  const splitOf = (i: number): CorpusSplit | 'extra' =>
    i >= cfg.sentences ? 'extra' : i < nTrain ? 'train' : i < nTrain + nVal ? 'val' : 'test';
  const sid = (i: number) => `s${String(i).padStart(4, '0')}`;
  const voices = trainingVoices(false).filter((v) => v.id !== cfg.heldOutVoice);
  if (cfg.voicesPerSentence > voices.length) throw new Error('More voices per sentence than training voices');
  const reRenderings = cfg.extraRenderings ?? 0;
  if (cfg.voicesPerSentence + reRenderings > Math.min(voices.length, EMOTIONS.length)) {
    throw new Error('More renderings per training sentence than there are distinct voices and emotions');
  }

  const clips: PlannedClip[] = [];
  const add = (i: number, split: CorpusSplit, voiceId: string, emotion: Emotion) => {
    const s = chosen[i]!;
    const voice = voiceById(voiceId);
    const id = `${sid(i)}_${voice.id}`;
    const seed = hashString(`${cfg.seed}:${id}`);
    clips.push({
      id,
      path: `clips/${split}/${id}.wav`,
      text: s.text,
      tts: s.tts,
      emotion,
      voice: voice.id,
      speaker: voice.speaker,
      split,
      seed,
      prosody: drawProsody(emotion, mulberry32(seed)),
    });
  };

  for (const group of ['train', 'val', 'test', 'extra'] as const) {
    const split: CorpusSplit = group === 'extra' ? 'train' : group;
    const idx = chosen.map((_, i) => i).filter((i) => splitOf(i) === group);
    if (!idx.length) continue;
    const rng = rngFor(cfg.seed, 'assign', group);
    // First rendering: balanced emotions and voices. Later renderings: a different emotion (offset balanced within
    // each first-emotion group, so every rendering stays balanced) and a different voice. A sentence therefore never
    // carries one emotion, so the words cannot give the label away.
    const firstEmotion = balanced(EMOTIONS, idx.length, rng).map((e) => EMOTIONS.indexOf(e));
    const firstVoice = balanced(
      voices.map((_, k) => k),
      idx.length,
      rng,
    );
    const emotionOf: number[][] = idx.map((_, j) => [firstEmotion[j]!]);
    const voiceOf: number[][] = idx.map((_, j) => [firstVoice[j]!]);
    for (let r = 1; r < cfg.voicesPerSentence; r++) {
      for (let e = 0; e < EMOTIONS.length; e++) {
        const group = idx.map((_, j) => j).filter((j) => emotionOf[j]![0] === e);
        const offsets = balanced([1, 2, 3], group.length, rng);
        group.forEach((j, g) => emotionOf[j]!.push((e + offsets[g]!) % EMOTIONS.length));
      }
      for (let j = 0; j < idx.length; j++) {
        const used = new Set(voiceOf[j]);
        const free = voices.map((_, k) => k).filter((k) => !used.has(k));
        voiceOf[j]!.push(free[Math.floor(rng() * free.length)]!);
      }
    }
    idx.forEach((i, j) => {
      for (let r = 0; r < cfg.voicesPerSentence; r++) {
        add(i, split, voices[voiceOf[j]![r]!]!.id, EMOTIONS[emotionOf[j]![r]!]!);
      }
    });
    if (split === 'train' && reRenderings > 0) {
      // Greedy balance: sentences in random order each take the least used of the emotions (and voices) they lack.
      const rr = rngFor(cfg.seed, 'rerender', group);
      for (let r = 0; r < reRenderings; r++) {
        const emotionCount = EMOTIONS.map(() => 0);
        const voiceCount = voices.map(() => 0);
        const leastUsed = (free: number[], count: number[]) => {
          const low = Math.min(...free.map((k) => count[k]!));
          const ties = free.filter((k) => count[k] === low);
          return ties[Math.floor(rr() * ties.length)]!;
        };
        for (const j of shuffled(
          idx.map((_, j) => j),
          rr,
        )) {
          const e = leastUsed(
            EMOTIONS.map((_, k) => k).filter((k) => !emotionOf[j]!.includes(k)),
            emotionCount,
          );
          const v = leastUsed(
            voices.map((_, k) => k).filter((k) => !voiceOf[j]!.includes(k)),
            voiceCount,
          );
          emotionCount[e]!++;
          voiceCount[v]!++;
          emotionOf[j]!.push(e);
          voiceOf[j]!.push(v);
        }
      }
      idx.forEach((i, j) => {
        for (let r = cfg.voicesPerSentence; r < emotionOf[j]!.length; r++) {
          add(i, split, voices[voiceOf[j]![r]!]!.id, EMOTIONS[emotionOf[j]![r]!]!);
        }
      });
    }
    if (group === 'train' && cfg.espeak) {
      // One more rendering of every training sentence by an espeak-ng variant, variants and emotions each balanced.
      const variants = VOICES.filter((v) => v.engine === 'espeak-ng');
      const em = balanced(EMOTIONS, idx.length, rngFor(cfg.seed, 'espeak'));
      const vs = balanced(variants, idx.length, rngFor(cfg.seed, 'espeak-variant'));
      idx.forEach((i, j) => add(i, split, vs[j]!.id, em[j]!));
    }
    if (group === 'train' && cfg.piper) {
      // One more rendering of every training sentence by the neural voice, emotions balanced.
      const em = balanced(EMOTIONS, idx.length, rngFor(cfg.seed, 'piper'));
      idx.forEach((i, j) => add(i, split, 'piper_joe', em[j]!));
    }
    if (split === 'test') {
      // The held-out speaker reads every test sentence: unseen words and an unseen voice at once.
      const em = balanced(EMOTIONS, idx.length, rngFor(cfg.seed, 'test_speaker'));
      idx.forEach((i, j) => add(i, 'test_speaker', cfg.heldOutVoice, em[j]!));
    }
  }
  return clips;
}

/**
 * A small subset of the plan for quick runs and fixtures: every split gets at least one clip (the rest shared in
 * proportion to split size), spread evenly within the split, in plan order.
 */
export function spreadSubset<T extends { split: string }>(items: readonly T[], n: number): T[] {
  if (n >= items.length) return items.slice();
  const splits = [...new Set(items.map((c) => c.split))];
  const groups = splits.map((s) => items.filter((c) => c.split === s));
  const quota: number[] = groups.map(() => (n >= splits.length ? 1 : 0));
  let left = n - quota.reduce((a, b) => a + b, 0);
  const order = groups.map((g, k) => [g.length, k] as const).sort((a, b) => b[0] - a[0]);
  const share = groups.map((g) => Math.floor((left * g.length) / items.length));
  share.forEach((q, k) => (quota[k]! += q));
  left -= share.reduce((a, b) => a + b, 0);
  for (let k = 0; left > 0; k = (k + 1) % order.length, left--) quota[order[k]![1]]!++;
  const picked = new Set<T>();
  groups.forEach((g, k) => {
    const q = Math.min(quota[k]!, g.length);
    for (let i = 0; i < q; i++) picked.add(g[Math.floor((i * g.length) / q)]!);
  });
  return items.filter((c) => picked.has(c));
}
