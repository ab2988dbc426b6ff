/**
 * npm run eval:voice-emotion -- [--corpus data/corpus] [--splits test_speaker,test] [--limit 400] [--snrs 10,20]
 *     [--real data/real|none] [--real-limit 400] [--generator public/models/aclipse] [--model public/models/cue-emotion.json]
 *     [--out results/eval/voice-emotion]
 *
 * Does protection keep the emotion that a reader outside training can find? The reader is the app's emotion reading
 * relative to the voice (src/core/cues/emotion.ts: prosody cues against the voice's own reference, no network, never
 * part of any training loss), the one the app gives voices its SER does not know. Each split's labelled clips are
 * read as they are, protected by the generator at each budget, and with white noise at the SNR each protected clip
 * achieved. Every condition is read as its own listener would: each clip against the reference of all the clips of
 * its voice in that same condition. Clips with too little voiced speech under any condition are left out of all.
 * The real-speech set (`npm run corpus:real`: human voices, no emotion labels) has no accuracy, but whether the
 * reading after protection is the reading of the original needs no label: its voices with at least MIN_REAL_CLIPS
 * clips are read the same way.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { addWhiteNoise } from '../../src/core/baselines';
import {
  parseCueEmotionModel,
  PROSODY_CUES,
  prosodyCues,
  readByVoice,
  type ProsodyCues,
} from '../../src/core/cues/emotion';
import { bySplit, decodeEntry, loadManifestDataset, type DatasetEntry } from '../../src/core/data';
import { nodeDirectorySource } from '../../src/core/data/node-source';
import { EMOTIONS, type Emotion } from '../../src/core/data/emotions';
import { initTf } from '../../src/core/node/tf';
import { loadCorpus, log, readProtectorDir, spread } from '../aclipse/common';
import { numberFlag, numberList, parseFlags, stringFlag } from '../flags';

const TAG = 'voice-emotion';

interface ConditionRead {
  /** Labelled accuracy of the reading on this condition (NaN on unlabelled speech). */
  wa: number;
  /** Share of clips whose reading equals the reading of the original clip. */
  sameAsOriginal: number;
  /** Rows truth, columns read, in EMOTIONS order. */
  confusion: number[][];
}

export interface VoiceEmotionRow {
  split: string;
  budgetDb: number;
  clips: number;
  dropped: number;
  meanSnrDb: number;
  original: ConditionRead;
  aclipse: ConditionRead;
  noise: ConditionRead;
  /** Mean over clips of each cue under the condition minus the cue on the original (what moved the reading). */
  shift: { aclipse: ProsodyCues; noise: ProsodyCues };
}

function meanShift(from: ProsodyCues[], to: ProsodyCues[]): ProsodyCues {
  const out = {} as ProsodyCues;
  for (const c of PROSODY_CUES) out[c] = to.reduce((s, t, i) => s + t[c] - from[i]![c], 0) / to.length;
  return out;
}

/** A voice of the real set needs this many clips for a reference of its own. */
const MIN_REAL_CLIPS = 10;

/** `truth` null: unlabelled speech (no accuracy; the confusion's rows are then the original's reading). */
function summarize(
  truth: readonly Emotion[] | null,
  read: readonly Emotion[],
  original: readonly Emotion[],
): ConditionRead {
  const confusion = EMOTIONS.map(() => EMOTIONS.map(() => 0));
  let right = 0;
  let same = 0;
  read.forEach((r, i) => {
    const rowOf = truth ? truth[i]! : original[i]!;
    confusion[EMOTIONS.indexOf(rowOf)]![EMOTIONS.indexOf(r)]!++;
    if (truth && r === truth[i]) right++;
    if (r === original[i]) same++;
  });
  return { wa: truth ? right / read.length : NaN, sameAsOriginal: same / read.length, confusion };
}

