/**
 * The external-attacker part of `npm run eval`: recognizers that no model here was trained on or against (Whisper
 * tiny.en, PocketSphinx) read every condition on held-out synthetic clips (`test`) and on real human speech (the
 * set `npm run corpus:real` builds), next to the frozen SER and ASR, the label-free emotion-cue metrics and each
 * attacker's gain over white noise of the same energy. Then the upload path: every clip each condition produced, and
 * its noise twin, re-encoded through each lossy codec (src/core/node/codec.ts) and read again. With `live`, the
 * Aclipse rows are the live stream's output (src/core/live.ts) instead of the whole-clip protection. Writes
 * <out>/external/{report.md, report.json, clips-<set>.csv, clips-<set>-<codec>.csv}.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BandedGenerator, type Protector } from '../../src/core/aclipse/banded';
import { cueRetention } from '../../src/core/cues';
import { LIVE_DEFAULTS, protectStreamOffline } from '../../src/core/live';
import { sameLiveSettings, type LiveSettings } from '../../src/core/claims';
import { bySplit, loadManifestDataset, type DatasetEntry, type DatasetIndex } from '../../src/core/data';
import { nodeDirectorySource } from '../../src/core/data/node-source';
import {
  rowsToCsv,
  type Condition,
  type EvaluationRow,
  type MethodId,
  type MethodSummary,
} from '../../src/core/evaluation';
import { spellNumbers } from '../../src/core/text/normalize';
import {
  ATTACKER_LABELS,
  startAttackers,
  type AttackerKind,
  type AttackerOptions,
  type RestartingAttacker,
} from '../../src/core/node/attackers';
import { CODECS, CODEC_LABELS, reencode, type CodecId } from '../../src/core/node/codec';
import { sha256OfFile } from '../../src/core/node/io';
import {
  evalClips,
  evaluateInNode,
  loadedWeightsSha256,
  nodeReaders,
  spread,
  type DiskEvaluators,
} from '../aclipse/common';
import type { EvalReportConfig } from './report';

/**
 * Whether a real clip is one an English recognizer can be scored on: from a source with checked transcripts, in the
 * configured language, with at least `realMinWords` words. The external report and `eval:evaluators -- --real`
 * score exactly these clips, so their WERs stand side by side.
 */
export function scorableRealSentence(
  clip: { source: string; lang: string; text: string },
  x: Pick<ExternalConfig, 'realSources' | 'realLang' | 'realMinWords'>,
): boolean {
  return (
    x.realSources.includes(clip.source) && clip.lang === x.realLang && clip.text.split(' ').length >= x.realMinWords
  );
}

export interface ExternalConfig {
  enabled: boolean;
  attackers: AttackerKind[];
  /** Clips of the report's split (spread evenly over it). */
  limit: number;
  methods: MethodId[];
  snrs: number[];
  /** Folder of the real-speech set (manifest.jsonl from `npm run corpus:real`); null skips it. */
  real: string | null;
  /**
   * The real clips an English recognizer can be scored on: sources with checked transcripts (not Hedgewars, whose
   * text is the line's name), this language, at least this many words.
   */
  realSources: string[];
  realLang: string;
  realMinWords: number;
  realLimit: number | null;
  /** Read each protected clip's white-noise twin at the same achieved SNR (the gain-over-noise reference). */
  matchedNoise: boolean;
  /** Transcripts by attacker, configuration and sample hash, so a rerun reads only what changed. */
  cache: string;
  /** Lossy codecs every condition is also read through (the upload path); [] skips them. */
  codecs: CodecId[];
  /**
   * Protect the Aclipse rows as Live protection does: hop by hop with the app's defaults (LIVE_DEFAULTS) and the budget
   * kept on the running energy, so the attackers read what a listener of the live stream hears.
   */
  live: boolean;
  /**
   * The stream's settings with `live`, over LIVE_DEFAULTS (`--live-hop`, `--live-look-ahead`, `--live-context`,
   * `--live-cap`): how the defaults were chosen. The report records the settings, and the app shows a live claim only
   * when they are its own.
   */
  liveOptions: Partial<LiveSettings>;
}

