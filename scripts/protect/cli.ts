/**
 * `npm run protect`: the app's protection for files and folders, in Node. scripts/protect.ts is the entry point;
 * runProtect() is here so tests run it in-process and later analyses can be plugged in (see report.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { perturbationReport } from '../../src/core/analysis';
import { SAMPLE_RATE, decodeWavTo16kMono, encodeWav, validateSamples, type AudioIssueCode } from '../../src/core/audio';
import {
  AudioDecodeError,
  VIDEO_EXTENSIONS,
  decodeAudioFileDetailed,
  findFfmpeg,
  FFMPEG_INSTALL_HINT,
  type AudioDecodeErrorCode,
} from '../../src/core/node/decode-audio';
import {
  accuracyFor,
  parseCueEmotionModel,
  prosodyCues,
  readCueEmotion,
  voiceReference,
  type CueEmotionReading,
} from '../../src/core/cues/emotion';
import { analyzeCues } from '../../src/core/cues/retention';
import { initTf } from '../../src/core/node/tf';
import { budgetRangeProblem } from '../../src/core/budget';
import { parseSpans, protectSpans, type Span, type SpanReport } from '../../src/core/spans';
import { readProtectorDir } from '../aclipse/common';
import { numberFlag, parseFlags, stringFlag, type Flags } from '../flags';
import { loadShippedEvaluators, modelId, type LoadedEvaluators } from './models';
import { planOutputs, type PlannedFile, type SkipReason, type SkippedFile } from './plan';
import {
  byEmotion,
  compareViews,
  evaluatorView,
  formatRecord,
  formatRecordShort,
  formatSummary,
  summarize,
  type ProtectReport,
  type ProtectReportRecord,
  type RecordAnalysis,
  type SharedMeasures,
} from './report';
import { OutputExistsError, removePendingTemps, writeFileAtomic } from './write';

export const USAGE = `npm run protect -- <file | folder> --out <dir> [options]

Protects audio with the Aclipse generator through the same code the app runs. Takes what the app takes:
WAV natively; MP3, OGG/Vorbis, Opus, FLAC, M4A/AAC, WebM and the audio track of videos
(${VIDEO_EXTENSIONS.join(', ')}) through ffmpeg (\`sudo apt-get install ffmpeg\`; WAV works without it).
Outputs are always 16 kHz mono 16-bit WAV files named .wav (a.mp3 → a.wav), whatever the input format.
A folder is walked recursively (hidden files and the output folder skipped) and its layout kept.

Your originals are never overwritten: the run is refused, before anything is written, when an output
would land on an input (through links or a different letter case too) or on an existing file (see --force).
Each output is written to a hidden temp file and renamed, so an interrupted run leaves no half file.

Options:
  --out <dir>           where the protected WAVs go (may be the input folder only if no name collides)
  --suffix <text>       added before .wav: --suffix -protected makes a.mp3 → a-protected.wav
  --budget <dB>         minimum SNR of the protected clip (default: the generator's training budget)
  --spans <a-b,c-d>     protect only these parts (seconds, e.g. 1.2-1.9,3.0-3.4), each held to the budget on its
                        own, with 20 ms fades inside its edges; every other sample stays the original
  --force               replace existing output files (never an input)
  --report              per file: transcripts and emotion (with probabilities) of the original and the protected
                        clip from the shipped evaluators (beam search with the shipped word list and LM, as in
                        the app), WER between the two transcripts, SNR, share of the perturbation above 2 kHz
  --json <file>         write all of it (settings, model ids, one record per file, skipped files, summary) as JSON;
                        runs the evaluators like --report
  --same-speaker        with --report or --json: the files are all one speaker, so each file's emotion is also read
                        from its prosody against that speaker's average over the files (the reading the app offers
                        for voices its emotion model does not know; needs 5 or more files with voiced speech)
  --model <dir>         generator folder (default public/models/aclipse)
  --evaluators <dir>    folder with ser/ and asr/ (default public/models)
  --ffmpeg <path>       the ffmpeg binary (default: ffmpeg on PATH; ffprobe is looked for beside it)
  --dry-run             print the plan (what would be written, what skipped) and write nothing
  --help                this text

Exit status: 0 all audio protected; 1 some audio file skipped or failed (the summary says which and why);
2 refused or bad arguments (nothing written).`;

const KNOWN_FLAGS = new Set([
  'out',
  'suffix',
  'budget',
  'spans',
  'force',
  'report',
  'json',
  'model',
  'evaluators',
  'ffmpeg',
  'dry-run',
  'same-speaker',
  'help',
]);

export interface ProtectIo {
  log(line: string): void;
  error(line: string): void;
}

export interface RunProtectOptions {
  io?: ProtectIo;
  /** analyses run on every protected file after the evaluators (scripts/protect.ts passes cues and attackers) */
  analyses?: RecordAnalysis[];
}

