/**
 * npm run train:lm -- [--asr public/models/asr] [--manifest data/corpus/manifest.jsonl] [--order 3]
 *                     [--text examples|examples+glosses] [--min-counts 1,2] [--lm-weights 0.4,0.7,1]
 *                     [--word-bonuses 0,1,2,3] [--beam-widths 16,32] [--val-limit N] [--share-lm <lm.bin>] [--dry]
 *
 * Builds the word n-gram language model of the ASR's beam search and chooses its decoder settings on `val`:
 *  1. LM text: every WordNet 3.0 usage example (and, with --text examples+glosses, the definitions), lower-cased to
 *     the ASR alphabet. The corpus sentences come from the same examples, so every example that is a held-out
 *     sentence (val, test, test_speaker), contains one, or shares a run of 5 words with one is dropped first:
 *     the LM has never read a sentence the ASR is scored on, nor the one it is tuned on.
 *  2. Interpolated Kneser–Ney (src/core/text/lm.ts), with count cut-offs to keep the file small for the browser.
 *  3. A grid over LM weight × word bonus × beam width, decoded on val only; the best val WER wins.
 * Writes <asr>/lm.bin and records the LM and decoder settings in <asr>/model.json (trainedWith.decoder, and the
 * val metrics they reached in metrics.val), which every evaluator CLI and the browser read. --dry prints the grid without writing.
 * --share-lm points model.json at an existing LM file instead of writing a copy (a second ASR decoding with the same
 * LM); it must hold exactly the LM these flags build, so the recorded LM statistics stay true.
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Lexicon } from '../src/core/text/decoders';
import { NgramLm } from '../src/core/text/lm';
import { asrMetrics, type AsrMetrics } from '../src/core/ml/train';
import { asrLogProbs, decodeAsr } from '../src/core/ml/predict';
import { modelFromArtifacts } from '../src/core/ml/weights';
import { readModelDir, writeAtomic } from '../src/core/node/io';
import { initTf } from '../src/core/node/tf';
import { numberList, parseFlags, stringFlag } from './flags';
import { WORDNET_DIR, examplesInDataLine, transcriptOf } from './corpus/sentences';
import { loadSplit, pct, readManifest } from './evaluators/data';

const DATA_FILES = ['data.noun', 'data.verb', 'data.adj', 'data.adv'];
const OVERLAP_N = 5;

/** WordNet examples (and optionally definitions) as transcripts, in file order. */
function wordnetText(withGlosses: boolean): string[] {
  const out: string[] = [];
  for (const f of DATA_FILES) {
    for (const line of readFileSync(path.join(WORDNET_DIR, f), 'latin1').split('\n')) {
      if (!line || line.startsWith('  ')) continue;
      for (const ex of examplesInDataLine(line)) out.push(transcriptOf(ex));
      if (withGlosses) {
        const bar = line.indexOf(' | ');
        if (bar >= 0)
          for (const part of line
            .slice(bar + 3)
            .replace(/"[^"]*"/g, ' ')
            .split(';'))
            out.push(transcriptOf(part));
      }
    }
  }
  return out.filter((s) => s.includes(' '));
}

const ngrams = (words: string[], n: number): string[] =>
  words.length < n
    ? [words.join(' ')]
    : Array.from({ length: words.length - n + 1 }, (_, i) => words.slice(i, i + n).join(' '));

/** Drops every text line that is, contains, or shares a 5-word run with a held-out sentence. */
export function withoutHeldOut(lines: string[], heldOut: string[]): { kept: string[]; dropped: number } {
  const grams = new Set(heldOut.flatMap((s) => ngrams(s.split(' '), OVERLAP_N)));
  const whole = new Set(heldOut);
  const kept: string[] = [];
  let dropped = 0;
  for (const l of lines) {
    const w = l.split(' ');
    // a held-out sentence shorter than 5 words is matched whole, as a word-bounded substring
    const hit =
      whole.has(l) ||
      ngrams(w, OVERLAP_N).some((g) => grams.has(g)) ||
      heldOut.some((h) => h.split(' ').length < OVERLAP_N && ` ${l} `.includes(` ${h} `));
    if (hit) dropped++;
    else kept.push(l);
  }
  return { kept, dropped };
}

