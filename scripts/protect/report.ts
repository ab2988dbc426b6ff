/**
 * What `npm run protect` reports per file and for the run, printed (`--report`) and as JSON (`--json <file>`).
 *
 * Extending a record (planned: `cues`, label-free emotion-cue retention from src/core/cues; `attackers`, external
 * recognizers' transcripts; `domain`, an out-of-domain verdict): add the optional field to ProtectReportExtensions,
 * and pass a RecordAnalysis that computes it and prints its lines to runProtect(). The JSON carries every field of
 * the record, so it needs no change. Fields are only ever filled by an analysis that ran.
 */
import { EMOTIONS, type Emotion } from '../../src/core/data/emotions';
import type { ProsodyCues } from '../../src/core/cues/emotion';
import type { CueAnalysis } from '../../src/core/cues/retention';
import type { DomainVerdict } from '../../src/core/domain';
import type { SpanReport } from '../../src/core/spans';
import { cer, wer } from '../../src/core/metrics/scores';
import type { ClipPrediction } from '../../src/core/ml/evaluators';
import { SKIP_REASON_TEXT, type SkipReason, type SkippedFile } from './plan';

/** The shipped evaluators' view of one clip, as the app's Analyze step shows it. */
export interface EvaluatorView {
  emotion: Emotion;
  probabilities: Record<Emotion, number>;
  /** beam search with the word list and LM when they are shipped (as in the app), else greedy */
  transcript: string;
  transcriptGreedy: string;
  /** Whether the evaluators know this kind of voice (null without a calibration): their readings are unreliable otherwise. */
  domain: DomainVerdict | null;
}

export interface ClipEvaluation {
  original: EvaluatorView;
  protected: EvaluatorView;
  /** protected transcript scored against the original's transcript (no human reference exists for user files) */
  wer: number | null;
  cer: number | null;
  /** words of the original transcript (the WER's denominator) */
  referenceWords: number;
  emotionKept: boolean;
}

/** Optional analyses beyond the shipped evaluators. Add fields here (see the module comment); none exist yet. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- an extension point: analyses add fields here.
export interface ProtectReportExtensions {}

export interface ProtectReportRecord extends ProtectReportExtensions {
  /** input path relative to the input root */
  input: string;
  /** output path as written (16 kHz mono 16-bit WAV) */
  output: string;
  /** what the input was: "MP3, 44.1 kHz, stereo" */
  source: string;
  decoder: 'wav' | 'ffmpeg';
  /** only the audio track of a video file was protected */
  fromVideo: boolean;
  durationS: number;
  budgetDb: number;
  /** With --spans: each protected part (seconds, as cut to samples) with its own SNR; absent for whole-clip runs. */
  spans?: SpanReport[];
  /** SNR of the written 16-bit file against the decoded original */
  snrDb: number;
  /** share of the perturbation's energy at or above 2 kHz */
  perturbationHighShare: number;
  lowChangeDb: number;
  highChangeDb: number;
  protectMs: number;
  /** null unless --report or --json asked for the evaluators */
  evaluation: ClipEvaluation | null;
  /** With --same-speaker: the prosody of the original and the protected file (null: too little voiced speech). */
  prosody?: { original: ProsodyCues | null; protected: ProsodyCues | null };
  /** With --same-speaker and enough files: the emotion read against the speaker's average over the files. */
  voiceEmotion?: {
    referenceClips: number;
    original: { emotion: Emotion; probabilities: Record<Emotion, number> };
    protected: { emotion: Emotion; probabilities: Record<Emotion, number> } | null;
  };
}

export interface ModelId {
  path: string;
  /** first 16 hex digits of the SHA-256 of the weights: tells two trainings apart even under one path */
  sha256: string;
}

export interface ProtectSettings {
  input: string;
  out: string;
  budgetDb: number;
  suffix: string;
  force: boolean;
  output: '16 kHz mono 16-bit PCM WAV';
  backend: string;
  /** the decoder the transcripts come from, or null when the evaluators were not run */
  decoder: string | null;
  analyses: string[];
  /** --same-speaker: every file was read as one speaker's (optional: reports written before it lack it). */
  sameSpeaker?: boolean;
}