async function main(): Promise<void> {
  const { flags } = parseFlags(process.argv.slice(2));
  const corpusDir = stringFlag(flags, 'corpus') ?? 'data/corpus';
  const splits = (stringFlag(flags, 'splits') ?? 'test_speaker,test').split(',');
  const limit = numberFlag(flags, 'limit') ?? 400;
  const snrs = numberList(flags, 'snrs') ?? [10, 20];
  const genDir = stringFlag(flags, 'generator') ?? 'public/models/aclipse';
  const modelFile = stringFlag(flags, 'model') ?? 'public/models/cue-emotion.json';
  const out = stringFlag(flags, 'out') ?? 'results/eval/voice-emotion';
  const realDir = stringFlag(flags, 'real') ?? 'data/real';
  const realLimit = numberFlag(flags, 'real-limit') ?? 400;
  const args = process.argv.slice(2).join(' ');
  const command = args ? `npm run eval:voice-emotion -- ${args}` : 'npm run eval:voice-emotion';
  const t0 = performance.now();

  await initTf('wasm');
  const model = parseCueEmotionModel(JSON.parse(readFileSync(modelFile, 'utf8')));
  const gen = await readProtectorDir(genDir);
  const corpus = await loadCorpus(corpusDir);
  const rows: VoiceEmotionRow[] = [];
  try {
    const sets: { split: string; entries: DatasetEntry[]; labelled: boolean }[] = splits.map((split) => {
      const entries = spread(
        bySplit(corpus.entries, split).filter((e) => e.emotion),
        limit,
      );
      if (!entries.length) throw new Error(`${corpusDir} has no labelled ${split} clips`);
      return { split, entries, labelled: true };
    });
    if (realDir !== 'none') {
      if (!existsSync(path.join(realDir, 'manifest.jsonl')))
        throw new Error(`No real-speech set at ${realDir}: run \`npm run corpus:real\` first (or pass --real none)`);
      const real = await loadManifestDataset(nodeDirectorySource(realDir), { keepUnlabelled: true });
      const perVoice = new Map<string, number>();
      for (const e of real.entries) perVoice.set(e.speaker, (perVoice.get(e.speaker) ?? 0) + 1);
      const entries = spread(
        real.entries.filter((e) => perVoice.get(e.speaker)! >= MIN_REAL_CLIPS),
        realLimit,
      );
      sets.unshift({ split: 'real', entries, labelled: false });
    }
    for (const { split, entries, labelled } of sets) {
      log(TAG, `${split}: ${entries.length} clips, budgets ${snrs.join(', ')} dB`);
      // per clip: its cues as it is, and per budget under Aclipse and under noise at the SNR Aclipse achieved
      type Under = { aclipse: ProsodyCues | null; noise: ProsodyCues | null; snrDb: number };
      const per: { voice: string; emotion: Emotion | null; cues: ProsodyCues | null; at: Map<number, Under> }[] = [];
      for (const [i, e] of entries.entries()) {
        const x = await decodeEntry(e);
        const at = new Map<number, Under>();
        for (const snr of snrs) {
          const p = await gen.protect(x, snr);
          at.set(snr, {
            aclipse: prosodyCues(p.wave),
            noise: prosodyCues(addWhiteNoise(x, p.snrDb, 7 + i)),
            snrDb: p.snrDb,
          });
        }
        per.push({ voice: e.speaker, emotion: e.emotion ?? null, cues: prosodyCues(x), at });
        if ((i + 1) % 100 === 0) log(TAG, `${split}: ${i + 1}/${entries.length}`);
      }
      for (const snr of snrs) {
        const kept = per.flatMap(({ voice, emotion, cues, at }) => {
          const u = at.get(snr)!;
          return cues && u.aclipse && u.noise
            ? [{ voice, emotion, cues, aclipse: u.aclipse, noise: u.noise, snrDb: u.snrDb }]
            : [];
        });
        const truth = labelled ? kept.map((c) => c.emotion!) : null;
        const cuesOf = (k: 'cues' | 'aclipse' | 'noise') => kept.map((c) => c[k]);
        const read = (k: 'cues' | 'aclipse' | 'noise') =>
          // each clip against its own voice's clips in the same condition
          readByVoice(
            model,
            kept.map((c) => ({ voice: c.voice, cues: c[k] })),
          ).map((r) => r.emotion);
        const original = read('cues');
        const row: VoiceEmotionRow = {
          split,
          budgetDb: snr,
          clips: kept.length,
          dropped: per.length - kept.length,
          meanSnrDb: kept.reduce((s, c) => s + c.snrDb, 0) / kept.length,
          original: summarize(truth, original, original),
          aclipse: summarize(truth, read('aclipse'), original),
          noise: summarize(truth, read('noise'), original),
          shift: {
            aclipse: meanShift(cuesOf('cues'), cuesOf('aclipse')),
            noise: meanShift(cuesOf('cues'), cuesOf('noise')),
          },
        };
        const { original: orig, aclipse, noise } = row;
        rows.push(row);
        log(
          TAG,
          `${split} @ ${snr} dB (${row.clips} clips, ${new Set(kept.map((c) => c.voice)).size} voices): WA original ${pct(orig.wa)}, Aclipse ${pct(aclipse.wa)}, noise ${pct(noise.wa)}; same reading as the original: Aclipse ${pct(aclipse.sameAsOriginal)}, noise ${pct(noise.sameAsOriginal)}`,
        );
      }
    }
  } finally {
    gen.dispose();
  }
  mkdirSync(out, { recursive: true });
  const minutes = (performance.now() - t0) / 60000;
  writeFileSync(path.join(out, 'report.json'), JSON.stringify({ command, generator: genDir, rows }, null, 1) + '\n');
  writeFileSync(path.join(out, 'report.md'), markdown(command, genDir, rows, minutes));
  log(TAG, `wrote ${out}/report.md, report.json`);
}

