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

const ONES = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];

function numberWords(n: number): string {
  if (n < 20) return ONES[n]!;
  if (n < 100) return TENS[Math.floor(n / 10)]! + (n % 10 ? ` ${ONES[n % 10]}` : '');
  if (n < 1000) return `${ONES[Math.floor(n / 100)]} hundred${n % 100 ? ` ${numberWords(n % 100)}` : ''}`;
  if (n < 1_000_000)
    return `${numberWords(Math.floor(n / 1000))} thousand${n % 1000 ? ` ${numberWords(n % 1000)}` : ''}`;
  return String(n);
}

/**
 * Spells out the digits a general-purpose recognizer writes ("10", "3rd", "50%") before scoring, since references
 * spell numbers and normalizeText would otherwise drop the digits as unknown characters.
 */
export function spellNumbers(text: string): string {
  return text
    .replace(/(\d),(\d{3})\b/g, '$1$2')
    .replace(/(\d+)\s*%/g, '$1 percent')
    .replace(/\b(\d+)(st|nd|rd|th)\b/gi, (_m, d: string) => {
      const w = numberWords(Number(d));
      const irregular: Record<string, string> = {
        one: 'first',
        two: 'second',
        three: 'third',
        five: 'fifth',
        eight: 'eighth',
        nine: 'ninth',
        twelve: 'twelfth',
      };
      const parts = w.split(' ');
      const last = parts.pop()!;
      const ord = irregular[last] ?? (last.endsWith('y') ? `${last.slice(0, -1)}ieth` : `${last}th`);
      return [...parts, ord].join(' ');
    })
    .replace(/\d+/g, (d) => ` ${numberWords(Number(d))} `)
    .replace(/\s+/g, ' ')
    .trim();
}