async function main(): Promise<void> {
  const { flags } = parseFlags(process.argv.slice(2));
  const dir = stringFlag(flags, 'asr') ?? 'public/models/asr';
  const manifest = stringFlag(flags, 'manifest') ?? 'data/corpus/manifest.jsonl';
  const order = Number(stringFlag(flags, 'order') ?? 3);
  const textKind = stringFlag(flags, 'text') ?? 'examples';
  const minCounts = numberList(flags, 'min-counts') ?? [1, 2];
  const lmWeights = numberList(flags, 'lm-weights') ?? [0.4, 0.7, 1.0];
  const wordBonuses = numberList(flags, 'word-bonuses') ?? [0, 1, 2, 3];
  const beamWidths = numberList(flags, 'beam-widths') ?? [16, 32];
  const valLimit = Number(stringFlag(flags, 'val-limit') ?? 0) || null;
  const dry = flags.dry === true;
  const shared = stringFlag(flags, 'share-lm');

  const recs = readManifest(manifest);
  const heldOut = [...new Set(recs.filter((r) => r.split !== 'train').map((r) => r.text))];
  const raw = wordnetText(textKind === 'examples+glosses');
  const { kept, dropped } = withoutHeldOut([...new Set(raw)], heldOut);
  const t0 = Date.now();
  const lm = NgramLm.train(
    kept.map((s) => s.split(' ')),
    { order, minCounts },
  );
  const bytes = lm.toBinary();
  const textInfo = {
    source: `WordNet 3.0 ${textKind} (${WORDNET_DIR})`,
    lines: kept.length,
    droppedHeldOutOverlap: dropped,
    words: kept.reduce((a, s) => a + s.split(' ').length, 0),
  };
  console.log(`LM text: ${JSON.stringify(textInfo)}`);
  console.log(
    `LM: order ${order}, cut-offs ${minCounts.join(',')}, vocabulary ${lm.vocab.length}, n-grams ${lm.sizes.join('/')}, ${(bytes.byteLength / 1e6).toFixed(2)} MB, ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
  if (shared && !Buffer.from(bytes).equals(readFileSync(shared))) {
    throw new Error(`--share-lm ${shared} is not the LM these flags build; rebuild it or drop --share-lm`);
  }

  await initTf('wasm');
  const art = await readModelDir(dir);
  const asr = modelFromArtifacts(art, 'asr');
  const val = loadSplit(manifest, 'val', valLimit);
  const refs = val.map((c) => c.text ?? '');
  const lps = await asrLogProbs(
    asr,
    val.map((c) => c.samples),
  );
  const lexicon = new Lexicon(
    readFileSync(path.join(dir, 'words.txt'), 'utf8')
      .split('\n')
      .filter((w) => w),
  );
  const v = asr.config.vocab;
  const base = asrMetrics(refs, decodeAsr(lps, v, { lexicon, beamWidth: 16, wordBonus: 0, lmWeight: 0 }));
  console.log(
    `val (${val.length} clips): greedy WER ${pct(base.werGreedy)}; lexicon beam without LM ${pct(base.werBeam)}`,
  );
  let best: { beamWidth: number; lmWeight: number; wordBonus: number; m: AsrMetrics } | null = null;
  for (const beamWidth of beamWidths) {
    for (const lmWeight of lmWeights) {
      for (const wordBonus of wordBonuses) {
        const m = asrMetrics(refs, decodeAsr(lps, v, { lexicon, lm, beamWidth, wordBonus, lmWeight }));
        console.log(
          `  beam ${beamWidth} lm weight ${lmWeight} word bonus ${wordBonus}: WER ${pct(m.werBeam)} CER ${pct(m.cerBeam)}`,
        );
        if (!best || (m.werBeam ?? 1) < (best.m.werBeam ?? 1)) best = { beamWidth, lmWeight, wordBonus, m };
      }
    }
  }
  console.log(`best on val: ${JSON.stringify(best)}`);
  if (!dry && best) {
    const lmRef = shared ? path.relative(dir, shared) : 'lm.bin';
    if (!shared) await writeAtomic(path.join(dir, 'lm.bin'), bytes);
    const json = art.modelJson;
    const trainedWith = json.trainedWith;
    const previous = (trainedWith.decoder ?? {}) as Record<string, unknown>;
    trainedWith.decoder = {
      ...previous,
      beamWidth: best.beamWidth,
      wordBonus: best.wordBonus,
      lmWeight: best.lmWeight,
      lm: lmRef,
      lmInfo: { order, minCounts, discount: 0.75, vocabulary: lm.vocab.length, ngrams: lm.sizes, text: textInfo },
      chosenOnVal: best.m,
      command: `npm run train:lm -- ${process.argv.slice(2).join(' ')}`.trim(),
    };
    // the model's val metrics now describe the decoder it ships with
    json.metrics = { ...json.metrics, val: best.m };
    await writeFile(path.join(dir, 'model.json'), JSON.stringify(json, null, 1) + '\n');
    console.log(
      `wrote ${shared ? `a reference to ${shared}` : `${dir}/lm.bin`} and the decoder settings in ${dir}/model.json`,
    );
  }
  asr.dispose();
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : e);
    process.exit(1);
  });
}
