/**
 * npm run train:cue-emotion -- [--dir data/corpus] [--per-voice 300] [--real data/real] [--gains -12,-6,6]
 *     [--out results/evaluators/cue-emotion] [--model public/models/cue-emotion.json]
 *
 * Fits and measures the emotion reading relative to the voice (src/core/cues/emotion.ts), the app's reading for
 * voices its SER does not know. Every choice is made on the training voices or on val:
 *   1. which cues: leave-one-voice-out over the six training voices (fitted on five voices' train clips, scored on
 *      the sixth's), each cue measured against its own voice's mean over the clips used;
 *   2. how many clips of a voice the app needs before it reads this way (minClips): the fewest whose val WA, with the
 *      reference drawn from that many clips of the voice, reaches the WA of the same rule reading one clip alone
 *      (no reference; its leave-one-voice-out mean): below that, a reference does not earn its place.
 * Then, once, after the choice: test (known voices, new sentences), test_speaker (the voice never trained on), test
 * with every clip scaled by each gain, and the prediction shares on the English real clips (per real voice).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { decodeWavTo16kMono } from '../../src/core/audio';
import {
  fitCueEmotion,
  PROSODY_CUES,
  prosodyCues,
  readByVoice,
  readCueEmotion,
  voiceBaseline,
  voiceReference,
  type CueEmotionModel,
  type ProsodyCue,
  type ProsodyCues,
} from '../../src/core/cues/emotion';
import { EMOTIONS, type Emotion } from '../../src/core/data/emotions';
import { stratifiedSubset } from '../../src/core/data/splits';
import { mulberry32 } from '../../src/core/data/random';
import { readManifest } from '../corpus/demo';
import { numberFlag, numberList, parseFlags, stringFlag } from '../flags';

interface Clip {
  id: string;
  voice: string;
  split: string;
  emotion: Emotion | null;
  cues: ProsodyCues;
}

/** Cue sets compared by leave-one-voice-out; rate is the text-free syllable-nuclei rate. */
const CANDIDATES: { name: string; cues: ProsodyCue[]; reference?: false }[] = [
  // For comparison only, never chosen: the same rule on one clip alone, as a single-clip model reads it.
  { name: 'all five, no reference (one clip alone)', cues: [...PROSODY_CUES], reference: false },
  { name: 'all five', cues: [...PROSODY_CUES] },
  { name: 'no rate', cues: ['f0St', 'f0RangeSt', 'levelDb', 'tiltDb'] },
  { name: 'no level', cues: ['f0St', 'f0RangeSt', 'tiltDb', 'rate'] },
  { name: 'pitch and tilt', cues: ['f0St', 'f0RangeSt', 'tiltDb'] },
];
const ENROL_SIZES = [0, 1, 3, 5, 10, 20];
/** How many clips the training voices' average counts as (voiceReference); chosen on val. */
const PRIOR_CLIPS = [0, 1, 2, 4, 8];
const ENROL_DRAWS = 5;

const round3 = (x: number) => Math.round(x * 1000) / 1000;
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const pct = (x: number) => (100 * x).toFixed(1);

function byVoice(clips: readonly Clip[]): Map<string, Clip[]> {
  const m = new Map<string, Clip[]>();
  for (const c of clips) m.set(c.voice, [...(m.get(c.voice) ?? []), c]);
  return m;
}

const ZERO = Object.fromEntries(PROSODY_CUES.map((c) => [c, 0])) as ProsodyCues;

/** Each clip with the baseline of its voice over all of `clips` (one enrolment per voice), or none. */
function withBaselines(clips: readonly Clip[], reference = true) {
  const base = new Map([...byVoice(clips)].map(([v, cs]) => [v, voiceBaseline(cs.map((c) => c.cues))]));
  return clips.map((c) => ({ ...c, baseline: reference ? base.get(c.voice)! : ZERO }));
}

function fit(
  clips: readonly Clip[],
  cues: ProsodyCue[],
  opts: { minClips?: number; priorClips?: number; provenance?: Record<string, unknown>; reference?: boolean } = {},
): CueEmotionModel {
  return fitCueEmotion(
    withBaselines(clips, opts.reference ?? true).map((c) => ({
      cues: c.cues,
      baseline: c.baseline,
      emotion: c.emotion!,
    })),
    cues,
    { minClips: opts.minClips ?? 1, priorClips: opts.priorClips ?? 0, provenance: opts.provenance },
  );
}