export interface ProtectSummary {
  protected: number;
  skipped: number;
  skippedByReason: Partial<Record<SkipReason, number>>;
  audioSeconds: number;
  protectMs: number;
  meanSnrDb: number | null;
  minSnrDb: number | null;
  meanHighShare: number | null;
  /** corpus WER of the protected transcripts against the originals' (null without the evaluators) */
  wer: number | null;
  /** fraction of files whose predicted emotion is unchanged (null without the evaluators) */
  emotionKept: number | null;
}

export interface ProtectReport {
  tool: 'npm run protect';
  createdAt: string;
  settings: ProtectSettings;
  models: { generator: ModelId; ser: ModelId | null; asr: ModelId | null };
  files: ProtectReportRecord[];
  skipped: SkippedFile[];
  summary: ProtectSummary;
}

/**
 * Measurements of one file that more than one reading needs, made on first use and then shared: the pitch track
 * is most of a file's analysis time, and cue retention and the prosody both read it.
 */
export interface SharedMeasures {
  /** Pitch track, loudness envelope and syllables of the original and of the protected clip as written. */
  cues(): { original: CueAnalysis; protected: CueAnalysis };
}

/** A per-file analysis beyond the evaluators (cue retention, attackers, domain check, …). */
export interface RecordAnalysis {
  /** listed in the settings, so a JSON says which analyses ran */
  id: string;
  analyze(
    original: Float32Array,
    protectedWave: Float32Array,
    record: ProtectReportRecord,
    shared: SharedMeasures,
  ): Promise<Partial<ProtectReportExtensions>>;
  /** printed under the file with --report */
  lines(record: ProtectReportRecord): string[];
  dispose?(): void;
}

/** Probabilities in EMOTIONS order as a record by emotion, as the report prints and stores them. */
export function byEmotion(probabilities: ArrayLike<number>): Record<Emotion, number> {
  return Object.fromEntries(EMOTIONS.map((e, i) => [e, probabilities[i] ?? 0])) as Record<Emotion, number>;
}

export function evaluatorView(p: ClipPrediction): EvaluatorView {
  return {
    emotion: p.emotion,
    probabilities: byEmotion(p.probabilities),
    transcript: p.transcript,
    transcriptGreedy: p.transcriptGreedy,
    domain: p.domain,
  };
}