export const DEFAULT_EXTERNAL_CONFIG: ExternalConfig = {
  enabled: true,
  attackers: ['whisper', 'pocketsphinx'],
  limit: 400,
  methods: ['aclipse', 'noise', 'lowpass4k', 'pitch', 'mcadams'],
  snrs: [10, 20],
  real: 'data/real',
  realSources: ['asterisk-core-sounds-en-g722', 'alsa-utils'],
  realLang: 'en',
  realMinWords: 3,
  realLimit: null,
  matchedNoise: true,
  cache: 'runs/attacker-cache',
  codecs: [...CODECS],
  live: false,
  liveOptions: {},
};

/**
 * The live stream's protection of a whole clip (identical to streaming it in blocks of any size), with the SNR of
 * everything emitted: the Aclipse condition of a `live` run.
 */
export async function protectLive(
  gen: Protector,
  wave: Float32Array,
  budgetDb: number,
  settings: LiveSettings = LIVE_DEFAULTS,
): Promise<{ wave: Float32Array; snrDb: number }> {
  const r = await protectStreamOffline(wave, async (w, b) => (await gen.protect(w, b)).wave, {
    budgetDb,
    ...settings,
  });
  return { wave: r.wave, snrDb: r.report.snrDb };
}

/** `--external-codecs mp3-64,opus-24` (or `all`, or `none` for the WAV rows only). */
export function parseCodecList(v: string): CodecId[] {
  if (v === 'none') return [];
  if (v === 'all') return [...CODECS];
  const items = v
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  const bad = items.filter((x) => !(CODECS as readonly string[]).includes(x));
  if (bad.length || items.length === 0)
    throw new Error(
      `--external-codecs: unknown ${bad.join(', ') || '(empty)'} (a list of ${CODECS.join(', ')}; or all, none)`,
    );
  return [...new Set(items)] as CodecId[];
}

export interface ExternalSet {
  name: string;
  clips: number;
  failed: { clipId: string; error: string }[];
  /** Aclipse rows carry the SHA-256 of the weights that protected them, so claims can be bound to those weights. */
  summaries: (MethodSummary & { label: string; weightsSha256?: string })[];
}

/** A set read after a codec round trip; compared row by row with the set of the same name in `sets` (un-encoded). */
export interface ExternalCodecSet extends ExternalSet {
  codec: CodecId;
  codecLabel: string;
}

export interface ExternalReport {
  command: string;
  /** The Aclipse rows are the live stream's output (`live` in the config), not whole-clip protection. */
  live: boolean;
  /** With `live`: the stream's settings, which the app's live claims must match. */
  liveSettings?: LiveSettings;
  attackers: { id: AttackerKind; label: string; name: string; config: Record<string, unknown> }[];
  decoder: string;
  /** Clips as protected (WAV, no re-encoding). */
  sets: ExternalSet[];
  codecSets: ExternalCodecSet[];
  seconds: number;
  files: string[];
}

/** An attacker whose transcripts are kept on disk by the hash of the exact samples it read. */
function cachedTranscriber(
  a: RestartingAttacker,
  dir: string,
): { read(wave: Float32Array): Promise<string>; hits: () => number } {
  mkdirSync(dir, { recursive: true });
  // Keyed by what decides the transcript (the recognizer's configuration), not by the process that produced it.
  const cfgHash = createHash('sha1').update(JSON.stringify(a.hello.config)).digest('hex').slice(0, 10);
  const file = path.join(dir, `${a.kind}-${cfgHash}.jsonl`);
  const memo = new Map<string, string>();
  if (existsSync(file)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line) continue;
      try {
        const { h, text } = JSON.parse(line) as { h: string; text: string };
        memo.set(h, text);
      } catch {
        // a line cut by a crash: that clip is simply read again
      }
    }
  }
  let hits = 0;
  return {
    async read(wave) {
      const h = createHash('sha1')
        .update(Buffer.from(wave.buffer, wave.byteOffset, wave.byteLength))
        .digest('hex');
      const known = memo.get(h);
      if (known !== undefined) {
        hits++;
        return known;
      }
      const { text } = await a.transcribe(wave);
      memo.set(h, text);
      appendFileSync(file, `${JSON.stringify({ h, text })}\n`);
      return text;
    },
    hits: () => hits,
  };
}

