/** The models `npm run protect` runs, loaded from disk the way the app's worker loads them from its origin. */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDomainCalibration } from '../../src/core/domain';
import { Evaluators } from '../../src/core/ml/evaluators';
import { decoderSettings, type ModelJson } from '../../src/core/ml/weights';
import { readModelDir } from '../../src/core/node/io';
import type { ModelId } from './report';

/** Path plus a hash of the weight files named in model.json, so a report says exactly which weights ran. */
export function modelId(dir: string): ModelId {
  const json = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8')) as {
    weightsManifest: { paths: string[] }[];
  };
  const h = createHash('sha256');
  for (const p of json.weightsManifest.flatMap((g) => g.paths)) h.update(readFileSync(path.join(dir, p)));
  return { path: dir, sha256: h.digest('hex').slice(0, 16) };
}

export interface LoadedEvaluators {
  evaluators: Evaluators;
  ser: ModelId;
  asr: ModelId;
  /** how transcripts are decoded, in words */
  decoder: string;
}

/**
 * SER and ASR from `<dir>/ser` and `<dir>/asr`, with the word list and n-gram LM the ASR's model.json names, exactly
 * as the app's worker hands them to Evaluators.load (so transcripts match the app's). Without a word list the
 * transcripts are greedy, and `decoder` says so.
 */
export async function loadShippedEvaluators(dir: string): Promise<LoadedEvaluators> {
  for (const m of ['ser', 'asr']) {
    if (!existsSync(path.join(dir, m, 'model.json')))
      throw new Error(
        `No ${m.toUpperCase()} at ${path.join(dir, m)} (model.json missing); pass --evaluators <dir with ser/ and asr/>`,
      );
  }
  const serArt = await readModelDir(path.join(dir, 'ser'));
  const asrArt = await readModelDir(path.join(dir, 'asr'));
  const dec = decoderSettings(asrArt.modelJson as ModelJson);
  const wordsFile = dec.lexicon ? path.join(dir, 'asr', dec.lexicon) : null;
  const words =
    wordsFile && existsSync(wordsFile)
      ? readFileSync(wordsFile, 'utf8')
          .split('\n')
          .filter((w) => w)
      : null;
  const lmFile = words && dec.lm ? path.join(dir, 'asr', dec.lm) : null;
  const lm = lmFile && existsSync(lmFile) ? new Uint8Array(readFileSync(lmFile)) : null;
  // The out-of-domain calibration belongs to these weights (npm run eval:domain); without it there is no verdict.
  const domainFile = path.join(dir, 'domain.json');
  const domain = existsSync(domainFile) ? parseDomainCalibration(JSON.parse(readFileSync(domainFile, 'utf8'))) : null;
  const evaluators = await Evaluators.load({ ser: serArt, asr: asrArt, words, lm, domain });
  const lmInfo = evaluators.languageModel;
  const decoder = words
    ? `beam search (width ${dec.beamWidth}) over a ${words.length}-word lexicon` +
      (lmInfo
        ? ` with a ${lmInfo.order}-gram LM (weight ${dec.lmWeight}, word bonus ${dec.wordBonus}), as in the app`
        : ', no LM, as in the app')
    : 'greedy CTC (no word list shipped)';
  return { evaluators, ser: modelId(path.join(dir, 'ser')), asr: modelId(path.join(dir, 'asr')), decoder };
}
