/**
 * Output planning for `npm run protect`: every output path is decided, and checked against every input, before a
 * byte is written. The rule is that the user's audio is never lost: an output that would land on an input (same
 * file through any symlink or hard link, or a name that differs only in letter case) refuses the whole run, and an
 * existing output is replaced only with --force (which never extends to inputs).
 */
import { readdirSync, realpathSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { extensionOf, isSupportedAudioPath } from '../../src/core/node/decode-audio';

export type SkipReason =
  | 'unsupported-extension'
  | 'collides'
  | 'unreadable'
  | 'empty'
  | 'file-too-large'
  | 'corrupt'
  | 'no-audio-stream'
  | 'ffmpeg-missing'
  | 'too-short'
  | 'too-long'
  | 'silent'
  | 'output-exists'
  | 'failed';

/** Headings of the summary's skipped groups. */
export const SKIP_REASON_TEXT: Record<SkipReason, string> = {
  'unsupported-extension': 'not an audio or video type the app takes',
  collides: 'two inputs would share one output name',
  unreadable: 'could not be read',
  empty: 'empty',
  'file-too-large': 'file too large',
  corrupt: 'corrupt or undecodable',
  'no-audio-stream': 'no audio stream',
  'ffmpeg-missing': 'needs ffmpeg',
  'too-short': 'too short',
  'too-long': 'too long',
  silent: 'silent',
  'output-exists': 'output appeared while running',
  failed: 'failed',
};

export interface PlannedFile {
  /** absolute input path */
  input: string;
  /** input path relative to the input root (what the user sees) */
  rel: string;
  /** absolute output path, always .wav */
  output: string;
  /** output path relative to the output folder */
  outRel: string;
}

export interface SkippedFile {
  input: string;
  rel: string;
  reason: SkipReason;
  message: string;
}

export interface OutputPlan {
  /** the folder given, or the folder of the single file given (absolute) */
  inputRoot: string;
  outDir: string;
  files: PlannedFile[];
  skipped: SkippedFile[];
  /** reasons to refuse the whole run; when non-empty nothing may be written */
  refusals: string[];
  /** identities (device:inode) of every input file seen; the writer re-checks them right before each rename */
  inputIds: ReadonlySet<string>;
}

export interface PlanOptions {
  /** a file or a folder */
  input: string;
  outDir: string;
  /** added before the extension: 'a.mp3' + '-protected' → 'a-protected.wav' */
  suffix?: string;
  /** replace existing outputs (never inputs) */
  force?: boolean;
  /** other files the run will write (the --json report); checked like outputs and kept out of the walk */
  extraOutputs?: string[];
}

export function fileId(st: Stats): string {
  return `${st.dev}:${st.ino}`;
}

function statOrNull(p: string): Stats | null {
  try {
    return statSync(p);
  } catch {
    return null;
  }
}

/** 'sub/a.MP3' + '-protected' → 'sub/a-protected.wav' (outputs are always WAV). */
export function outputRel(rel: string, suffix = ''): string {
  const ext = path.extname(rel);
  const stem = ext ? rel.slice(0, -ext.length) : rel;
  return `${stem}${suffix}.wav`;
}

/**
 * A path's real location even when it does not exist yet: the nearest existing ancestor resolved through symlinks,
 * plus the rest as written. Two spellings of one place give the same answer.
 */
export function realLocation(p: string): string {
  const abs = path.resolve(p);
  const rest: string[] = [];
  let cur = abs;
  for (;;) {
    try {
      return path.join(realpathSync(cur), ...rest);
    } catch {
      const parent = path.dirname(cur);
      if (parent === cur) return abs;
      rest.unshift(path.basename(cur));
      cur = parent;
    }
  }
}

/** Folder + case-folded name: 'x/a.WAV' and 'x/a.wav' are one file on case-insensitive disks, and easy to confuse anywhere. */
function caseKey(realPath: string): string {
  return path.join(path.dirname(realPath), path.basename(realPath).toLowerCase());
}

/** Where a path itself sits (its folder resolved, the name not followed), case-folded. */
function linkKey(p: string): string {
  return caseKey(path.join(realLocation(path.dirname(path.resolve(p))), path.basename(p)));
}

interface Walked {
  files: string[];
  unreadable: { file: string; message: string }[];
}

/** Every non-hidden file under root (sorted, symlinks followed once), skipping the excluded folders/files. */
function walk(root: string, excluded: ReadonlySet<string>, excludedFiles: ReadonlySet<string>): Walked {
  const out: Walked = { files: [], unreadable: [] };
  const seenDirs = new Set<string>();
  const visit = (dir: string) => {
    const st = statOrNull(dir);
    if (!st) return;
    const id = fileId(st);
    // The root is walked even when it is the output folder itself (--out equal to the input).
    if (seenDirs.has(id) || (excluded.has(id) && dir !== root)) return;
    seenDirs.add(id);
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch (e) {
      out.unreadable.push({ file: dir, message: `folder cannot be read: ${(e as Error).message}` });
      return;
    }
    for (const name of names) {
      if (name.startsWith('.')) continue;
      const p = path.join(dir, name);
      const s = statOrNull(p);
      if (!s) out.unreadable.push({ file: p, message: 'cannot be read (a broken link?)' });
      else if (s.isDirectory()) visit(p);
      else if (s.isFile() && !excludedFiles.has(linkKey(p))) out.files.push(p);
    }
  };
  visit(root);
  return out;
}

/** Plans every output; never touches the disk beyond reading it. */
export function planOutputs(opts: PlanOptions): OutputPlan {
  const suffix = opts.suffix ?? '';
  if (/[\\/\0]/.test(suffix)) throw new Error(`--suffix must not contain path separators (got “${suffix}”)`);
  const inputAbs = path.resolve(opts.input);
  const inputStat = statOrNull(inputAbs);
  if (!inputStat) throw new Error(`${opts.input} does not exist`);
  const outDir = path.resolve(opts.outDir);
  const outStat = statOrNull(outDir);
  const refusals: string[] = [];
  if (outStat && !outStat.isDirectory()) refusals.push(`--out ${opts.outDir} exists and is not a folder.`);

  const extras = (opts.extraOutputs ?? []).map((p) => path.resolve(p));
  const excluded = new Set<string>();
  if (outStat?.isDirectory()) excluded.add(fileId(outStat));
  // The report file is kept out of the walk by its own location (a link named like it must not hide its target).
  // One named like audio could be mistaken for (or be) the user's audio: refused below, and walked as usual.
  const excludedFiles = new Set(extras.filter((e) => !isSupportedAudioPath(e)).map(linkKey));

  let inputRoot: string;
  let walked: Walked;
  if (inputStat.isDirectory()) {
    inputRoot = inputAbs;
    walked = walk(inputAbs, excluded, excludedFiles);
  } else {
    inputRoot = path.dirname(inputAbs);
    walked = { files: [inputAbs], unreadable: [] };
  }

  const skipped: SkippedFile[] = walked.unreadable.map(({ file, message }) => ({
    input: file,
    rel: path.relative(inputRoot, file) || path.basename(file),
    reason: 'unreadable',
    message,
  }));
  const inputIds = new Set<string>();
  const inputKeys = new Map<string, string>();
  const candidates: PlannedFile[] = [];
  for (const file of walked.files) {
    const st = statOrNull(file);
    if (st) inputIds.add(fileId(st));
    const rel = path.relative(inputRoot, file);
    inputKeys.set(caseKey(realLocation(file)), rel);
    // Keep the link's own name too: an output written where the link sits would replace it.
    inputKeys.set(linkKey(file), rel);
    if (!isSupportedAudioPath(file)) {
      const ext = extensionOf(file);
      skipped.push({
        input: file,
        rel,
        reason: 'unsupported-extension',
        message: ext ? `.${ext} is not an audio or video type the app takes` : 'no file extension',
      });
      continue;
    }
    const outRel = outputRel(rel, suffix);
    candidates.push({ input: file, rel, output: path.join(outDir, outRel), outRel });
  }

  // Two inputs with one output name (a.wav and a.mp3, or A.mp3 and a.wav): neither is picked over the other.
  const byOutput = new Map<string, PlannedFile[]>();
  for (const c of candidates) {
    const key = caseKey(realLocation(c.output));
    byOutput.set(key, [...(byOutput.get(key) ?? []), c]);
  }
  const files: PlannedFile[] = [];
  for (const group of byOutput.values()) {
    if (group.length === 1) {
      files.push(group[0]!);
      continue;
    }
    const names = group.map((g) => `“${g.rel}”`).join(' and ');
    for (const g of group) {
      skipped.push({
        input: g.input,
        rel: g.rel,
        reason: 'collides',
        message: `${names} would ${group.length === 2 ? 'both' : 'all'} be written to ${path.relative(outDir, g.output)}; rename one, or protect them separately`,
      });
    }
  }
  files.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));

  const plannedOutputs = new Set(files.map((f) => caseKey(realLocation(f.output))));
  const check = (target: string, what: string, source?: string) => {
    const real = realLocation(target);
    const st = statOrNull(target);
    const hitsInput = (st && inputIds.has(fileId(st))) || inputKeys.get(caseKey(real));
    if (hitsInput) {
      const victim = typeof hitsInput === 'string' ? hitsInput : path.relative(inputRoot, real);
      // A rerun into the input folder finds its earlier outputs there; they count as inputs (nothing tells them apart
      // from the user's own files), so the way out is a separate output folder.
      const earlier =
        source !== undefined &&
        suffix !== '' &&
        caseKey(realLocation(source)) !== caseKey(real) &&
        path.basename(real).toLowerCase().endsWith(`${suffix}.wav`.toLowerCase());
      refusals.push(
        `${what} ${target} would overwrite the input “${victim}”. ` +
          (earlier
            ? 'It may be an earlier output, but inside the input folder it counts as an input: protect into a separate --out folder.'
            : 'Choose another --out, or add --suffix (e.g. --suffix -protected).'),
      );
      return;
    }
    // An ancestor that is a file makes the folder impossible to create.
    for (let dir = path.dirname(target); ; dir = path.dirname(dir)) {
      const s = statOrNull(dir);
      if (s) {
        if (!s.isDirectory()) refusals.push(`${what} ${target} cannot be written: ${dir} is a file, not a folder.`);
        break;
      }
      if (path.dirname(dir) === dir) break;
    }
    if (st?.isDirectory()) refusals.push(`${what} ${target} is an existing folder.`);
    else if (st && !opts.force) refusals.push(`${what} ${target} already exists; pass --force to replace it.`);
  };
  for (const f of files) check(f.output, 'Output', f.input);
  for (const e of extras) {
    if (isSupportedAudioPath(e)) refusals.push(`Report ${e} has an audio file's extension; name it .json.`);
    else if (plannedOutputs.has(caseKey(realLocation(e))))
      refusals.push(`Report ${e} has the name of an audio output.`);
    else check(e, 'Report');
  }
  return { inputRoot, outDir, files, skipped, refusals, inputIds };
}