/** Where the shipped generator lives; the report's default `generator`. */
export const DEFAULT_EVAL_GENERATOR = 'public/models/aclipse';

const LABELS: Record<string, string> = {
  original: 'original',
  aclipse: 'Aclipse (shipped)',
  noise: 'White noise',
  lowpass2k: 'Low-pass 2 kHz',
  lowpass4k: 'Low-pass 4 kHz',
  pitch: 'Pitch shift',
  mcadams: 'McAdams',
};

const pct = (x: number | null | undefined) =>
  x === null || x === undefined || !Number.isFinite(x) ? '–' : (x * 100).toFixed(1);
const num = (x: number | null | undefined, d = 2) =>
  x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(d);
const signedPts = (x: number | null | undefined) =>
  x === null || x === undefined || !Number.isFinite(x) ? '–' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}`;

const withSe = (x: number | null | undefined, se: number | null | undefined) =>
  signedPts(x) + (se === null || se === undefined || !Number.isFinite(x ?? NaN) ? '' : ` ± ${(se * 100).toFixed(1)}`);

export function externalMarkdown(r: ExternalReport): string {
  const ids = r.attackers.map((a) => a.id);
  const lines: string[] = [
    '# External attackers: recognizers no model here was trained on or against',
    '',
    `Produced by \`${r.command}\` in ${(r.seconds / 60).toFixed(0)} min. ${r.attackers.map((a) => `**${a.label}** (${a.name}: ${JSON.stringify(a.config)})`).join('; ')}. ` +
      `Own ASR: the frozen evaluator's beam search (${r.decoder}). Texts are normalised as for every WER here (lower case, letters and apostrophes; digits spelled out).`,
    '',
    '"Gain over noise" is, per clip, the attacker\'s WER on the protected clip minus its WER on the original plus white noise at the ' +
      'same achieved SNR, averaged over clips (points): how much more the method hides than noise of the same energy, with its standard error over clips. ' +
      'A recognizer that loops ("the the the …") can reach thousands of % WER on one clip and carry that mean, so the next column caps each clip\'s WER at 100 % first: the share of words hidden beyond noise. ' +
      "White noise's own gain is 0 by construction. " +
      'Cue metrics (label-free, no model): medians over clips of the F0 correlation and F0 RMSE (semitones) over frames voiced in both, voicing agreement, loudness-envelope correlation, and the relative change of the syllable-nucleus rate.',
    '',
  ];
  for (const set of r.sets) {
    lines.push(
      `## ${set.name} (${set.clips} clips${set.failed.length ? `, ${set.failed.length} unreadable` : ''})`,
      '',
    );
    const head = [
      'method',
      'budget dB',
      'achieved SNR dB',
      'SER WA %',
      'SER WA % under same-SNR noise',
      'SER read changed %',
      'own ASR WER %',
    ];
    for (const id of ids)
      head.push(
        `${ATTACKER_LABELS[id]} WER %`,
        `${ATTACKER_LABELS[id]} WER % under same-SNR noise`,
        `${ATTACKER_LABELS[id]} gain over noise (pts ± se)`,
        `${ATTACKER_LABELS[id]} gain, WER capped at 100 % (pts)`,
      );
    head.push(
      'F0 corr',
      'F0 RMSE st',
      'voicing agree',
      'loudness corr',
      'rate change %',
      'F0 corr under same-SNR noise',
      'loudness corr under same-SNR noise',
    );
    lines.push(`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`);
    for (const s of set.summaries) {
      const cells = [
        s.label,
        s.budgetDb === null ? '–' : String(s.budgetDb),
        s.meanSnrDb === null ? '∞' : num(s.meanSnrDb, 1),
        pct(s.wa),
        s.method === 'noise' ? '(is noise)' : pct(s.matchedNoise?.wa),
        pct(s.serChanged),
        pct(s.wer.rate),
      ];
      for (const id of ids) {
        const e = s.external?.[id];
        cells.push(
          pct(e?.wer.rate),
          s.method === 'noise' ? '(is noise)' : pct(e?.werNoise?.rate),
          s.method === 'noise' ? '0' : withSe(e?.gainOverNoise, e?.gainOverNoiseSe),
          s.method === 'noise' ? '0' : signedPts(e?.gainOverNoiseCapped),
        );
      }
      const c = s.cues;
      const nc = s.matchedNoise?.cues;
      cells.push(
        num(c?.f0Correlation),
        num(c?.f0RmseSemitones),
        num(c?.voicingAgreement),
        num(c?.loudnessCorrelation),
        c ? signedPts(c.syllableRateChange) : '–',
      );
      cells.push(
        ...(s.method === 'noise'
          ? ['(is noise)', '(is noise)']
          : [num(nc?.f0Correlation), num(nc?.loudnessCorrelation)]),
      );
      lines.push(`| ${cells.join(' | ')} |`);
    }
    lines.push('');
    if (set.failed.length)
      lines.push(`Unreadable clips: ${set.failed.map((f) => `${f.clipId} (${f.error})`).join('; ')}`, '');
  }
  if (r.codecSets.length) lines.push(...codecMarkdown(r));
  return lines.join('\n');
}

