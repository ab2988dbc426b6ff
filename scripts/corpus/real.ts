/**
 * `npm run corpus:real`: a small set of real human speech for out-of-domain checks (issue 16 §2).
 *
 * Sources (Debian packages; the script installs them as root, otherwise prints the apt-get command):
 * - the acted dialogue of Fish Fillets NG. The base package `fillets-ng-data` ships English audio for only a
 *   handful of lines (sound effects, a few German/Russian lines); the spoken dialogue is in the language add-ons.
 *   We use `fillets-ng-data-cs` (1,782 Czech level lines by many voice actors, 22.05 kHz Vorbis) by default;
 *   `--lang en` or `--lang nl` picks another folder. A line's text is the `dialogStr(...)` translation that follows
 *   its `dialogId(id, font, english)` in `script/<level>/dialogs_<lang>.lua` (for `en` the English text itself).
 * - English real voices, since Czech alone would let a detector learn the language rather than the voice:
 *   `hedgewars-data`'s eight English voice packs (one actor each, short in-game exclamations; `--no-hedgewars`
 *   leaves them out) and the 8 channel prompts of `alsa-utils` (one speaker, always held out).
 * Each source is split in two halves by folder (level, voice pack): calibration and heldout.
 *
 *   npm run corpus:real                 # → data/real/{clips/, manifest.jsonl, SOURCE.md}
 *   npm run corpus:real -- --lang en --out data/real-en
 *
 * Decoding: ffmpeg decodes Vorbis to float and resamples to 16 kHz mono without clipping (Vorbis overshoot takes
 * some lines to a peak of 1.28; a 16-bit decoder such as sox's would clip them). A clip whose peak is above 0.99 is
 * scaled down to 0.99 in TS (recorded as `gainDb`), then written as 16-bit PCM with the shared WAV encoder.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ASTERISK_PACKAGES, ASTERISK_SOUNDS, ASTERISK_TEXT, asteriskPrompts } from './asterisk';
import { encodeWav, SAMPLE_RATE } from '../../src/core/audio';
import type { RealHalf, RealManifestRecord } from '../../src/core/data/types';
import { normalizeText } from '../../src/core/text/normalize';
import { ensurePackages, type Requirement } from './deps';

export const FILLETS_ROOT = '/usr/share/games/fillets-ng';
export const ALSA_SOUNDS = '/usr/share/sounds/alsa';
export const HEDGEWARS_VOICES = '/usr/share/games/hedgewars/Data/Sounds/voices';
/** Hedgewars' English voice packs, one actor each (left out: Default_es/pl/ru/uk and Russian*, other languages or
 *  accents of them, and Robot, a filter over a voice). */
export const HEDGEWARS_PACKS = ['British', 'Classic', 'Default', 'HillBilly', 'Mobster', 'Pirate', 'Singer', 'Surfer'];
/**
 * The line each Hedgewars voice file is named after. Actors read them in character, so the words are the line's
 * name, not a checked transcript. Grunts and effects (Jump, Ow, Ooff, Firepunch, Laugh, Hmm, Poison*) have none.
 */
export const HEDGEWARS_LINES: Readonly<Record<string, string>> = {
  Amazing: 'amazing',
  Boring: 'boring',
  Brilliant: 'brilliant',
  Bugger: 'bugger',
  Byebye: 'bye bye',
  Comeonthen: 'come on then',
  Coward: 'coward',
  Cutitout: 'cut it out',
  Drat: 'drat',
  Enemydown: 'enemy down',
  Excellent: 'excellent',
  Fire: 'fire',
  Firstblood: 'first blood',
  Flawless: 'flawless',
  Flyaway: 'fly away',
  Gonnagetyou: 'gonna get you',
  Grenade: 'grenade',
  Hello: 'hello',
  Hurry: 'hurry',
  Illgetyou: "i'll get you",
  Incoming: 'incoming',
  Justyouwait: 'just you wait',
  Kamikaze: 'kamikaze',
  Leavemealone: 'leave me alone',
  Melon: 'melon',
  Missed: 'missed',
  Nooo: 'no',
  Nutter: 'nutter',
  Ohdear: 'oh dear',
  Oops: 'oops',
  Ouch: 'ouch',
  Reinforcements: 'reinforcements',
  Revenge: 'revenge',
  Runaway: 'run away',
  Sameteam: 'same team',
  Solong: 'so long',
  Stupid: 'stupid',
  Takecover: 'take cover',
  Thisoneismine: 'this one is mine',
  Traitor: 'traitor',
  'Uh-oh': 'uh oh',
  Victory: 'victory',
  Watchit: 'watch it',
  Watchthis: 'watch this',
  Whatthe: 'what the',
  Yessir: 'yes sir',
  Youllregretthat: "you'll regret that",
};
/** Clips shorter than this are dropped: too short for either evaluator to say anything. */
export const MIN_DURATION_S = 0.5;
/** Peak a clip is scaled down to when the decoded float signal goes above it. */
export const PEAK_LIMIT = 0.99;