export class UsageError extends Error {
  override name = 'UsageError';
}

function boolFlag(flags: Flags, name: string): boolean {
  const v = flags[name];
  if (v === undefined) return false;
  if (v === true) return true;
  // parseFlags takes the next token as a value; a bare flag before the input path would swallow it.
  throw new UsageError(`--${name} takes no value (got “${v}”); put it after the input path or write --${name}=true`);
}

const DECODE_REASON: Record<AudioDecodeErrorCode, SkipReason> = {
  unreadable: 'unreadable',
  'empty-file': 'empty',
  'file-too-large': 'file-too-large',
  'too-long': 'too-long',
  corrupt: 'corrupt',
  'no-audio-stream': 'no-audio-stream',
  'ffmpeg-missing': 'ffmpeg-missing',
};

const SAMPLE_REASON: Record<AudioIssueCode, SkipReason> = {
  'empty-file': 'empty',
  'file-too-large': 'file-too-large',
  'unsupported-type': 'unsupported-extension',
  empty: 'empty',
  'too-short': 'too-short',
  'too-long': 'too-long',
  silent: 'silent',
  'not-finite': 'corrupt',
};

/** Runs the CLI; resolves to the exit status. */
export async function runProtect(argv: string[], opts: RunProtectOptions = {}): Promise<number> {
  const io = opts.io ?? { log: (l) => console.log(l), error: (l) => console.error(l) };
  try {
    return await run(argv, io, opts.analyses ?? []);
  } catch (e) {
    if (e instanceof UsageError) {
      io.error(e.message);
      io.error('Run `npm run protect -- --help` for the options.');
      return 2;
    }
    throw e;
  }
}

export interface ProtectArgs {
  input: string;
  outDir: string;
  suffix: string;
  /** undefined: the generator's training budget */
  budgetDb: number | undefined;
  jsonFile: string | undefined;
  force: boolean;
  dryRun: boolean;
  report: boolean;
  /** All files are one speaker: read each one's emotion relative to that voice (needs report or json). */
  sameSpeaker: boolean;
  modelDir: string;
  evaluatorsDir: string;
  ffmpegPath: string | undefined;
  /** Only these parts of each file (seconds); null: the whole clip. */
  spans: Span[] | null;
}

/** The command line as typed arguments, or 'help'; throws UsageError on anything it cannot use. */
export function parseProtectArgs(argv: string[]): ProtectArgs | 'help' {
  const { flags, positional } = parseFlags(argv);
  if (flags.help !== undefined || positional.includes('-h')) return 'help';
  const unknown = Object.keys(flags).filter((f) => !KNOWN_FLAGS.has(f));
  if (unknown.length)
    throw new UsageError(`Unknown option${unknown.length > 1 ? 's' : ''}: ${unknown.map((f) => `--${f}`).join(', ')}`);
  try {
    const args: ProtectArgs = {
      input: positional[0] ?? '',
      outDir: stringFlag(flags, 'out') ?? '',
      suffix: stringFlag(flags, 'suffix') ?? '',
      budgetDb: numberFlag(flags, 'budget'),
      jsonFile: stringFlag(flags, 'json'),
      force: boolFlag(flags, 'force'),
      dryRun: boolFlag(flags, 'dry-run'),
      report: boolFlag(flags, 'report'),
      sameSpeaker: boolFlag(flags, 'same-speaker'),
      modelDir: stringFlag(flags, 'model') ?? 'public/models/aclipse',
      evaluatorsDir: stringFlag(flags, 'evaluators') ?? 'public/models',
      ffmpegPath: stringFlag(flags, 'ffmpeg'),
      spans: flags.spans === undefined ? null : parseSpans(stringFlag(flags, 'spans') ?? ''),
    };
    if (!args.input || !args.outDir) throw new UsageError('Give an input file or folder and --out <dir>.');
    if (args.sameSpeaker && !args.report && !args.jsonFile)
      throw new UsageError('--same-speaker adds a reading to the report: add --report or --json <file>.');
    if (positional.length > 1)
      throw new UsageError(`One input file or folder, please (got ${positional.length}: ${positional.join(', ')}).`);
    const budgetProblem = args.budgetDb === undefined ? null : budgetRangeProblem(args.budgetDb);
    if (budgetProblem) throw new UsageError(budgetProblem);
    return args;
  } catch (e) {
    throw e instanceof UsageError ? e : new UsageError((e as Error).message);
  }
}

