/**
 * npm run corpus -- --ceiling [--dir data/corpus]
 *
 * The prosody oracle's accuracy per split: how well the emotion can be told at best from the settings each clip was
 * rendered with (oracleEmotion), with all cues and without the level and tilt cues. It is the ceiling any SER meets
 * on this corpus, and it shows how hard each split's draws happen to be (so a val–test gap can be read against it).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EMOTIONS, type Emotion } from '../../src/core/data/emotions';
import type { ManifestRecord } from '../../src/core/data/types';
import { oracleEmotion, PROSODY_KEYS, type Prosody } from './prosody';

export function ceilingCommand(opts: { dir: string; log: (s: string) => void }): void {
  const recs = readFileSync(join(opts.dir, 'manifest.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as ManifestRecord & { prosody: Prosody });
  const variants: [string, (keyof Prosody)[]][] = [
    ['all cues', [...PROSODY_KEYS]],
    ['without gain', PROSODY_KEYS.filter((k) => k !== 'gainDb')],
    ['without gain, tilt', PROSODY_KEYS.filter((k) => k !== 'gainDb' && k !== 'tiltDb')],
  ];
  for (const split of [...new Set(recs.map((r) => r.split))]) {
    const clips = recs.filter((r) => r.split === split && r.prosody);
    const cells = variants.map(([name, cues]) => {
      const ok = clips.filter((r) => oracleEmotion(r.prosody, cues) === (r.emotion as Emotion)).length;
      return `${name} ${((100 * ok) / clips.length).toFixed(1)} %`;
    });
    opts.log(`${split.padEnd(13)} ${String(clips.length).padStart(6)} clips  oracle WA: ${cells.join(';  ')}`);
    const confusion = EMOTIONS.map((t) =>
      EMOTIONS.map((p) => clips.filter((r) => r.emotion === t && oracleEmotion(r.prosody) === p).length),
    );
    confusion.forEach((row, i) => opts.log(`  ${EMOTIONS[i]!.padEnd(8)} ${row.map((v) => String(v).padStart(6)).join('')}`));
  }
}