export interface DialogLine {
  id: string;
  /** The font names the character on screen ("font_small" = the small fish); "" for sound effects. */
  font: string;
  /** The English source text (third argument of dialogId). */
  english: string;
  /** The translation given by the dialogStr(...) that follows, if any. */
  translated: string | null;
}

type Token = { kind: 'name'; value: string } | { kind: 'string'; value: string } | { kind: 'punct'; value: string };

/** Length of the level of a Lua long bracket opening at `i` ("[[" → 0, "[==[" → 2), or -1. */
function longBracketLevel(src: string, i: number): number {
  if (src[i] !== '[') return -1;
  let j = i + 1;
  while (src[j] === '=') j++;
  return src[j] === '[' ? j - i - 1 : -1;
}

/** Reads a Lua quoted string starting at the quote at `i`; returns its value and the index after the closing quote. */
function readQuoted(src: string, i: number): { value: string; end: number } {
  const quote = src[i]!;
  let out = '';
  let j = i + 1;
  while (j < src.length) {
    const c = src[j]!;
    if (c === quote) return { value: out, end: j + 1 };
    if (c === '\n') throw new Error(`unfinished string at offset ${i}`);
    if (c !== '\\') {
      out += c;
      j++;
      continue;
    }
    const e = src[j + 1];
    j += 2;
    switch (e) {
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case 'r':
        out += '\r';
        break;
      case 'a':
      case 'b':
      case 'f':
      case 'v':
        out += ' ';
        break;
      case '\\':
        out += '\\';
        break;
      case '"':
        out += '"';
        break;
      case "'":
        out += "'";
        break;
      case '\n':
        out += '\n';
        break;
      case 'z':
        while (j < src.length && /\s/.test(src[j]!)) j++;
        break;
      case 'x': {
        out += String.fromCharCode(parseInt(src.slice(j, j + 2), 16));
        j += 2;
        break;
      }
      default: {
        const m = /^\d{1,3}/.exec(src.slice(j - 1));
        if (!m) throw new Error(`bad escape \\${e ?? ''} at offset ${j - 2}`);
        // Lua's \ddd is a byte. No dialog file uses it (checked for 1.0.1); a byte above 127 would need UTF-8
        // reassembly, which is not worth it here, so it maps to the code point of the same number.
        out += String.fromCharCode(Number(m[0]));
        j += m[0].length - 1;
      }
    }
  }
  throw new Error(`unfinished string at offset ${i}`);
}