type Summary = ExternalSet['summaries'][number];

/** `value (Δ)` against the un-encoded reading, with `scale` applied to both (100 for percentages and points). */
function withDelta(v: number | null | undefined, wav: number | null | undefined, scale: number, d: number): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  const main = (v * scale).toFixed(d);
  if (wav === null || wav === undefined || !Number.isFinite(wav)) return main;
  // Rounded first, so a change too small to show reads +0.00 rather than -0.00.
  const delta = Number(((v - wav) * scale).toFixed(d)) + 0;
  return `${main} (${delta >= 0 ? '+' : ''}${delta.toFixed(d)})`;
}

function codecMarkdown(r: ExternalReport): string[] {
  const ids = r.attackers.map((a) => a.id);
  const codecs = [...new Map(r.codecSets.map((c) => [c.codec, c.codecLabel])).entries()];
  const wavOf = (setName: string, s: Summary): Summary | undefined =>
    r.sets.find((x) => x.name === setName)?.summaries.find((w) => w.method === s.method && w.budgetDb === s.budgetDb);
  const lines: string[] = [
    '## After re-encoding (the upload path)',
    '',
    'Each protected clip, and its white-noise twin at the same achieved SNR, re-encoded with ffmpeg and decoded back to 16 kHz ' +
      `(${codecs.map(([, l]) => l).join(', ')}; μ-law resamples to 8 kHz and back), aligned to the original sample for sample (codec delay found by ` +
      'cross-correlation), then read by every recognizer and measured for cues against the original WAV. The original row is the clean clip through ' +
      'the same codec. Achieved SNR is that of the protection, before coding. Numbers in brackets: change from the un-encoded WAV (points for ' +
      'percentages and gains).',
    '',
    '### Gain over noise by codec (points)',
    '',
  ];
  const head = ['set', 'method', 'budget dB'];
  for (const id of ids) for (const c of ['WAV', ...codecs.map(([k]) => k)]) head.push(`${ATTACKER_LABELS[id]} ${c}`);
  lines.push(`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`);
  for (const set of r.sets) {
    for (const s of set.summaries) {
      if (s.method === 'original' || s.method === 'noise') continue;
      const cells = [set.name, s.label, String(s.budgetDb)];
      for (const id of ids) {
        cells.push(signedPts(s.external?.[id]?.gainOverNoise));
        for (const [codec] of codecs) {
          const cs = r.codecSets
            .find((c) => c.name === set.name && c.codec === codec)
            ?.summaries.find((x) => x.method === s.method && x.budgetDb === s.budgetDb);
          cells.push(signedPts(cs?.external?.[id]?.gainOverNoise));
        }
      }
      lines.push(`| ${cells.join(' | ')} |`);
    }
  }
  lines.push('');
  for (const cs of r.codecSets) {
    lines.push(
      `### ${cs.name} after ${cs.codecLabel} (${cs.clips} clips${cs.failed.length ? `, ${cs.failed.length} unreadable` : ''})`,
      '',
    );
    const h = ['method', 'budget dB', 'achieved SNR dB', 'SER WA %', 'SER WA % under same-SNR noise', 'own ASR WER %'];
    for (const id of ids)
      h.push(
        `${ATTACKER_LABELS[id]} WER %`,
        `${ATTACKER_LABELS[id]} WER % under same-SNR noise`,
        `${ATTACKER_LABELS[id]} gain over noise (pts)`,
      );
    h.push(
      'F0 corr',
      'loudness corr',
      'rate change %',
      'F0 corr under same-SNR noise',
      'loudness corr under same-SNR noise',
    );
    lines.push(`| ${h.join(' | ')} |`, `|${h.map(() => '---').join('|')}|`);
    for (const s of cs.summaries) {
      const w = wavOf(cs.name, s);
      const isNoise = s.method === 'noise';
      const cells = [
        s.label,
        s.budgetDb === null ? '–' : String(s.budgetDb),
        s.meanSnrDb === null ? '∞' : num(s.meanSnrDb, 1),
        withDelta(s.wa, w?.wa, 100, 1),
        isNoise ? '(is noise)' : pct(s.matchedNoise?.wa),
        withDelta(s.wer.rate, w?.wer.rate, 100, 1),
      ];
      for (const id of ids) {
        const e = s.external?.[id];
        const we = w?.external?.[id];
        cells.push(
          withDelta(e?.wer.rate, we?.wer.rate, 100, 1),
          isNoise ? '(is noise)' : pct(e?.werNoise?.rate),
          isNoise ? '0' : withDelta(e?.gainOverNoise, we?.gainOverNoise, 100, 1),
        );
      }
      const c = s.cues;
      const nc = s.matchedNoise?.cues;
      cells.push(
        withDelta(c?.f0Correlation, w?.cues?.f0Correlation, 1, 2),
        withDelta(c?.loudnessCorrelation, w?.cues?.loudnessCorrelation, 1, 2),
        c ? signedPts(c.syllableRateChange) : '–',
        isNoise ? '(is noise)' : num(nc?.f0Correlation),
        isNoise ? '(is noise)' : num(nc?.loudnessCorrelation),
      );
      lines.push(`| ${cells.join(' | ')} |`);
    }
    lines.push('');
  }
  return lines;
}

