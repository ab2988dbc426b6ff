/**
 * Sentence source for the synthetic corpus: usage examples from Debian's wordnet-base (Princeton WordNet 3.0 glosses,
 * the "quoted" examples after the definition). Only clean, natural sentences survive the filter, so every transcript
 * is in the ASR alphabet (a–z, apostrophe, space) and every TTS engine reads the text as written.
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

export const WORDNET_DIR = '/usr/share/wordnet';
const DATA_FILES = ['data.noun', 'data.verb', 'data.adj', 'data.adv'];

export interface Sentence {
  /** What the TTS engine reads: the example as written, first letter capitalised, final punctuation kept or added. */
  tts: string;
  /** The transcript: lower case, letters, apostrophes and single spaces only. */
  text: string;
  words: number;
}

/** Lower-case and keep only the ASR alphabet. Hyphens never reach here (rejected earlier). */
export function transcriptOf(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z' ]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

// Words that look lower-case-normal but are read badly or are not English prose in the examples.
const BAD_TOKEN = /^(?:etc|vs|cf|ie|eg|e\.g|i\.e|mr|mrs|dr|st|ok)$/;

/**
 * Returns the cleaned sentence or null. Rules (each one removes a family of bad examples seen in WordNet):
 * 3–12 words; plain ASCII letters with inner apostrophes; punctuation limited to , ; : . ? ! at word ends;
 * no digits, hyphens, quotes, brackets or slashes; no capitalised word except a sentence-initial one and the pronoun I
 * (so no proper nouns, acronyms or titles); no single letters other than "a" and "I"; no '' or leading/trailing ' .
 */
export function cleanExample(raw: string): Sentence | null {
  const s = raw.trim().replace(/\s+/g, ' ');
  if (!s || /[0-9"()[\]{}/\\&*+=<>#@$%^_~|`-]/.test(s)) return null;
  if (/[^A-Za-z' ,;:.?!]/.test(s)) return null; // non-ASCII letters, other symbols
  if (/\.\.|[,;:.?!][A-Za-z']/.test(s)) return null; // ellipses, abbreviations like u.s., missing spaces
  const tokens = s.split(' ');
  if (tokens.length < 3 || tokens.length > 12) return null;
  for (let i = 0; i < tokens.length; i++) {
    const last = i === tokens.length - 1;
    const m = /^([A-Za-z']+)([,;:.?!]?)$/.exec(tokens[i]!);
    if (!m) return null;
    const [, word, punct] = m as unknown as [string, string, string];
    if (punct && /[.?!]/.test(punct) && !last) return null; // two sentences in one example
    if (word.startsWith("'") || word.endsWith("'") || word.includes("''")) return null;
    if (/[A-Z]/.test(word)) {
      const initialCap = i === 0 && /^[A-Z][a-z']*$/.test(word);
      if (!(word === 'I' || /^I'(?:m|ve|ll|d)$/.test(word) || initialCap)) return null;
    }
    const lower = word.toLowerCase();
    if (lower.length === 1 && lower !== 'a' && lower !== 'i') return null;
    if (BAD_TOKEN.test(lower)) return null;
    if (!/[aeiouy]/.test(lower)) return null; // "hmm", "tsk", acronyms read letter by letter
  }
  const text = transcriptOf(s);
  const words = text.split(' ').length;
  if (words < 3 || words > 12) return null;
  let tts = s.charAt(0).toUpperCase() + s.slice(1);
  tts = tts.replace(/[,;:]$/, '');
  if (!/[.?!]$/.test(tts)) tts += '.';
  return { tts, text, words };
}

/** Every quoted example in a WordNet data file line (after the '|' that starts the gloss). */
export function examplesInDataLine(line: string): string[] {
  const bar = line.indexOf(' | ');
  if (bar < 0) return [];
  const gloss = line.slice(bar + 3);
  const out: string[] = [];
  for (const m of gloss.matchAll(/"([^"]+)"/g)) out.push(m[1]!);
  return out;
}

// Closed-class words: WordNet has no entries for them, so familiarity is not looked up.
const FUNCTION_WORDS = new Set(
  (
    'a an the this that these those some any no every each all both either neither few many much more most other ' +
    'another such what which who whom whose whatever whoever i me my mine myself you your yours yourself ' +
    'yourselves he him his himself she her hers herself it its itself we us our ours ourselves they them their ' +
    'theirs themselves one ones and or but nor so yet if then than because though although while when whenever ' +
    'where wherever why how as until unless since whether of in on at by for with without within about against ' +
    'between into through during before after above below to from up down out off over under again further once ' +
    'here there not very too can could will would shall should may might must do does did done doing be am is are ' +
    "was were been being have has had having let's i'm i've i'll i'd you're you've you'll you'd he's she's it's " +
    "we're we've we'll they're they've they'll isn't aren't wasn't weren't don't doesn't didn't can't couldn't " +
    "won't wouldn't shouldn't hasn't haven't hadn't that's there's what's who's upon onto toward towards across " +
    'along around behind beside besides beyond near among amongst per via'
  ).split(' '),
);

// Finite-verb cues: an auxiliary, modal or contraction makes an example a clause rather than a noun phrase.
const AUX = new Set(
  (
    'is are was were am be been being has have had do does did will would shall should can could may might must ' +
    "let's i'm i've i'll i'd you're you've you'll you'd he's she's it's we're we've we'll they're they've they'll " +
    "isn't aren't wasn't weren't don't doesn't didn't can't couldn't won't wouldn't shouldn't hasn't haven't hadn't " +
    "that's there's what's who's"
  ).split(' '),
);
const SUBJECTS = new Set('i you he she it we they'.split(' '));

export interface Lexicon {
  /** SemCor tag count per lemma (summed over senses): a proxy for how familiar a word is. */
  familiarity: Map<string, number>;
  /** Irregular inflections to lemma (WordNet *.exc). */
  exceptions: Map<string, string[]>;
  /** Verb lemmas and their irregular past forms: evidence that a token can be a finite verb. */
  verbLemmas: Set<string>;
  verbPast: Set<string>;
}

export function loadLexicon(dir = WORDNET_DIR): Lexicon {
  const familiarity = new Map<string, number>();
  for (const line of readFileSync(join(dir, 'cntlist.rev'), 'latin1').split('\n')) {
    const m = /^([^%]+)%\S+ \d+ (\d+)$/.exec(line);
    if (m) familiarity.set(m[1]!, (familiarity.get(m[1]!) ?? 0) + Number(m[2]));
  }
  const exceptions = new Map<string, string[]>();
  const verbPast = new Set<string>();
  for (const f of ['noun.exc', 'verb.exc', 'adj.exc', 'adv.exc']) {
    for (const line of readFileSync(join(dir, f), 'latin1').split('\n')) {
      const [form, ...lemmas] = line.trim().split(' ');
      if (!form || lemmas.length === 0) continue;
      exceptions.set(form, [...(exceptions.get(form) ?? []), ...lemmas]);
      if (f === 'verb.exc' && !/ing$/.test(form)) verbPast.add(form);
    }
  }
  const verbLemmas = new Set<string>();
  for (const line of readFileSync(join(dir, 'index.verb'), 'latin1').split('\n')) {
    if (line && !line.startsWith(' ')) verbLemmas.add(line.slice(0, line.indexOf(' ')));
  }
  return { familiarity, exceptions, verbLemmas, verbPast };
}

/** Candidate lemmas of an inflected word (a small morphy: exceptions, then regular suffix rules). */
function lemmas(word: string, lex: Lexicon): string[] {
  const out = [word, ...(lex.exceptions.get(word) ?? [])];
  const w = word.replace(/'s$/, '');
  if (w !== word) out.push(w);
  const rules: Array<[RegExp, string]> = [
    [/ies$/, 'y'],
    [/es$/, ''],
    [/s$/, ''],
    [/ied$/, 'y'],
    [/ed$/, 'e'],
    [/ed$/, ''],
    [/ing$/, 'e'],
    [/ing$/, ''],
    [/([b-df-hj-np-tv-z])\1ed$/, '$1'],
    [/([b-df-hj-np-tv-z])\1ing$/, '$1'],
    [/ier$/, 'y'],
    [/iest$/, 'y'],
    [/er$/, ''],
    [/est$/, ''],
    [/er$/, 'e'],
    [/est$/, 'e'],
    [/ily$/, 'y'],
    [/ly$/, ''],
  ];
  for (const [re, rep] of rules) if (re.test(w)) out.push(w.replace(re, rep));
  return out;
}

/**
 * Keeps examples that read as everyday sentences: a clause (a subject pronoun, an auxiliary, or a verb-like token
 * after the first word) with at least four words, every content word familiar (seen at least `minCount` times in
 * SemCor via WordNet's cntlist), so the TTS voices and the small ASR model meet ordinary vocabulary.
 */
export function isNatural(s: Sentence, lex: Lexicon, minCount = 3): boolean {
  const words = s.text.split(' ');
  if (words.length < 4) return false;
  let clause = false;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (AUX.has(w) || SUBJECTS.has(w)) clause = true;
    if (FUNCTION_WORDS.has(w)) continue;
    const cands = lemmas(w, lex);
    let best = 0;
    for (const c of cands) best = Math.max(best, lex.familiarity.get(c) ?? 0);
    if (best < minCount) return false;
    if (i > 0 && !clause) {
      if (lex.verbPast.has(w) || (/(?:ed|s)$/.test(w) && cands.slice(1).some((c) => lex.verbLemmas.has(c)))) {
        clause = true;
      }
    }
  }
  return clause;
}

/**
 * All clean, distinct (by transcript) WordNet examples, in a stable order (sorted by transcript) so the seeded shuffle
 * downstream is the only source of order.
 */
export function loadWordnetSentences(dir = WORDNET_DIR): Sentence[] {
  const byText = new Map<string, Sentence>();
  for (const f of DATA_FILES) {
    const path = join(dir, f);
    if (!existsSync(path)) throw new Error(`WordNet data file missing: ${path} (apt-get install wordnet-base)`);
    for (const line of readFileSync(path, 'latin1').split('\n')) {
      if (!line || line.startsWith('  ')) continue; // license header lines start with two spaces
      for (const ex of examplesInDataLine(line)) {
        const s = cleanExample(ex);
        if (s && !byText.has(s.text)) byText.set(s.text, s);
      }
    }
  }
  return [...byText.values()].sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
}