function tokenize(src: string): Token[] {
  const toks: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (src.startsWith('--', i)) {
      const lvl = longBracketLevel(src, i + 2);
      if (lvl >= 0) {
        const close = ']' + '='.repeat(lvl) + ']';
        const end = src.indexOf(close, i + 4 + lvl);
        i = end < 0 ? src.length : end + close.length;
      } else {
        const nl = src.indexOf('\n', i);
        i = nl < 0 ? src.length : nl + 1;
      }
    } else if (c === '"' || c === "'") {
      const { value, end } = readQuoted(src, i);
      toks.push({ kind: 'string', value });
      i = end;
    } else if (longBracketLevel(src, i) >= 0) {
      const lvl = longBracketLevel(src, i);
      const close = ']' + '='.repeat(lvl) + ']';
      let start = i + lvl + 2;
      // Lua drops a newline right after the opening bracket.
      if (src[start] === '\r') start++;
      if (src[start] === '\n') start++;
      const end = src.indexOf(close, start);
      if (end < 0) throw new Error(`unfinished long string at offset ${i}`);
      toks.push({ kind: 'string', value: src.slice(start, end) });
      i = end + close.length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i, i + 200))!;
      toks.push({ kind: 'name', value: m[0] });
      i += m[0].length;
    } else if (src.startsWith('..', i) && src[i + 2] !== '.') {
      toks.push({ kind: 'punct', value: '..' });
      i += 2;
    } else {
      toks.push({ kind: 'punct', value: c });
      i++;
    }
  }
  return toks;
}

/**
 * Parses the `dialogId("id", "font", "english")` / `dialogStr("translation")` calls of a Fish Fillets dialog file.
 * Arguments may span lines and be concatenations (`"a" .. "b"`) of quoted or long-bracket strings with Lua escapes.
 * Other code in the file is ignored. A dialogStr applies to the dialogId just before it.
 */
export function parseLuaDialogs(src: string): DialogLine[] {
  const toks = tokenize(src.replace(/^\uFEFF/, ''));
  const lines: DialogLine[] = [];
  // Reads `( str [.. str]* , ... )` at k; returns the string arguments, or null when an argument is not a string.
  const readArgs = (k: number): { args: string[]; end: number } | null => {
    if (toks[k]?.kind !== 'punct' || toks[k]!.value !== '(') return null;
    const args: string[] = [];
    let j = k + 1;
    if (toks[j]?.value === ')') return { args, end: j + 1 };
    for (;;) {
      let s = '';
      for (;;) {
        const t = toks[j];
        if (t?.kind !== 'string') return null;
        s += t.value;
        j++;
        if (toks[j]?.kind === 'punct' && toks[j]!.value === '..') j++;
        else break;
      }
      // the inner loop returns unless it read at least one string
      args.push(s);
      const t = toks[j];
      if (t?.kind === 'punct' && t.value === ',') j++;
      else if (t?.kind === 'punct' && t.value === ')') return { args, end: j + 1 };
      else return null;
    }
  };
  for (let k = 0; k < toks.length; k++) {
    const t = toks[k]!;
    if (t.kind !== 'name' || (t.value !== 'dialogId' && t.value !== 'dialogStr')) continue;
    const r = readArgs(k + 1);
    if (!r) continue;
    if (t.value === 'dialogId' && r.args.length >= 1) {
      lines.push({ id: r.args[0]!, font: r.args[1] ?? '', english: r.args[2] ?? '', translated: null });
    } else if (t.value === 'dialogStr' && lines.length > 0 && r.args.length >= 1) {
      lines[lines.length - 1]!.translated = r.args[0]!;
    }
    k = r.end - 1;
  }
  return lines;
}

export type DropReason = 'no-text' | 'digits' | 'short';

/**
 * Why a line cannot be a test clip, or null when it can: no words after normalisation (grunts, sound effects),
 * digits in the text (their spoken form is unknown: the "virus" lines are hex dumps), or under MIN_DURATION_S.
 */
export function dropReason(rawText: string, durationS: number): DropReason | null {
  if (normalizeText(rawText) === '') return 'no-text';
  if (/\d/.test(rawText)) return 'digits';
  if (!(durationS >= MIN_DURATION_S)) return 'short';
  return null;
}

/** FNV-1a, for a split that depends only on the level's name. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/**
 * Halves by level folder: levels in the order of a hash of their name, each to the half with fewer clips so far
 * (ties to calibration). Deterministic, keeps every level whole, and balances clip counts.
 */
