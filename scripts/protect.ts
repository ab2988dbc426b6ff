/**
 * npm run protect -- <file | folder> --out <dir> [--suffix -protected] [--budget dB] [--force] [--report]
 *     [--json report.json] [--model <generator dir>] [--evaluators <dir>] [--dry-run] [--help]
 *
 * Protects audio files (WAV natively; MP3, OGG, Opus, FLAC, M4A, WebM and video sound tracks through ffmpeg) with
 * the Aclipse generator, through the same code the app runs, into 16 kHz mono 16-bit WAVs. Never overwrites an
 * input. `--help` has the details; the work is in scripts/protect/.
 */
import { attackersAnalysis, cuesAnalysis } from './protect/analyses';
import { runProtect } from './protect/cli';
import type { RecordAnalysis } from './protect/report';

async function main(argv: string[]): Promise<number> {
  const analyses: RecordAnalysis[] = [];
  // Only a report reads the clips again; a plain run starts nothing it does not need.
  if (argv.some((a) => a === '--report' || a.startsWith('--report=') || a === '--json' || a.startsWith('--json='))) {
    analyses.push(cuesAnalysis());
    const ext = await attackersAnalysis();
    if (ext.analysis) analyses.push(ext.analysis);
    if (ext.note) console.error(ext.note);
  }
  return runProtect(argv, { analyses });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  },
);
