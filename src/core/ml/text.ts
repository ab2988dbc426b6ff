/** ASR alphabet and the one text normalisation used for labels and for scoring (docs/architecture.md). */

/** Index 0 = CTC blank, then space, apostrophe, a–z. */
export const BLANK = 0;
export const ALPHABET: readonly string[] = ['', ' ', "'", ...'abcdefghijklmnopqrstuvwxyz'.split('')];
export const VOCAB_SIZE = ALPHABET.length; // 29

const CHAR_TO_ID = new Map<string, number>(ALPHABET.map((c, i) => [c, i] as [string, number]).slice(1));

/**
 * Lower-case; curly apostrophes become "'"; hyphens, slashes and underscores separate words; every other
 * character outside [a-z' ] is removed; whitespace collapses to single spaces; stray apostrophes are trimmed.
 */
export function normalizeText(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u2018\u2019\u02bc`]/g, "'")
    .replace(/[-_/\\\s]+/g, ' ')
    .replace(/[^a-z' ]/g, '')
    .split(' ')
    .map((w) => w.replace(/^'+|'+$/g, ''))
    .filter((w) => w.length > 0)
    .join(' ');
}

/** Label ids (no blanks) of a text, normalised first. */
export function encodeText(text: string): number[] {
  const out: number[] = [];
  for (const ch of normalizeText(text)) {
    const id = CHAR_TO_ID.get(ch);
    if (id !== undefined) out.push(id);
  }
  return out;
}

export function decodeIds(ids: ArrayLike<number>): string {
  let s = '';
  for (let i = 0; i < ids.length; i++) if (ids[i] !== BLANK) s += ALPHABET[ids[i]] ?? '';
  return s;
}