export function splitLevels(clipsPerLevel: Map<string, number>): Map<string, RealHalf> {
  const order = [...clipsPerLevel.keys()].sort((a, b) => fnv1a(a) - fnv1a(b) || (a < b ? -1 : 1));
  const n = { calibration: 0, heldout: 0 };
  const out = new Map<string, RealHalf>();
  for (const level of order) {
    const half: RealHalf = n.calibration <= n.heldout ? 'calibration' : 'heldout';
    out.set(level, half);
    n[half] += clipsPerLevel.get(level)!;
  }
  return out;
}

/** Scales a decoded signal down so its peak is at most PEAK_LIMIT; returns the gain applied in dB (0 if none). */
export function limitPeak(x: Float32Array): number {
  let peak = 0;
  for (let i = 0; i < x.length; i++) peak = Math.max(peak, Math.abs(x[i]!));
  if (peak <= PEAK_LIMIT) return 0;
  const g = PEAK_LIMIT / peak;
  for (let i = 0; i < x.length; i++) x[i] = x[i]! * g;
  return 20 * Math.log10(g);
}

function decode16kMono(file: string): Float32Array {
  // Raw G.722 has no container for ffmpeg to recognise.
  const input = file.endsWith('.g722') ? ['-f', 'g722', '-i', file] : ['-i', file];
  const r = spawnSync(
    'ffmpeg',
    ['-v', 'error', '-nostdin', ...input, '-ac', '1', '-ar', String(SAMPLE_RATE), '-f', 'f32le', '-'],
    {
      maxBuffer: 1 << 28,
    },
  );
  if (r.status !== 0) throw new Error(`ffmpeg failed on ${file}: ${r.stderr.toString().trim()}`);
  const b = r.stdout;
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + (b.length & ~3)));
}

function dpkgVersion(pkg: string): string {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Version}', pkg], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : 'not installed';
}

function copyrightSummary(pkg: string, filesPattern?: string): string {
  const f = `/usr/share/doc/${pkg}/copyright`;
  if (!existsSync(f)) return '(no copyright file)';
  const text = readFileSync(f, 'utf8');
  if (filesPattern) {
    // The licence of one Files: stanza of a machine-readable copyright file.
    const stanza = text
      .split(/\n\s*\n/)
      .find((b) => b.split('\n').some((l) => l.startsWith('Files:') && l.includes(filesPattern)));
    const lic = stanza && /^License:\s*(.+)$/m.exec(stanza);
    if (lic) return `${lic[1]!.trim()} (files ${filesPattern}; see ${f})`;
  }
  // Machine-readable copyright files name licences in License: fields; older ones only quote the GPL's preamble.
  const lic = text
    .split('\n')
    .filter((l) => /^License:/.test(l))
    .map((l) => l.replace(/^License:\s*/, '').trim());
  if (lic.length) return [...new Set(lic)].join(', ');
  const gpl = /GNU General Public License[^.]*?version (\d)/i.exec(text.replace(/\s+/g, ' '));
  return gpl ? `GPL-${gpl[1]} (see ${f})` : `see ${f}`;
}

interface Candidate {
  level: string;
  id: string;
  file: string;
  rawText: string;
  /** What is said when the source writes symbols or digits ("press 1 or #" → "press one or pound"). */
  spoken?: string;
  english: string;
  speaker: string;
  source: string;
  lang: string;
}

const LANG_PKG: Record<string, string> = { en: 'fillets-ng-data', cs: 'fillets-ng-data-cs', nl: 'fillets-ng-data-nl' };

