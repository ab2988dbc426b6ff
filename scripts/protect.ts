/**
 * npm run protect -- <file | folder> --out <dir> [--suffix -protected] [--budget dB] [--force] [--report]
 *     [--json report.json] [--model <generator dir>] [--evaluators <dir>] [--dry-run] [--help]
 *
 * Protects audio files (WAV natively; MP3, OGG, Opus, FLAC, M4A, WebM and video sound tracks through ffmpeg) with
 * the Aclipse generator, through the same code the app runs, into 16 kHz mono 16-bit WAVs. Never overwrites an
 * input. `--help` has the details; the work is in scripts/protect/.
 */
import { runProtect } from './protect/cli';

runProtect(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  },
);