async function run(argv: string[], io: ProtectIo, analyses: RecordAnalysis[]): Promise<number> {
  const args = parseProtectArgs(argv);
  if (args === 'help') {
    io.log(USAGE);
    return 0;
  }
  const { input, outDir, suffix, force, jsonFile, modelDir, evaluatorsDir, ffmpegPath } = args;
  // --json records the evaluators' view too: a machine-readable report without it would be a different schema.
  const evaluate = args.report || jsonFile !== undefined;
  const wantReport = args.report;

  let plan;
  try {
    plan = planOutputs({ input, outDir, suffix, force, extraOutputs: jsonFile ? [jsonFile] : [] });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (plan.refusals.length) {
    io.error(`Refused: nothing was written.`);
    for (const r of plan.refusals) io.error(`  ${r}`);
    return 2;
  }
  // Paths as the user spelled them: the output folder as given joined with the file's place in it.
  const shownOut = (f: PlannedFile) => path.join(outDir, f.outRel);
  const skipped: SkippedFile[] = [...plan.skipped];
  const ffmpegNeeded = plan.files.some((f) => !/\.wave?$/i.test(f.input));
  const ffmpegNote =
    ffmpegNeeded && !findFfmpeg({ ffmpeg: ffmpegPath })
      ? ` ffmpeg was not found, so only WAV files can be read: ${FFMPEG_INSTALL_HINT}.`
      : '';

  if (args.dryRun) {
    io.log(
      `Dry run: ${plan.files.length} file(s) would be protected into ${outDir} (16 kHz mono 16-bit WAV).${ffmpegNote}`,
    );
    for (const f of plan.files) io.log(`  ${f.rel} → ${shownOut(f)}`);
    for (const l of formatSummary(summarize([], skipped), skipped, outDir).slice(1)) io.log(l);
    return 0;
  }
  if (plan.files.length === 0) {
    io.error(`No audio files to protect in ${input}.`);
    for (const l of formatSummary(summarize([], skipped), skipped, outDir).slice(1)) io.error(l);
    return 1;
  }
  if (!existsSync(path.join(modelDir, 'model.json')))
    throw new UsageError(`No generator at ${modelDir} (model.json missing); pass --model <dir>.`);

  await initTf('wasm');
  const gen = await readProtectorDir(modelDir);
  let loaded: LoadedEvaluators | null = null;
  const onInterrupt = () => {
    removePendingTemps();
    process.exit(130);
  };
  process.once('SIGINT', onInterrupt);
  try {
    const budgetDb = args.budgetDb ?? gen.base.config.budgetDb;
    if (evaluate) loaded = await loadShippedEvaluators(evaluatorsDir);
    io.log(
      `Protecting ${plan.files.length} file(s) from ${input} into ${outDir} at a ${budgetDb} dB budget; ` +
        `outputs are 16 kHz mono 16-bit WAV (.wav) whatever the input format.${ffmpegNote}`,
    );
    const band = gen.weightsFor(budgetDb).band;
    if (band) io.log(`At ${budgetDb} dB the generator uses its weights ${band.label} (from ${band.fromDb} dB up).`);
    if (loaded) io.log(`Transcripts: ${loaded.decoder}.`);
    const records: ProtectReportRecord[] = [];
    for (const f of plan.files) {
      let outcome: ProtectReportRecord | SkippedFile;
      try {
        outcome = await protectOne(f, {
          gen,
          budgetDb,
          force,
          inputIds: plan.inputIds,
          loaded,
          analyses,
          shownOut,
          ffmpegPath,
          spans: args.spans,
          sameSpeaker: args.sameSpeaker,
        });
      } catch (e) {
        // One bad file must not cost the rest of the folder; it is listed with the error instead.
        outcome = { input: f.input, rel: f.rel, reason: 'failed', message: e instanceof Error ? e.message : String(e) };
      }
      if ('reason' in outcome) {
        skipped.push(outcome);
        io.error(`${f.rel}: skipped (${outcome.reason}): ${outcome.message}`);
        continue;
      }
      records.push(outcome);
      if (wantReport) for (const l of formatRecord(outcome, analyses)) io.log(l);
      else io.log(formatRecordShort(outcome));
    }
    if (args.sameSpeaker) for (const l of readSameSpeaker(records, evaluatorsDir)) io.log(l);
    const summary = summarize(records, skipped);
    const lines = formatSummary(summary, skipped, outDir);
    io.log(lines[0]!);
    for (const l of lines.slice(1)) io.log(l);
    if (jsonFile) {
      const report: ProtectReport = {
        tool: 'npm run protect',
        createdAt: new Date().toISOString(),
        settings: {
          input,
          out: outDir,
          budgetDb,
          suffix,
          force,
          output: '16 kHz mono 16-bit PCM WAV',
          backend: tf.getBackend(),
          decoder: loaded?.decoder ?? null,
          analyses: analyses.map((a) => a.id),
          sameSpeaker: args.sameSpeaker,
        },
        // the weights that protected at this budget: a band's own folder when one serves it
        models: {
          generator: modelId(band ? path.join(modelDir, band.path) : modelDir),
          ser: loaded?.ser ?? null,
          asr: loaded?.asr ?? null,
        },
        files: records,
        skipped,
        summary,
      };
      await writeFileAtomic(jsonFile, JSON.stringify(report, null, 1) + '\n', {
        overwrite: force,
        protectedIds: plan.inputIds,
      });
      io.log(`Report written to ${jsonFile}`);
    }
    const audioSkipped = skipped.filter((s) => s.reason !== 'unsupported-extension').length;
    return records.length > 0 && audioSkipped === 0 ? 0 : 1;
  } finally {
    process.removeListener('SIGINT', onInterrupt);
    gen.dispose();
    loaded?.evaluators.dispose();
    for (const a of analyses) a.dispose?.();
  }
}

interface ProtectContext {
  gen: Awaited<ReturnType<typeof readProtectorDir>>;
  budgetDb: number;
  force: boolean;
  inputIds: ReadonlySet<string>;
  loaded: LoadedEvaluators | null;
  analyses: readonly RecordAnalysis[];
  shownOut: (f: PlannedFile) => string;
  ffmpegPath: string | undefined;
  spans: Span[] | null;
  sameSpeaker: boolean;
}

/**
 * --same-speaker: reads every file's emotion (original and protected) against the speaker's average prosody over
 * all the originals, as the app's "Emotion relative to this voice" does; fills record.voiceEmotion and returns the
 * lines to print. Nothing is read below the model's minimum number of clips.
 */
function readSameSpeaker(records: ProtectReportRecord[], evaluatorsDir: string): string[] {
  const file = path.join(evaluatorsDir, 'cue-emotion.json');
  if (!existsSync(file))
    return [`Emotion relative to the voice: skipped, ${file} is missing (npm run train:cue-emotion).`];
  const model = parseCueEmotionModel(JSON.parse(readFileSync(file, 'utf8')));
  const voiced = records.filter((r) => r.prosody?.original);
  if (voiced.length < model.minClips)
    return [
      `Emotion relative to the voice: needs ${model.minClips} or more files of the speaker with voiced speech; ` +
        `${voiced.length} ${voiced.length === 1 ? 'has' : 'have'} it, so nothing is read.`,
    ];
  const ref = voiceReference(
    model,
    voiced.map((r) => r.prosody!.original!),
  );
  const acc = accuracyFor(model, voiced.length);
  const show = (x: CueEmotionReading) => `${x.emotion} (${(100 * Math.max(...x.probs)).toFixed(0)} %)`;
  const lines = [
    `Emotion relative to the voice (the ${voiced.length} files with voiced speech as one speaker's reference` +
      (acc
        ? `; measured with ${acc.clips} reference clips: right ${(100 * acc.val).toFixed(0)} % on new sentences of ` +
          `the synthetic voices it was fitted on, ${(100 * acc.testSpeaker).toFixed(0)} % on a synthetic voice it ` +
          `never saw, never on human emotional speech):`
        : '):'),
  ];
  for (const r of voiced) {
    const o = readCueEmotion(model, r.prosody!.original!, ref);
    const p = r.prosody!.protected ? readCueEmotion(model, r.prosody!.protected, ref) : null;
    r.voiceEmotion = {
      referenceClips: voiced.length,
      original: { emotion: o.emotion, probabilities: byEmotion(o.probs) },
      protected: p ? { emotion: p.emotion, probabilities: byEmotion(p.probs) } : null,
    };
    lines.push(`  ${r.input}  original: ${show(o)}  protected: ${p ? show(p) : '–'}`);
  }
  return lines;
}

async function protectOne(f: PlannedFile, ctx: ProtectContext): Promise<ProtectReportRecord | SkippedFile> {
  const skip = (reason: SkipReason, message: string): SkippedFile => ({ input: f.input, rel: f.rel, reason, message });
  let decoded;
  try {
    decoded = await decodeAudioFileDetailed(f.input, { ffmpeg: ctx.ffmpegPath });
  } catch (e) {
    if (e instanceof AudioDecodeError) return skip(DECODE_REASON[e.code], e.message);
    throw e;
  }
  const wave = decoded.samples;
  const check = validateSamples(wave, SAMPLE_RATE);
  if (!check.ok) return skip(SAMPLE_REASON[check.code], check.message);

  const t0 = performance.now();
  let res: { wave: Float32Array };
  let spanReports: SpanReport[] | undefined;
  if (ctx.spans) {
    try {
      const r = await protectSpans(wave, ctx.spans, async (piece, b) => (await ctx.gen.protect(piece, b)).wave, {
        budgetDb: ctx.budgetDb,
      });
      res = r;
      spanReports = r.spans;
    } catch (e) {
      return skip('failed', (e as Error).message);
    }
  } else res = await ctx.gen.protect(wave, ctx.budgetDb);
  const protectMs = performance.now() - t0;
  const bytes = encodeWav(res.wave, SAMPLE_RATE);
  // Measured on what the file holds (16-bit, clipped to ±1), not on the float output.
  const written = decodeWavTo16kMono(bytes);
  try {
    await writeFileAtomic(f.output, bytes, { overwrite: ctx.force, protectedIds: ctx.inputIds });
  } catch (e) {
    if (e instanceof OutputExistsError) return skip('output-exists', e.message);
    return skip('failed', `could not write ${f.output}: ${(e as Error).message}`);
  }
  const rep = perturbationReport(wave, written);
  const record: ProtectReportRecord = {
    input: f.rel,
    output: ctx.shownOut(f),
    source: decoded.detail,
    decoder: decoded.decoder,
    fromVideo: decoded.fromVideo,
    durationS: wave.length / SAMPLE_RATE,
    budgetDb: ctx.budgetDb,
    snrDb: rep.snrDb,
    perturbationHighShare: rep.perturbationHighShare,
    lowChangeDb: rep.lowChangeDb,
    highChangeDb: rep.highChangeDb,
    protectMs,
    evaluation: null,
    ...(spanReports ? { spans: spanReports } : {}),
  };
  if (ctx.loaded) {
    const before = evaluatorView(await ctx.loaded.evaluators.predict(wave));
    const after = evaluatorView(await ctx.loaded.evaluators.predict(written));
    record.evaluation = compareViews(before, after);
  }
  let cues: ReturnType<SharedMeasures['cues']> | undefined;
  const shared: SharedMeasures = {
    cues: () => (cues ??= { original: analyzeCues(wave), protected: analyzeCues(written) }),
  };
  if (ctx.sameSpeaker) {
    const c = shared.cues();
    record.prosody = { original: prosodyCues(wave, c.original), protected: prosodyCues(written, c.protected) };
  }
  for (const a of ctx.analyses) Object.assign(record, await a.analyze(wave, written, record, shared));
  return record;
}