/** WA and the confusion (rows truth, columns prediction), each voice's reference from all its clips here. */
function score(model: CueEmotionModel, clips: readonly Clip[], reference = true) {
  const conf = EMOTIONS.map(() => EMOTIONS.map(() => 0));
  let right = 0;
  const read = reference
    ? readByVoice(model, clips).map((r) => r.emotion)
    : clips.map((c) => readCueEmotion(model, c.cues, ZERO).emotion);
  clips.forEach((c, i) => {
    const p = read[i]!;
    conf[EMOTIONS.indexOf(c.emotion!)]![EMOTIONS.indexOf(p)]!++;
    if (p === c.emotion) right++;
  });
  return { wa: right / clips.length, clips: clips.length, confusion: conf };
}

/** WA when each clip's baseline comes from k clips of its voice drawn at random (mean over draws). */
function scoreEnrolled(model: CueEmotionModel, clips: readonly Clip[], k: number, seed: number): number {
  const rng = mulberry32(seed);
  const voices = byVoice(clips);
  const was: number[] = [];
  for (let d = 0; d < ENROL_DRAWS; d++) {
    let right = 0;
    for (const c of clips) {
      const own = voices.get(c.voice)!;
      const pick = Array.from({ length: Math.min(k, own.length) }, () => own[Math.floor(rng() * own.length)]!.cues);
      if (readCueEmotion(model, c.cues, voiceReference(model, pick)).emotion === c.emotion) right++;
    }
    was.push(right / clips.length);
  }
  return mean(was);
}

function scale(x: Float32Array, db: number): Float32Array {
  const g = 10 ** (db / 20);
  return x.map((v) => v * g);
}

