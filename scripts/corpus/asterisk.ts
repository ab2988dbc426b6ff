/**
 * Real English speech with transcripts from Debian: the Asterisk PBX core prompts, recorded by a professional human
 * voice (Allison Smith, US English, CC-BY-SA-3.0), in the 16 kHz wideband G.722 release (`asterisk-core-sounds-en-g722`),
 * with their text in `asterisk-core-sounds-en`'s core-sounds-en.txt. One speaker, calm read prompts: a voice and a
 * recording chain none of our models saw, and English, so an English recognizer's WER means something on it.
 *
 * (Fish Fillets NG ships its spoken dialogue in Czech and Dutch add-ons only; its base package has no English lines.)
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { normalizeText, spellNumbers } from '../../src/core/text/normalize';

export const ASTERISK_SOUNDS = '/usr/share/asterisk/sounds/en_US_f_Allison';
export const ASTERISK_TEXT = '/usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz';
export const ASTERISK_PACKAGES = ['asterisk-core-sounds-en-g722', 'asterisk-core-sounds-en'] as const;

export interface PromptLine {
  /** Path under the sounds folder without extension, e.g. "agent-pass" or "digits/5". */
  name: string;
  text: string;
}

/**
 * Parses core-sounds-en.txt (`name: text`, `;` comments). Lines whose text is only a bracketed description
 * ("[this is a simple beep tone]") are not speech and are dropped; bracketed asides inside a line are removed.
 */
export function parsePromptList(src: string): PromptLine[] {
  const out: PromptLine[] = [];
  for (const raw of src.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith(';')) continue;
    const m = /^([A-Za-z0-9_\-/.]+):\s*(.*)$/.exec(line);
    if (!m) continue;
    const text = m[2]!
      .replace(/\[[^\]]*\]/g, ' ')
      .replace(/\s+/g, ' ')
      .trim();
    if (text) out.push({ name: m[1]!, text });
  }
  return out;
}

/** What the speaker says for the symbols the prompts write ("press * or #"), then numbers spelled out. */
export function spokenText(text: string): string {
  return normalizeText(spellNumbers(text.replace(/\*/g, ' star ').replace(/#/g, ' pound ')));
}

/** Every prompt with both a transcript and a G.722 recording. */
export function asteriskPrompts(): { name: string; file: string; rawText: string; text: string }[] {
  if (!existsSync(ASTERISK_TEXT) || !existsSync(ASTERISK_SOUNDS)) return [];
  const lines = parsePromptList(gunzipSync(readFileSync(ASTERISK_TEXT)).toString('utf8'));
  const present = new Set<string>();
  const walk = (dir: string, rel: string) => {
    for (const n of readdirSync(dir, { withFileTypes: true })) {
      if (n.isDirectory()) walk(path.join(dir, n.name), rel ? `${rel}/${n.name}` : n.name);
      else if (n.name.endsWith('.g722')) present.add(`${rel ? `${rel}/` : ''}${n.name.slice(0, -5)}`);
    }
  };
  walk(ASTERISK_SOUNDS, '');
  return lines
    .filter((l) => present.has(l.name))
    .map((l) => ({
      name: l.name,
      file: path.join(ASTERISK_SOUNDS, `${l.name}.g722`),
      rawText: l.text,
      text: spokenText(l.text),
    }))
    .filter((l) => l.text.length > 0);
}
