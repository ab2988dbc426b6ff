/**
 * IEMOCAP in its standard release layout:
 *   SessionN/dialog/EmoEvaluation/<dialog>.txt      labels: "[start - end]\t<utt>\t<label>\t[V, A, D]"
 *   SessionN/dialog/transcriptions/<dialog>.txt     "<utt> [start-end]: text"
 *   SessionN/sentences/wav/<dialog>/<utt>.wav       one clip per utterance
 * The picked folder may be the release folder, its parent, or a single session. Labels map to the paper's four
 * classes (exc merges into happy; fru, sur, fea, dis, oth, xxx are left out) and folds follow sessions
 * (fold = session − 1), the usual leave-one-session-out protocol.
 */
import { normalizeText } from '../text/normalize';
import { checkAudio } from './audio-check';
import { DatasetError, ReportBuilder, type DatasetEntry, type DatasetIndex } from './dataset';
import { mapEmotionLabel } from './emotions';
import type { FileRef, FileSource } from './source';

export interface IemocapLabel {
  utterance: string;
  start: number;
  end: number;
  label: string;
  vad: [number, number, number] | null;
}

const LABEL_LINE = /^\[\s*([\d.]+)\s*-\s*([\d.]+)\s*\]\s+(Ses\S+)\s+(\S+)\s*(?:\[\s*([\d.]+),\s*([\d.]+),\s*([\d.]+)\s*\])?/;

/** Parses an EmoEvaluation file: only the summary lines; evaluator lines (C-E1:, A-F2:, ...) are ignored. */
export function parseEmoEvaluation(text: string): IemocapLabel[] {
  const out: IemocapLabel[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const m = LABEL_LINE.exec(raw.trim());
    if (!m) continue;
    out.push({
      utterance: m[3]!,
      start: Number(m[1]),
      end: Number(m[2]),
      label: m[4]!,
      vad: m[5] ? [Number(m[5]), Number(m[6]), Number(m[7])] : null,
    });
  }
  return out;
}

const TRANSCRIPT_LINE = /^(Ses\S+)\s+\[[^\]]*\]:\s*(.*)$/;

/**
 * Parses a transcription file into utterance → raw text. Lines for non-utterance turns (e.g. "M: ..." or
 * "Ses01F_impro01_MXX0 ..." overlaps) simply find no clip later.
 */
export function parseTranscriptions(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const m = TRANSCRIPT_LINE.exec(raw.trim());
    if (m) out.set(m[1]!, m[2]!);
  }
  return out;
}

/** IEMOCAP marks noises as [LAUGHTER], [BREATHING], <...>: not words, so they leave the transcript. */
export function cleanIemocapTranscript(raw: string): string {
  return normalizeText(raw.replace(/\[[^\]]*\]|<[^>]*>/g, ' '));
}

/** Session number (1–5) and speaker ("Ses01F") of an utterance id such as Ses01F_impro01_M012. */
export function parseUtteranceId(utt: string): { session: number; speaker: string } | null {
  const m = /^Ses(\d\d)[FM]_.*_([FM])[^_]*$/.exec(utt);
  if (!m) return null;
  return { session: Number(m[1]), speaker: `Ses${m[1]}${m[2]}` };
}

const EMO_FILE = /^(.*?)(Session(\d+))\/dialog\/EmoEvaluation\/([^/]+)\.txt$/;
const TRANS_FILE = /^(.*?)(Session(\d+))\/dialog\/transcriptions\/([^/]+)\.txt$/;
const WAV_FILE = /^(.*?)(Session(\d+))\/sentences\/wav\/([^/]+)\/([^/]+)\.wav$/i;

export function looksLikeIemocap(paths: Iterable<string>): boolean {
  for (const p of paths) if (EMO_FILE.test(p) || WAV_FILE.test(p)) return true;
  return false;
}

export interface IemocapOptions {
  /** Check each clip's WAV header while indexing (default true). */
  probe?: boolean;
  /** Keep clips whose label is outside the four classes, with emotion null (default false). */
  keepOtherLabels?: boolean;
}

async function readText(ref: FileRef): Promise<string> {
  return new TextDecoder('utf-8').decode(await ref.read());
}

