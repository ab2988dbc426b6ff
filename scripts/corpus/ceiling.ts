/**
 * npm run corpus -- --ceiling [--dir data/corpus]
 *
 * The prosody oracle's accuracy per split: how well the emotion can be told at best from the settings each clip was
 * rendered with (oracleEmotion), with all cues and without the level and tilt cues. It is the ceiling any SER meets
 * on this corpus, and it shows how hard each split's draws happen to be (so a val–test gap can be read against it).
 */
import { EMOTIONS } from '../../src/core/data/emotions';
import { confusionMatrix, weightedAccuracy } from '../../src/core/metrics/scores';
import { readManifest } from './demo';
import { oracleEmotion, PROSODY_KEYS, type Prosody } from './prosody';

export function ceilingCommand(opts: { dir: string; log: (s: string) => void }): void {
  const recs = readManifest(opts.dir);
  const variants: [string, (keyof Prosody)[]][] = [
    ['all cues', [...PROSODY_KEYS]],
    ['without gain', PROSODY_KEYS.filter((k) => k !== 'gainDb')],
    ['without gain, tilt', PROSODY_KEYS.filter((k) => k !== 'gainDb' && k !== 'tiltDb')],
  ];
  for (const split of [...new Set(recs.map((r) => r.split))]) {
    const clips = recs.filter((r) => r.split === split);
    const truth = clips.map((r) => EMOTIONS.indexOf(r.emotion));
    const guesses = variants.map(([, cues]) => clips.map((r) => EMOTIONS.indexOf(oracleEmotion(r.prosody, cues))));
    const cells = variants.map(([name], v) => `${name} ${(100 * weightedAccuracy(truth, guesses[v]!)).toFixed(1)} %`);
    opts.log(`${split.padEnd(13)} ${String(clips.length).padStart(6)} clips  oracle WA: ${cells.join(';  ')}`);
    // confusion of the all-cues oracle (rows = true emotion)
    const confusion = confusionMatrix(truth, guesses[0]!, EMOTIONS.length);
    confusion.forEach((row, i) =>
      opts.log(`  ${EMOTIONS[i]!.padEnd(8)} ${row.map((v) => String(v).padStart(6)).join('')}`),
    );
  }
}