/** The band whose weights protect at this budget; null for the base weights or a generator without bands. */
const bandAt = (gen: Protector | null, budgetDb: number | null) =>
  gen instanceof BandedGenerator && budgetDb !== null ? gen.weightsFor(budgetDb).band : null;

/**
 * A candidate read for selection (--generator) is named by its folder, never as the shipped one; weights that a
 * budget chose from the generator's bands are named too, so each row says which weights it measured.
 */
function aclipseLabel(dir: string, gen: Protector | null, budgetDb: number | null, live: LiveSettings | null): string {
  const who = path.resolve(dir) !== path.resolve(DEFAULT_EVAL_GENERATOR) ? dir : 'shipped';
  const band = bandAt(gen, budgetDb);
  // settings other than the app's are named, so such a row is never read as the app's stream
  const own = live && sameLiveSettings(live);
  const how = live
    ? `live stream, ${live.hopS * 1000} ms hops${own ? '' : `, ${live.lookAheadS * 1000} ms look-ahead, ${live.contextS * 1000} ms context, ${live.localCapDb} dB local cap`}`
    : null;
  return `Aclipse (${[who, band?.label, how].filter(Boolean).join(', ')})`;
}

/**
 * The SHA-256 of the weights that protect at each budget: hashed by the loader from the bytes it built the generator
 * from (readGeneratorDir), so a report keeps naming the weights it measured however the folder's files change. A
 * generator made some other way (a test's stand-in) is named by its folder's weights file, read before any clip.
 */