export async function loadIemocap(source: FileSource, opts: IemocapOptions = {}): Promise<DatasetIndex> {
  const refs = await source.list();
  const rb = new ReportBuilder('iemocap');
  const labelsFiles = new Map<string, FileRef>(); // dialog → file
  const transFiles = new Map<string, FileRef>();
  const wavs = new Map<string, FileRef>(); // utterance → file
  for (const r of refs) {
    let m: RegExpExecArray | null;
    if ((m = EMO_FILE.exec(r.path))) labelsFiles.set(m[4]!, r);
    else if ((m = TRANS_FILE.exec(r.path))) transFiles.set(m[4]!, r);
    else if ((m = WAV_FILE.exec(r.path))) wavs.set(m[5]!, r);
  }
  if (labelsFiles.size === 0 && wavs.size === 0) {
    throw new DatasetError(
      `${source.name} does not look like IEMOCAP: expected SessionN/dialog/EmoEvaluation/*.txt and ` +
        'SessionN/sentences/wav/<dialog>/<utterance>.wav',
    );
  }

  // Dialogs that have audio but no label file: every clip in them is unusable for emotion.
  const dialogsWithAudio = new Map<string, number>();
  for (const utt of wavs.keys()) {
    const dialog = utt.slice(0, utt.lastIndexOf('_'));
    dialogsWithAudio.set(dialog, (dialogsWithAudio.get(dialog) ?? 0) + 1);
  }
  for (const [dialog, n] of dialogsWithAudio) {
    if (!labelsFiles.has(dialog)) {
      rb.report.seen += n;
      rb.skip('missing_label_file', `${dialog} (${n} clips)`, n);
    }
  }

  const pending: Array<Omit<DatasetEntry, 'duration' | 'read'> & { ref: FileRef }> = [];
  const seenIds = new Set<string>();
  for (const [dialog, lref] of [...labelsFiles].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const labels = parseEmoEvaluation(await readText(lref));
    if (labels.length === 0) rb.note(`${lref.path} has no label lines`);
    const tref = transFiles.get(dialog);
    const transcripts = tref ? parseTranscriptions(await readText(tref)) : new Map<string, string>();
    for (const l of labels) {
      rb.report.seen++;
      if (seenIds.has(l.utterance)) {
        rb.skip('duplicate_id', l.utterance);
        continue;
      }
      seenIds.add(l.utterance);
      const emotion = mapEmotionLabel(l.label);
      if (!emotion) {
        if (/^(fru|sur|fea|dis|oth|xxx)$/i.test(l.label)) {
          rb.dropLabel(l.label.toLowerCase());
          if (!opts.keepOtherLabels) {
            rb.skip('excluded_label', `${l.utterance} (${l.label})`);
            continue;
          }
        } else {
          rb.skip('unknown_label', `${l.utterance} ("${l.label}")`);
          continue;
        }
      }
      const wav = wavs.get(l.utterance);
      if (!wav) {
        rb.skip('missing_audio', `${l.utterance}`);
        continue;
      }
      const id = parseUtteranceId(l.utterance);
      const raw = transcripts.get(l.utterance);
      let text: string | null = raw === undefined ? null : cleanIemocapTranscript(raw);
      if (text === '') text = null;
      if (text === null) rb.skip('missing_transcript', l.utterance);
      pending.push({
        id: l.utterance,
        path: wav.path,
        text,
        emotion,
        label: l.label,
        speaker: id?.speaker ?? dialog,
        split: null,
        fold: id ? id.session - 1 : null,
        meta: { dialog, start: l.start, end: l.end, vad: l.vad, session: id?.session ?? null },
        ref: wav,
      });
    }
  }
  // Transcripts whose utterance has neither audio nor a label line are reported too (the issue's "transcript with
  // no audio" case). Turns marked XX are overlaps and noises that never had their own clip.
  for (const [dialog, tref] of transFiles) {
    if (labelsFiles.has(dialog)) continue;
    const n = [...parseTranscriptions(await readText(tref)).keys()].filter((u) => !wavs.has(u) && !/XX/.test(u)).length;
    if (n > 0) rb.skip('missing_audio', `${dialog} transcripts (${n})`, n);
  }

  const checks = await checkAudio(
    pending.map((p) => p.ref),
    rb,
    { probe: opts.probe ?? true, allowOtherAudio: false },
  );
  const entries: DatasetEntry[] = [];
  pending.forEach((p, i) => {
    if (!checks[i]!.ok) return;
    const { ref, ...rest } = p;
    entries.push({ ...rest, duration: checks[i]!.duration, read: () => ref.read() });
  });
  rb.report.usable = entries.length;
  if (entries.length === 0) {
    throw new DatasetError(`No usable IEMOCAP clips in ${source.name}`, rb.report);
  }
  return { name: source.name, format: 'iemocap', entries, report: rb.report };
}
