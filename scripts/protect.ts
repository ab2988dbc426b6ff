/**
 * npm run protect -- <file.wav | folder> --out <dir> [--budget <min SNR dB>] [--model <generator dir>]
 *
 * Protects WAV files with the Aclipse generator (default: the shipped public/models/aclipse) through the same code
 * the app runs, and writes 16 kHz mono 16-bit WAVs with the same names (a folder is processed recursively, keeping
 * its layout). Prints the achieved SNR and the perturbation's share above 2 kHz per file.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { perturbationReport } from '../src/core/analysis';
import { decodeWavTo16kMono, encodeWav, SAMPLE_RATE, validateSamples } from '../src/core/audio';
import { initTf } from '../src/core/node/tf';
import { readGeneratorDir } from './aclipse/common';
import { numberFlag, parseFlags, stringFlag } from './flags';

function wavFiles(root: string): string[] {
  if (statSync(root).isFile()) return [root];
  const out: string[] = [];
  for (const name of readdirSync(root).sort()) {
    const p = path.join(root, name);
    if (statSync(p).isDirectory()) out.push(...wavFiles(p));
    else if (/\.wav$/i.test(name)) out.push(p);
  }
  return out;
}

async function main(): Promise<void> {
  const { flags, positional } = parseFlags(process.argv.slice(2));
  const input = positional[0];
  const outDir = stringFlag(flags, 'out');
  if (!input || !outDir) throw new Error('usage: npm run protect -- <file.wav|folder> --out <dir> [--budget dB] [--model dir]');
  if (!existsSync(input)) throw new Error(`${input} does not exist`);
  const modelDir = stringFlag(flags, 'model') ?? 'public/models/aclipse';
  if (!existsSync(path.join(modelDir, 'model.json'))) throw new Error(`No generator at ${modelDir} (model.json missing)`);
  await initTf('wasm');
  const gen = await readGeneratorDir(modelDir);
  const budget = numberFlag(flags, 'budget') ?? gen.config.budgetDb;
  const files = wavFiles(input);
  if (files.length === 0) throw new Error(`No .wav files in ${input}`);
  const base = statSync(input).isFile() ? path.dirname(input) : input;
  let failed = 0;
  for (const file of files) {
    const rel = path.relative(base, file);
    try {
      const wave = decodeWavTo16kMono(readFileSync(file));
      const check = validateSamples(wave, SAMPLE_RATE);
      if (!check.ok) throw new Error(check.message);
      const t0 = performance.now();
      const res = await gen.protect(wave, budget);
      const ms = performance.now() - t0;
      const rep = perturbationReport(wave, res.wave);
      const dest = path.join(outDir, rel);
      mkdirSync(path.dirname(dest), { recursive: true });
      writeFileSync(dest, encodeWav(res.wave, SAMPLE_RATE));
      console.log(
        `${rel}: SNR ${res.snrDb.toFixed(2)} dB (budget ${budget} dB), ${(rep.perturbationHighShare * 100).toFixed(1)}% of the perturbation ≥ 2 kHz, ` +
          `${(wave.length / SAMPLE_RATE).toFixed(2)} s in ${ms.toFixed(0)} ms → ${dest}`,
      );
    } catch (e) {
      failed++;
      console.error(`${rel}: skipped: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  gen.dispose();
  console.log(`${files.length - failed} of ${files.length} files protected into ${outDir}`);
  if (failed > 0) process.exitCode = 1;
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