async function main(): Promise<void> {
  const { flags } = parseFlags(process.argv.slice(2));
  const dir = stringFlag(flags, 'dir') ?? 'data/corpus';
  const perVoice = numberFlag(flags, 'per-voice') ?? 300;
  const realDir = stringFlag(flags, 'real') ?? 'data/real';
  const gains = numberList(flags, 'gains') ?? [-12, -6, 6];
  const out = stringFlag(flags, 'out') ?? 'results/evaluators/cue-emotion';
  const modelFile = stringFlag(flags, 'model') ?? 'public/models/cue-emotion.json';
  const t0 = Date.now();
  const log = (m: string) => console.log(`[${((Date.now() - t0) / 1000).toFixed(0)} s] ${m}`);

  const records = readManifest(dir);
  const trainRecs = records.filter((r) => r.split === 'train');
  const voices = [...new Set(trainRecs.map((r) => r.voice))].sort();
  let dropped = 0;
  const measure = (
    recs: { id: string; voice: string; split: string; emotion: Emotion | null; path: string }[],
    root: string,
    gainDb = 0,
  ) => {
    const clips: Clip[] = [];
    for (const [i, r] of recs.entries()) {
      const x = decodeWavTo16kMono(readFileSync(join(root, r.path)));
      const cues = prosodyCues(gainDb ? scale(x, gainDb) : x);
      if (cues) clips.push({ id: r.id, voice: r.voice, split: r.split, emotion: r.emotion, cues });
      else dropped++;
      if ((i + 1) % 500 === 0) log(`measured ${i + 1}/${recs.length} ${r.split}${gainDb ? ` at ${gainDb} dB` : ''}`);
    }
    return clips;
  };
  const train = measure(
    voices.flatMap((v) =>
      stratifiedSubset(
        trainRecs.filter((r) => r.voice === v),
        perVoice,
        `cue-emotion-${v}`,
      ),
    ),
    dir,
  );
  const val = measure(
    records.filter((r) => r.split === 'val'),
    dir,
  );

  // 1. Which cues: leave one training voice out.
  const lovo = CANDIDATES.map(({ name, cues, reference }) => {
    const ref = reference !== false;
    const perVoiceWa = Object.fromEntries(
      voices.map((v) => {
        const model = fit(
          train.filter((c) => c.voice !== v),
          cues,
          { reference: ref },
        );
        return [
          v,
          score(
            model,
            train.filter((c) => c.voice === v),
            ref,
          ).wa,
        ];
      }),
    );
    return { name, cues, reference: ref, perVoice: perVoiceWa, mean: mean(Object.values(perVoiceWa)) };
  });
  const chosen = lovo.filter((l) => l.reference).reduce((a, b) => (b.mean > a.mean ? b : a));
  log(`leave-one-voice-out: ${lovo.map((l) => `${l.name} ${pct(l.mean)}`).join(', ')}; chosen ${chosen.name}`);

  // 2. How few clips of a voice: on val, the prior's weight that reads best on average over the reference sizes,
  // then the fewest clips whose val WA reaches what one clip alone reads (no reference, leave-one-voice-out).
  const priors = PRIOR_CLIPS.map((w) => {
    const m = fit(train, chosen.cues, { priorClips: w });
    const enrol = ENROL_SIZES.map((k) => ({ k, wa: scoreEnrolled(m, val, k, 11 + k) }));
    return { priorClips: w, enrol, mean: mean(enrol.map((e) => e.wa)) };
  });
  const prior = priors.reduce((a, b) => (b.mean > a.mean ? b : a));
  const enrol = prior.enrol;
  const valAll = score(fit(train, chosen.cues), val).wa;
  const alone = lovo.find((l) => !l.reference)!.mean;
  const minClips = enrol.find((e) => e.k > 0 && e.wa >= alone)?.k ?? ENROL_SIZES.at(-1)!;
  log(
    `val WA ${pct(valAll)} with every clip as reference; prior weights ${priors.map((p) => `${p.priorClips}: ${pct(p.mean)}`).join(', ')}; ` +
      `chosen ${prior.priorClips}: ${enrol.map((e) => `${e.k}: ${pct(e.wa)}`).join(', ')}; minClips ${minClips}`,
  );

  // 3. Held out, read once.
  const test = measure(
    records.filter((r) => r.split === 'test'),
    dir,
  );
  const speaker = measure(
    records.filter((r) => r.split === 'test_speaker'),
    dir,
  );
  const model = fit(train, chosen.cues, {
    minClips,
    priorClips: prior.priorClips,
    provenance: {
      fittedOn: `${train.length} train clips of ${dir} (${perVoice} per voice, emotion-stratified): ${voices.join(', ')}`,
      command: 'npm run train:cue-emotion',
      leaveOneVoiceOut: Object.fromEntries(lovo.map((l) => [l.name, Number(pct(l.mean))])),
      valWa: Number(pct(valAll)),
      valEnrolment: Object.fromEntries(enrol.map((e) => [e.k, Number(pct(e.wa))])),
    },
  });
  const testScore = score(model, test);
  const speakerScore = score(model, speaker);
  const speakerEnrol = ENROL_SIZES.map((k) => ({ k, wa: scoreEnrolled(model, speaker, k, 101 + k) }));
  const gainScores = gains.map((g) => {
    const scaled = measure(
      records.filter((r) => r.split === 'test'),
      dir,
      g,
    );
    return { gainDb: g, wa: score(model, scaled).wa, delta: score(model, scaled).wa - testScore.wa };
  });
  model.accuracy = enrol.map((e, i) => ({ clips: e.k, val: round3(e.wa), testSpeaker: round3(speakerEnrol[i]!.wa) }));
  model.provenance = {
    ...model.provenance,
    testWa: Number(pct(testScore.wa)),
    testSpeakerWa: Number(pct(speakerScore.wa)),
    testSpeakerEnrolment: Object.fromEntries(speakerEnrol.map((e) => [e.k, Number(pct(e.wa))])),
  };

  // The English real clips, per real voice (no labels: only what it reads).
  const realRecs = readFileSync(join(realDir, 'manifest.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as { id: string; path: string; speaker: string; lang: string })
    .filter((r) => r.lang === 'en');
  const real = measure(
    realRecs.map((r) => ({ id: r.id, voice: r.speaker, split: 'real', emotion: null, path: r.path })),
    realDir,
  );
  const realShares = [...byVoice(real)].map(([v, cs]) => {
    const b = voiceReference(
      model,
      cs.map((c) => c.cues),
    );
    const n = EMOTIONS.map(() => 0);
    for (const c of cs) n[EMOTIONS.indexOf(readCueEmotion(model, c.cues, b).emotion)]!++;
    return { voice: v, clips: cs.length, shares: n.map((x) => x / cs.length) };
  });

  mkdirSync(dirname(modelFile), { recursive: true });
  writeFileSync(modelFile, JSON.stringify(model, null, 1) + '\n');
  mkdirSync(out, { recursive: true });
  const md = [
    `# Emotion relative to the voice (\`npm run train:cue-emotion\`, ${((Date.now() - t0) / 60000).toFixed(0)} min)`,
    '',
    `Nearest class mean on z-scored prosody cues, each measured against its voice's mean over that voice's clips. ` +
      `${train.length} train clips (${perVoice} per training voice), ${dropped} clips in all dropped for too little voiced speech.`,
    '',
    '## 1. Cues, by leave-one-voice-out on train clips (WA %, chance 25)',
    '',
    `| cues | ${voices.map((v) => `held out ${v}`).join(' | ')} | mean |`,
    `| --- | ${voices.map(() => '---').join(' | ')} | --- |`,
    ...lovo.map(
      (l) =>
        `| ${l.name}${l === chosen ? ' (chosen)' : ''} | ${voices.map((v) => pct(l.perVoice[v]!)).join(' | ')} | ${pct(l.mean)} |`,
    ),
    '',
    `## 2. Clips of the voice needed (val, ${val.length} clips; every clip as reference: ${pct(valAll)} %)`,
    '',
    "The reference from k random clips of the voice, pulled toward the training voices' average as if it were w more clips " +
      `(w chosen here by the mean over k; mean of ${ENROL_DRAWS} draws each).`,
    '',
    `| w \\ k clips | ${ENROL_SIZES.join(' | ')} | mean |`,
    `| --- | ${ENROL_SIZES.map(() => '---').join(' | ')} | --- |`,
    ...priors.map(
      (p) =>
        `| ${p.priorClips}${p === prior ? ' (chosen)' : ''} | ${p.enrol.map((e) => pct(e.wa)).join(' | ')} | ${pct(p.mean)} |`,
    ),
    '',
    `minClips = ${minClips} (the fewest clips whose val WA reaches one clip read alone, ${pct(alone)} %).`,
    '',
    '## 3. Held out, read once',
    '',
    `| split | clips | WA % |`,
    `| --- | --- | --- |`,
    `| test (known voices, new sentences) | ${testScore.clips} | ${pct(testScore.wa)} |`,
    `| test_speaker (flite awb, never trained on) | ${speakerScore.clips} | ${pct(speakerScore.wa)} |`,
    ...speakerEnrol.map(
      (e) =>
        `| test_speaker, ${e.k ? `reference from ${e.k} random clip${e.k > 1 ? 's' : ''} of awb` : "no clip of awb as reference (the training voices' average)"} | ${speakerScore.clips} | ${pct(e.wa)} |`,
    ),
    ...gainScores.map(
      (g) =>
        `| test, every clip ${g.gainDb > 0 ? '+' : ''}${g.gainDb} dB | ${testScore.clips} | ${pct(g.wa)} (${g.delta >= 0 ? '+' : ''}${pct(g.delta)}) |`,
    ),
    '',
    `test_speaker confusion (rows truth, columns read; ${EMOTIONS.join(', ')}): ${JSON.stringify(speakerScore.confusion)}`,
    '',
    '## English real clips: what it reads, per voice (no labels)',
    '',
    `| voice | clips | ${EMOTIONS.join(' | ')} |`,
    `| --- | --- | ${EMOTIONS.map(() => '---').join(' | ')} |`,
    ...realShares.map((r) => `| ${r.voice} | ${r.clips} | ${r.shares.map(pct).join(' | ')} |`),
    '',
  ].join('\n');
  writeFileSync(join(out, 'report.md'), md);
  writeFileSync(
    join(out, 'report.json'),
    JSON.stringify(
      {
        lovo,
        chosen: chosen.name,
        valAll,
        priors,
        priorClips: prior.priorClips,
        enrol,
        minClips,
        test: testScore,
        testSpeaker: speakerScore,
        speakerEnrol,
        gains: gainScores,
        real: realShares,
        dropped,
      },
      null,
      1,
    ) + '\n',
  );
  console.log(md);
  log(`wrote ${modelFile}, ${out}/report.md, report.json`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