export function compareViews(original: EvaluatorView, prot: EvaluatorView): ClipEvaluation {
  const w = wer([original.transcript], [prot.transcript]);
  const c = cer([original.transcript], [prot.transcript]);
  // An empty original transcript leaves nothing to compare against: no rate rather than a made-up 0 or ∞.
  return {
    original,
    protected: prot,
    wer: w.refLength > 0 ? w.rate : null,
    cer: c.refLength > 0 ? c.rate : null,
    referenceWords: w.refLength,
    emotionKept: original.emotion === prot.emotion,
  };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

function emotionLine(v: EvaluatorView): string {
  return `${v.emotion} (${EMOTIONS.map((e) => `${e} ${pct(v.probabilities[e])}`).join(', ')})`;
}

/** The per-file block printed with --report (one line without the evaluators). */
export function formatRecord(r: ProtectReportRecord, analyses: readonly RecordAnalysis[] = []): string[] {
  // source already says "audio track (aac) of the MP4 video" for videos.
  const lines = [
    `${r.input} → ${r.output}: ${r.source}, ${r.durationS.toFixed(2)} s`,
    `  SNR ${r.snrDb.toFixed(2)} dB (budget ${r.budgetDb} dB), ${pct(r.perturbationHighShare)} of the perturbation ≥ 2 kHz, ` +
      `protected in ${r.protectMs.toFixed(0)} ms`,
  ];
  for (const sp of r.spans ?? []) {
    lines.push(
      `  span ${sp.start.toFixed(2)}–${sp.end.toFixed(2)} s: SNR ${sp.snrDb.toFixed(2)} dB${sp.scaled ? ' (scaled to the budget)' : ''}; the rest of the file is the original`,
    );
  }
  const ev = r.evaluation;
  if (ev) {
    lines.push(
      `  transcript  original:  “${ev.original.transcript}”`,
      `              protected: “${ev.protected.transcript}”`,
      ev.wer === null
        ? '  WER: n/a (no words recognised in the original)'
        : `  WER protected vs original transcript: ${pct(ev.wer)} of ${ev.referenceWords} words (CER ${pct(ev.cer ?? 0)})`,
      `  emotion     original:  ${emotionLine(ev.original)}`,
      `              protected: ${emotionLine(ev.protected)}${ev.emotionKept ? '' : '  ← changed'}`,
    );
    const d = ev.original.domain;
    if (d && d.verdict !== 'in-domain') {
      lines.push(
        d.verdict === 'no-speech'
          ? '  voice       no speech found: the transcripts and emotions above mean nothing for this file'
          : `  voice       unlike the voices the evaluators were trained on: the transcripts and emotions above are unreliable (${d.reasons.join('; ')})`,
      );
    }
  }
  for (const a of analyses) lines.push(...a.lines(r).map((l) => `  ${l}`));
  return lines;
}

/** One line per file without --report. */
export function formatRecordShort(r: ProtectReportRecord): string {
  return (
    `${r.input} → ${r.output}: SNR ${r.snrDb.toFixed(2)} dB (budget ${r.budgetDb} dB), ` +
    `${pct(r.perturbationHighShare)} of the perturbation ≥ 2 kHz, ${r.durationS.toFixed(2)} s in ${r.protectMs.toFixed(0)} ms (${r.source})`
  );
}

export function summarize(records: readonly ProtectReportRecord[], skipped: readonly SkippedFile[]): ProtectSummary {
  const byReason: Partial<Record<SkipReason, number>> = {};
  for (const s of skipped) byReason[s.reason] = (byReason[s.reason] ?? 0) + 1;
  const snr = records.map((r) => r.snrDb);
  const evals = records.map((r) => r.evaluation).filter((e): e is ClipEvaluation => e !== null);
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
  const corpusWer = evals.length
    ? wer(
        evals.map((e) => e.original.transcript),
        evals.map((e) => e.protected.transcript),
      )
    : null;
  return {
    protected: records.length,
    skipped: skipped.length,
    skippedByReason: byReason,
    audioSeconds: records.reduce((a, r) => a + r.durationS, 0),
    protectMs: records.reduce((a, r) => a + r.protectMs, 0),
    meanSnrDb: mean(snr),
    minSnrDb: snr.length ? Math.min(...snr) : null,
    meanHighShare: mean(records.map((r) => r.perturbationHighShare)),
    wer: corpusWer && corpusWer.refLength > 0 ? corpusWer.rate : null,
    emotionKept: evals.length ? evals.filter((e) => e.emotionKept).length / evals.length : null,
  };
}

/** The closing summary: totals, then every skipped file under its reason. */
export function formatSummary(s: ProtectSummary, skipped: readonly SkippedFile[], outDir: string): string[] {
  const lines = [
    `${s.protected} file${s.protected === 1 ? '' : 's'} protected into ${outDir} (16 kHz mono 16-bit WAV), ` +
      `${s.audioSeconds.toFixed(1)} s of audio in ${(s.protectMs / 1000).toFixed(1)} s`,
  ];
  if (s.meanSnrDb !== null && s.minSnrDb !== null && s.meanHighShare !== null) {
    lines.push(
      `  SNR mean ${s.meanSnrDb.toFixed(2)} dB, min ${s.minSnrDb.toFixed(2)} dB; ${pct(s.meanHighShare)} of the perturbation ≥ 2 kHz on average`,
    );
  }
  if (s.wer !== null) lines.push(`  WER of the protected transcripts against the originals': ${pct(s.wer)}`);
  if (s.emotionKept !== null) lines.push(`  predicted emotion unchanged in ${pct(s.emotionKept)} of the files`);
  if (skipped.length) {
    lines.push(`${skipped.length} file${skipped.length === 1 ? '' : 's'} skipped:`);
    const reasons = [...new Set(skipped.map((x) => x.reason))];
    for (const reason of reasons) {
      const group = skipped.filter((x) => x.reason === reason);
      lines.push(`  ${SKIP_REASON_TEXT[reason]} (${group.length}):`);
      for (const g of group) lines.push(`    ${g.rel}: ${g.message}`);
    }
  }
  return lines;
}