function filletsCandidates(lang: string, log: (s: string) => void): { cands: Candidate[]; noText: string[] } {
  const soundRoot = path.join(FILLETS_ROOT, 'sound');
  const scripts = new Map<string, Map<string, DialogLine>>();
  const dialogsOf = (level: string): Map<string, DialogLine> => {
    let m = scripts.get(level);
    if (!m) {
      m = new Map();
      const f = path.join(FILLETS_ROOT, 'script', level, `dialogs_${lang}.lua`);
      if (existsSync(f)) for (const d of parseLuaDialogs(readFileSync(f, 'utf8'))) m.set(d.id, d);
      scripts.set(level, m);
    }
    return m;
  };
  const levels = readdirSync(path.join(FILLETS_ROOT, 'script')).sort();
  const cands: Candidate[] = [];
  const noText: string[] = [];
  for (const level of readdirSync(soundRoot).sort()) {
    const dir = path.join(soundRoot, level, lang);
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir)
      .filter((x) => x.endsWith('.ogg'))
      .sort()) {
      const id = f.slice(0, -4);
      // A level's sounds are voiced from its own script; a few levels reuse another level's lines.
      let d = dialogsOf(level).get(id);
      if (!d) for (const l of levels) if ((d = dialogsOf(l).get(id))) break;
      if (!d) {
        noText.push(`${level}/${id}`);
        continue;
      }
      const rawText = lang === 'en' ? d.english : (d.translated ?? '');
      cands.push({
        level,
        id,
        file: path.join(dir, f),
        rawText,
        english: d.english,
        speaker: d.font.replace(/^font_/, '') || 'unknown',
        source: LANG_PKG[lang]!,
        lang,
      });
    }
  }
  log(`${cands.length + noText.length} ${lang} sound files, ${noText.length} without a dialog line`);
  return { cands, noText };
}

/** The English channel prompts of alsa-utils ("Front_Center.wav" says "front center"); Noise.wav is not speech. */
function alsaCandidates(): Candidate[] {
  if (!existsSync(ALSA_SOUNDS)) return [];
  return readdirSync(ALSA_SOUNDS)
    .filter((f) => f.endsWith('.wav') && f !== 'Noise.wav')
    .sort()
    .map((f) => {
      const text = f.slice(0, -4).replace(/_/g, ' ');
      return {
        level: 'alsa',
        id: f.slice(0, -4),
        file: path.join(ALSA_SOUNDS, f),
        rawText: text,
        english: text,
        speaker: 'alsa',
        source: 'alsa-utils',
        lang: 'en',
      };
    });
}

/** Hedgewars' English voice packs; files without a line name come back with empty text (dropped as no-text). */
function hedgewarsCandidates(): Candidate[] {
  const out: Candidate[] = [];
  for (const pack of HEDGEWARS_PACKS) {
    const dir = path.join(HEDGEWARS_VOICES, pack);
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir)
      .filter((x) => x.endsWith('.ogg'))
      .sort()) {
      const name = f.slice(0, -4);
      const text = HEDGEWARS_LINES[name] ?? '';
      out.push({
        level: `hedgewars-${pack}`,
        id: name,
        file: path.join(dir, f),
        rawText: text,
        english: text,
        speaker: `hedgewars-${pack}`,
        source: 'hedgewars-data',
        lang: 'en',
      });
    }
  }
  return out;
}