function weightsAtBudgets(dir: string, gen: Protector | null, budgets: number[]): Map<number, string> {
  const out = new Map<number, string>();
  if (!gen) return out;
  for (const b of budgets) {
    const { generator, band } = gen instanceof BandedGenerator ? gen.weightsFor(b) : { generator: gen, band: null };
    const file = path.join(dir, band?.path ?? '', 'weights.bin');
    const sha = loadedWeightsSha256(generator) ?? (existsSync(file) ? sha256OfFile(file) : undefined);
    if (sha) out.set(b, sha);
  }
  return out;
}

export async function runExternal(
  cfg: EvalReportConfig,
  corpus: DatasetIndex,
  ev: DiskEvaluators,
  gen: Protector | null,
  log: (m: string) => void,
  command = 'npm run eval',
  /** How the attackers start (tests pass a fake attacker's command). */
  attackerOptions: AttackerOptions = {},
): Promise<ExternalReport> {
  const x = cfg.external;
  const started = performance.now();
  const sets: { name: string; entries: DatasetEntry[] }[] = [
    {
      name: cfg.split,
      entries: spread(
        bySplit(corpus.entries, cfg.split, cfg.speakers).filter((e) => e.text),
        x.limit,
      ),
    },
  ];
  if (x.real) {
    if (!existsSync(path.join(x.real, 'manifest.jsonl')))
      throw new Error(
        `No real-speech set at ${x.real}: run \`npm run corpus:real\` first (or set external.real to null)`,
      );
    const real = await loadManifestDataset(nodeDirectorySource(x.real), { keepUnlabelled: true });
    const scorable = real.entries.filter((e) =>
      scorableRealSentence({ source: String(e.meta.source), lang: String(e.meta.lang), text: e.text ?? '' }, x),
    );
    sets.unshift({ name: 'real', entries: spread(scorable, x.realLimit ?? undefined) });
  }
  const weightsSha256 = weightsAtBudgets(cfg.generator, gen, x.snrs);
  const conditions: Condition[] = [{ method: 'original', budgetDb: 0 }];
  for (const m of x.methods) {
    if (m === 'original') continue;
    if (m === 'aclipse' && !gen) {
      log(`external: skipping aclipse, no generator at ${cfg.generator}`);
      continue;
    }
    for (const snr of x.snrs) conditions.push({ method: m, budgetDb: snr });
  }

  const attackers = await startAttackers(x.attackers, attackerOptions);
  const readersByKind = attackers.map((a) => ({ kind: a.kind, t: cachedTranscriber(a, x.cache) }));
  log(`external: ${attackers.map((a) => `${a.hello.attacker} ${JSON.stringify(a.hello.config)}`).join('; ')}`);
  const wholeClip = nodeReaders(ev.scoring, gen, {
    // Both attackers read the same clip at once: each is its own process, one per core.
    external: async (wave) => {
      const texts = await Promise.all(
        readersByKind.map(async ({ kind, t }) => [kind, spellNumbers(await t.read(wave))] as const),
      );
      return Object.fromEntries(texts);
    },
    cues: cueRetention,
  });
  const liveSettings: LiveSettings = { ...LIVE_DEFAULTS, ...x.liveOptions };
  const readers: typeof wholeClip =
    x.live && gen
      ? {
          ...wholeClip,
          protect: (method, wave, budgetDb, seed) =>
            method === 'aclipse'
              ? protectLive(gen, wave, budgetDb, liveSettings)
              : wholeClip.protect(method, wave, budgetDb, seed),
        }
      : wholeClip;

  const out = path.join(cfg.out, 'external');
  mkdirSync(out, { recursive: true });
  const done: ExternalSet[] = [];
  const codecSets: ExternalCodecSet[] = [];
  const files: string[] = [];
  try {
    // Fail before hours of reading, not after the WAV rows, when ffmpeg is missing.
    if (x.codecs.length) await reencode(new Float32Array(1600), x.codecs[0]!);
    for (const set of sets) {
      const clips = evalClips(set.entries);
      // The un-encoded run first, then one run per codec. Each run protects again (deterministic per clip seed)
      // rather than holding every protected clip of a set in memory.
      for (const codec of [null, ...x.codecs]) {
        const tag = codec ? `${set.name} after ${codec}` : set.name;
        log(`external ${tag}: ${clips.length} clips × ${conditions.length} conditions`);
        const t0 = performance.now();
        const channelReaders = codec ? { ...readers, channel: (w: Float32Array) => reencode(w, codec) } : readers;
        const { run, summaries } = await evaluateInNode(clips, conditions, channelReaders, {
          seed: cfg.seed,
          matchedNoise: x.matchedNoise,
          onRow: (_r: EvaluationRow, n, total) => {
            if (n % 100 === 0 || n === total) {
              const el = (performance.now() - t0) / 1000;
              log(
                `external ${tag}: ${n}/${total} rows, ${(el / 60).toFixed(1)} min, ~${(((el / n) * (total - n)) / 60).toFixed(0)} min left`,
              );
            }
          },
        });
        const labelled = summaries.map((s) => {
          if (s.method !== 'aclipse') return { ...s, label: LABELS[s.method] ?? s.method };
          const sha = s.budgetDb !== null ? weightsSha256.get(s.budgetDb) : undefined;
          return {
            ...s,
            label: aclipseLabel(cfg.generator, gen, s.budgetDb, x.live ? liveSettings : null),
            ...(sha ? { weightsSha256: sha } : {}),
          };
        });
        const result: ExternalSet = {
          name: set.name,
          clips: clips.length - run.failed.length,
          failed: run.failed,
          summaries: labelled,
        };
        if (codec) codecSets.push({ ...result, codec, codecLabel: CODEC_LABELS[codec] });
        else done.push(result);
        const csv = codec ? `clips-${set.name}-${codec}.csv` : `clips-${set.name}.csv`;
        writeFileSync(path.join(out, csv), rowsToCsv(run.rows));
        files.push(csv);
        for (const s of labelled) {
          const e = s.external ?? {};
          log(
            `external ${tag} ${s.label}${s.budgetDb !== null ? ` @ ${s.budgetDb} dB` : ''}: ${Object.entries(e)
              .map(([id, v]) => `${id} WER ${pct(v.wer.rate)} (gain ${signedPts(v.gainOverNoise)})`)
              .join(', ')}`,
          );
        }
      }
    }
  } finally {
    await Promise.all(attackers.map((a) => a.close()));
  }
  log(
    `external: cache hits ${readersByKind.map(({ kind, t }) => `${kind} ${t.hits()}`).join(', ')}; restarts ${attackers.map((a) => `${a.kind} ${a.restarts}`).join(', ')}`,
  );
  const report: ExternalReport = {
    command,
    live: x.live,
    ...(x.live ? { liveSettings } : {}),
    attackers: attackers.map((a) => ({
      id: a.kind,
      label: ATTACKER_LABELS[a.kind],
      name: a.hello.attacker,
      config: a.hello.config,
    })),
    decoder: ev.decoder,
    sets: done,
    codecSets,
    seconds: (performance.now() - started) / 1000,
    files: [...files, 'report.json', 'report.md'],
  };
  writeFileSync(
    path.join(out, 'report.json'),
    JSON.stringify(report, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 1),
  );
  writeFileSync(path.join(out, 'report.md'), externalMarkdown(report));
  return report;
}
