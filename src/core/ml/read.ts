/** The frozen evaluators as the evaluation pipeline's reader (src/core/evaluation.ts), batched for Node. */
import { EMOTIONS } from '../data/emotions';
import type { Reading } from '../evaluation';
import type { AsrModel, SerModel } from './models';
import { argmax, predictAsr, predictSer, type DecodeOptions } from './predict';

export interface ScoreModels {
  ser: SerModel;
  asr: AsrModel;
  /** Lexicon beam search (stronger reader) in addition to greedy decoding, when given. */
  beam?: DecodeOptions | null;
}

export function modelReader(models: ScoreModels): (waves: Float32Array[]) => Promise<Reading[]> {
  return async (waves) => {
    const probs = await predictSer(models.ser, waves);
    const asr = await predictAsr(models.asr, waves, models.beam ? { beam: true, ...models.beam } : {});
    return waves.map((_, i) => ({
      predicted: EMOTIONS[argmax(probs[i]!)]!,
      probabilities: Array.from(probs[i]!),
      greedy: asr[i]!.greedy,
      beam: models.beam ? (asr[i]!.beam ?? '') : null,
    }));
  };
}