function main(): void {
  const args = process.argv.slice(2);
  const opt = (name: string, def: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 && args[i + 1] ? args[i + 1]! : def;
  };
  const lang = opt('lang', 'cs');
  const outDir = path.resolve(opt('out', 'data/real'));
  const pkg = LANG_PKG[lang];
  if (!pkg) throw new Error(`--lang must be one of ${Object.keys(LANG_PKG).join(', ')}`);
  const log = (s: string) => console.log(s);
  const reqs: Requirement[] = [
    { pkg, probe: lang === 'en' ? path.join(FILLETS_ROOT, 'script') : path.join(FILLETS_ROOT, 'sound', 'aztec', lang) },
    { pkg: 'ffmpeg', probe: 'ffmpeg' },
    { pkg: 'alsa-utils', probe: path.join(ALSA_SOUNDS, 'Front_Center.wav'), optional: true },
    ...ASTERISK_PACKAGES.map((p) => ({ pkg: p, probe: p.endsWith('g722') ? ASTERISK_SOUNDS : ASTERISK_TEXT })),
  ];
  const withHedgewars = !args.includes('--no-hedgewars');
  if (withHedgewars) reqs.push({ pkg: 'hedgewars-data', probe: path.join(HEDGEWARS_VOICES, 'Default', 'Hello.ogg') });
  ensurePackages(false, log, reqs);

  const { cands, noText } = filletsCandidates(lang, log);
  cands.push(...alsaCandidates());
  // The English part of the set: one professional human voice reading 560 telephone prompts (scripts/corpus/asterisk.ts).
  const prompts = asteriskPrompts();
  cands.push(
    ...prompts.map((p) => ({
      level: 'asterisk',
      id: p.name.replace(/\//g, '__'),
      file: p.file,
      rawText: p.rawText,
      spoken: p.text,
      english: p.rawText,
      speaker: 'allison',
      source: 'asterisk-core-sounds-en-g722',
      lang: 'en',
    })),
  );
  log(`asterisk: ${prompts.length} English prompts with text and audio`);
  if (withHedgewars) cands.push(...hedgewarsCandidates());
  const drops: Record<string, string[]> = {
    'no-dialog-line': noText,
    'no-text': [],
    digits: [],
    short: [],
    duplicate: [],
  };
  const seen = new Map<string, string>();
  const kept: Array<Candidate & { samples: Float32Array; gainDb: number }> = [];
  for (const c of cands) {
    const key = `${c.level}/${c.id}`;
    if (normalizeText(c.spoken ?? c.rawText) === '') {
      drops['no-text']!.push(key);
      continue;
    }
    // Some levels ship the same recording again; a copy must not sit in both halves.
    const hash = createHash('sha1').update(readFileSync(c.file)).digest('hex');
    const first = seen.get(hash);
    if (first) {
      drops.duplicate!.push(`${key} (= ${first})`);
      continue;
    }
    seen.set(hash, key);
    const samples = decode16kMono(c.file);
    const why = dropReason(c.spoken ?? c.rawText, samples.length / SAMPLE_RATE);
    if (why) {
      drops[why]!.push(key);
      continue;
    }
    kept.push({ ...c, samples, gainDb: limitPeak(samples) });
  }

  // Each source is halved on its own (levels for Fish Fillets, voice packs, i.e. actors, for Hedgewars), so adding
  // one source never moves the clips of another between halves.
  const perLevel = new Map<string, number>();
  // The English prompt voices (alsa, asterisk) are never calibrated on: the detector meets them only when scored.
  const heldOutSources = new Set(['alsa', 'asterisk']);
  const perPack = new Map<string, number>();
  for (const k of kept) {
    const m = k.source === 'hedgewars-data' ? perPack : heldOutSources.has(k.level) ? null : perLevel;
    m?.set(k.level, (m.get(k.level) ?? 0) + 1);
  }
  const halves = new Map([...splitLevels(perLevel), ...splitLevels(perPack)]);
  const records: RealManifestRecord[] = [];
  for (const k of kept) {
    const rel = `clips/${k.level}/${k.id}.wav`;
    mkdirSync(path.join(outDir, 'clips', k.level), { recursive: true });
    writeFileSync(path.join(outDir, rel), encodeWav(k.samples, SAMPLE_RATE));
    records.push({
      id: `${k.level}__${k.id}`,
      path: rel,
      text: normalizeText(k.spoken ?? k.rawText),
      rawText: k.rawText,
      english: k.english,
      speaker: k.speaker,
      split: 'real',
      half: heldOutSources.has(k.level) ? 'heldout' : halves.get(k.level)!,
      level: k.level,
      lang: k.lang,
      source: k.source,
      duration: Number((k.samples.length / SAMPLE_RATE).toFixed(4)),
      gainDb: Number(k.gainDb.toFixed(2)),
    });
  }
  writeFileSync(path.join(outDir, 'manifest.jsonl'), records.map((r) => JSON.stringify(r)).join('\n') + '\n');

  const total = records.reduce((s, r) => s + r.duration, 0);
  const speakers = new Set(records.map((r) => r.speaker));
  const byHalf = (h: RealHalf) => records.filter((r) => r.half === h);
  const summary = [
    `${records.length} clips, ${(total / 60).toFixed(1)} min, ${speakers.size} speakers (on-screen characters / voice packs / prompt voices), ` +
      `${perLevel.size} Fish Fillets levels, ${perPack.size} Hedgewars packs, ${[...heldOutSources].join(', ')}`,
    ...[...new Set(records.map((r) => r.source))].map((src) => {
      const rs = records.filter((r) => r.source === src);
      return `${src}: ${rs.length} clips, ${(rs.reduce((a, r) => a + r.duration, 0) / 60).toFixed(1)} min, ${new Set(rs.map((r) => r.speaker)).size} speakers, language ${[...new Set(rs.map((r) => r.lang))].join('/')}`;
    }),
    `calibration: ${byHalf('calibration').length} clips from ${[...halves].filter(([, h]) => h === 'calibration').map(([l]) => l).length} levels/packs; ` +
      `heldout: ${byHalf('heldout').length} clips from ${[...halves].filter(([, h]) => h === 'heldout').length} levels/packs + ${[...heldOutSources].join(' + ')}`,
    `Hedgewars halves: ${[...splitLevels(perPack)].map(([l, h]) => `${l.replace('hedgewars-', '')} → ${h}`).join(', ')}`,
    `dropped: ${Object.entries(drops)
      .map(([k, v]) => `${k} ${v.length}`)
      .join(', ')}`,
    `peak-limited (float decode above ${PEAK_LIMIT}): ${records.filter((r) => r.gainDb < 0).length} clips, ` +
      `down to ${Math.min(0, ...records.map((r) => r.gainDb)).toFixed(2)} dB`,
  ];
  summary.forEach(log);

  const source = `# data/real: real human speech (generated, not committed)

Made by \`npm run corpus:real${args.length ? ' -- ' + args.join(' ') : ''}\` on ${new Date().toISOString()}.

- **${pkg} ${dpkgVersion(pkg)}** (Debian): acted dialogue of the game Fish Fillets NG, language \`${lang}\`, from
  \`${FILLETS_ROOT}/sound/<level>/${lang}/<id>.ogg\` with text from \`script/<level>/dialogs_${lang}.lua\`.
  Licence (from /usr/share/doc/${pkg}/copyright): ${copyrightSummary(pkg)}.
${
  withHedgewars
    ? `- **hedgewars-data ${dpkgVersion('hedgewars-data')}** (Debian): English voice packs of the game Hedgewars
  (${HEDGEWARS_PACKS.join(', ')}; one actor each) in \`${HEDGEWARS_VOICES}/<pack>/<Line>.ogg\`; the text is the line's
  name (HEDGEWARS_LINES in scripts/corpus/real.ts), as acted, not a checked transcript.
  Licence: ${copyrightSummary('hedgewars-data', 'Data/Sounds/*')}.
`
    : ''
}- **alsa-utils ${dpkgVersion('alsa-utils')}** (Debian): the English channel prompts in \`${ALSA_SOUNDS}\` (Noise.wav left out).
  Licence: ${copyrightSummary('alsa-utils')}.
- **asterisk-core-sounds-en-g722 ${dpkgVersion('asterisk-core-sounds-en-g722')}** (Debian): the Asterisk PBX core prompts read by
  Allison Smith (US English, 16 kHz G.722), text from \`${ASTERISK_TEXT}\` with digits and \`*\`/\`#\` spelled as spoken.
  Licence: ${copyrightSummary('asterisk-core-sounds-en-g722')}.

Decoded with ffmpeg ${dpkgVersion('ffmpeg')} to float, 16 kHz mono, peaks above ${PEAK_LIMIT} scaled down (\`gainDb\`),
16-bit PCM. \`text\` is \`normalizeText(rawText)\`; \`speaker\` is the on-screen character (the dialog's font).
\`half\` splits each source by folder (Fish Fillets level, Hedgewars voice pack) into calibration / heldout; the alsa
and asterisk prompts are always held out.

${summary.map((s) => `- ${s}`).join('\n')}

Dropped lines: ${Object.entries(drops)
    .map(([k, v]) => `${k}: ${v.length}${v.length ? ` (${v.slice(0, 8).join(', ')}${v.length > 8 ? ', …' : ''})` : ''}`)
    .join('; ')}.
`;
  writeFileSync(path.join(outDir, 'SOURCE.md'), source);
  log(`wrote ${path.join(outDir, 'manifest.jsonl')} and SOURCE.md`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