const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)} %` : '–');
const signed = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(2)}`;

function markdown(command: string, genDir: string, rows: VoiceEmotionRow[], minutes: number): string {
  return [
    '# Emotion relative to the voice, after protection',
    '',
    `Produced by \`${command}\` in ${minutes.toFixed(0)} min; generator \`${genDir}\`. The reader is the app's emotion ` +
      "reading relative to the voice (prosody cues against the voice's own reference; no network, part of no " +
      'training loss). Each condition is read against the reference of all clips of the same voice in that condition, ' +
      'as a listener who has only those clips would read them. White noise is added at the SNR each protected clip ' +
      'achieved. Chance is 25 %. The real set has no emotion labels: only whether the reading stays that of the ' +
      `original (voices with at least ${MIN_REAL_CLIPS} clips).`,
    '',
    '| split | budget dB | clips (left out) | achieved SNR dB | WA original | WA Aclipse | WA same-SNR noise | same reading as the original: Aclipse | same reading: noise |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.split} | ${r.budgetDb} | ${r.clips} (${r.dropped}) | ${r.meanSnrDb.toFixed(1)} | ${pct(r.original.wa)} | ${pct(r.aclipse.wa)} | ${pct(r.noise.wa)} | ${pct(r.aclipse.sameAsOriginal)} | ${pct(r.noise.sameAsOriginal)} |`,
    ),
    '',
    'Mean change of each cue from the original clip (F0 and its 10–90 % range in semitones, level and spectral tilt ' +
      'in dB, syllable rate per second):',
    '',
    `| split | budget dB | condition | ${PROSODY_CUES.join(' | ')} |`,
    `|---|---|---|${PROSODY_CUES.map(() => '---').join('|')}|`,
    ...rows.flatMap((r) =>
      (['aclipse', 'noise'] as const).map(
        (k) =>
          `| ${r.split} | ${r.budgetDb} | ${k === 'aclipse' ? 'Aclipse' : 'same-SNR noise'} | ${PROSODY_CUES.map((c) => signed(r.shift[k][c])).join(' | ')} |`,
      ),
    ),
    '',
    `Confusions (rows truth, or on the unlabelled real set the original's reading; columns read; ${EMOTIONS.join(', ')}):`,
    '',
    ...rows.map(
      (r) =>
        `- ${r.split} @ ${r.budgetDb} dB: original ${JSON.stringify(r.original.confusion)}, Aclipse ${JSON.stringify(r.aclipse.confusion)}, noise ${JSON.stringify(r.noise.confusion)}`,
    ),
    '',
  ].join('\n');
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
