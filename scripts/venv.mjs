// One pinned Python environment per purpose (attackers/.venv for the external recognizers, voices/.venv for the
// corpus's neural voice), each installed from its lock file once and left alone while that file is unchanged.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

/**
 * Makes `dir/.venv` match `dir/requirements.lock.txt` and returns its python. `name` is the npm script, for messages;
 * `--force` on the command line rebuilds the environment.
 */
export function ensureVenv(dir, name) {
  const venv = join(dir, '.venv');
  const python = join(venv, 'bin', 'python');
  const lock = join(dir, 'requirements.lock.txt');
  const stamp = join(venv, '.lock-sha256');
  const run = (cmd, args, what) => {
    const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: dir });
    if (r.error || r.status !== 0) {
      console.error(`${name}: ${what} failed${r.error ? `: ${r.error.message}` : ` (exit ${r.status})`}.`);
      process.exit(1);
    }
  };
  const want = createHash('sha256').update(readFileSync(lock)).digest('hex');
  const force = process.argv.includes('--force');
  const rel = `${basename(dir)}/.venv`;
  if (!force && existsSync(python) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === want) {
    console.log(`${name}: ${rel} is up to date`);
    return python;
  }
  const host = process.env.PYTHON ?? 'python3';
  const probe = spawnSync(host, ['-c', 'import sys, venv; assert sys.version_info >= (3, 9), sys.version'], {
    encoding: 'utf8',
  });
  if (probe.status !== 0) {
    console.error(
      `${name}: needs Python 3.9+ with the venv module (${host}); on Debian: apt-get install python3 python3-venv.`,
    );
    process.exit(1);
  }
  if (!existsSync(python) || force) run(host, ['-m', 'venv', '--clear', venv], `creating ${rel}`);
  const pip = ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '-q', '-r', lock];
  run(python, pip, `pip install -r ${basename(dir)}/requirements.lock.txt`);
  writeFileSync(stamp, `${want}\n`);
  return python;
}
