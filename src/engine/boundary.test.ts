import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The first page load must stay small: tfjs may only be imported by the worker (and core code the worker uses).
 * The core's tfjs folders are listed once, in eslint.config.js (TFJS_CORE_FOLDERS, which its import rule uses); these
 * tests check that list both ways against the sources.
 */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sources(p);
    return /\.(ts|tsx)$/.test(name) && !/\.test\.tsx?$/.test(name) ? [p] : [];
  });
}

/**
 * Specifiers a module imports at run time: static imports and re-exports, side-effect imports and dynamic imports.
 * Type-only imports (`import type`, or every name marked `type`) are erased by the build, so they do not count.
 */
function runtimeImports(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\s+([^;'"]*?)\s*from\s+['"]([^'"]+)['"]/gm)) {
    const clause = m[1]!.trim();
    if (/^type\b/.test(clause)) continue;
    const named = /^\{([^}]*)\}$/.exec(clause);
    if (named) {
      const names = named[1]!
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      if (names.length > 0 && names.every((s) => /^type\s/.test(s))) continue;
    }
    out.push(m[2]!);
  }
  for (const m of text.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) out.push(m[1]!);
  for (const m of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push(m[1]!);
  return out;
}

function resolveRelative(from: string, spec: string): string | null {
  const base = resolve(dirname(from), spec);
  for (const c of [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts'), base])
    if (existsSync(c) && statSync(c).isFile()) return c;
  return null;
}

/** The import chain from `entry` to the first @tensorflow/* specifier it reaches at run time, or null. */
function tfjsChain(entry: string, seen = new Set<string>()): string[] | null {
  if (seen.has(entry)) return null;
  seen.add(entry);
  for (const spec of runtimeImports(readFileSync(entry, 'utf8'))) {
    if (spec.startsWith('@tensorflow/')) return [entry, spec];
    if (!spec.startsWith('.')) continue;
    const next = resolveRelative(entry, spec);
    const chain = next ? tfjsChain(next, seen) : null;
    if (chain) return [entry, ...chain];
  }
  return null;
}

const root = join(import.meta.dirname, '..', '..');
const core = join(root, 'src', 'core');
const rel = (f: string) => relative(root, f).split('\\').join('/');

const eslintConfig = readFileSync(join(root, 'eslint.config.js'), 'utf8');
const listed = /export const TFJS_CORE_FOLDERS = \[([^\]]*)\]/.exec(eslintConfig);
const TFJS_FOLDERS = [...(listed?.[1] ?? '').matchAll(/'([^']+)'/g)].map((m) => m[1]!);

const coreFolders = readdirSync(core).filter((name) => statSync(join(core, name)).isDirectory());
const plainFolders = coreFolders.filter((f) => !TFJS_FOLDERS.includes(f));
const coreRootFiles = readdirSync(core)
  .filter((name) => /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name))
  .map((name) => join(core, name));

describe('UI / worker boundary', () => {
  const uiFiles = [
    ...sources(join(root, 'src', 'ui')),
    ...sources(join(root, 'src', 'engine')),
    join(root, 'src', 'main.tsx'),
  ];

  it('finds the UI sources and the tfjs folder list in eslint.config.js', () => {
    expect(uiFiles.length).toBeGreaterThan(3);
    expect(TFJS_FOLDERS.length).toBeGreaterThan(0);
    expect(plainFolders.length).toBeGreaterThan(0);
  });

  it('no UI or bridge module imports @tensorflow/*, directly or through the tfjs folders of src/core (types aside)', () => {
    const tfjsFolder = new RegExp(`from\\s+['"][./]+/core/(${TFJS_FOLDERS.join('|')})(?:['"/])`);
    const offenders = uiFiles.filter((f) => {
      // Type-only imports and re-exports are erased by the build, so they bring no tfjs into the page.
      const text = readFileSync(f, 'utf8').replace(/\b(?:import|export)\s+type\s[^;]*?\bfrom\s+['"][^'"]+['"]/g, '');
      return (
        /from\s+['"]@tensorflow\//.test(text) || /import\(\s*['"]@tensorflow\//.test(text) || tfjsFolder.test(text)
      );
    });
    expect(offenders.map(rel)).toEqual([]);
  });

  it('no UI or bridge module reaches @tensorflow/* through any chain of run-time imports', () => {
    const chains = uiFiles.flatMap((f) => {
      const chain = tfjsChain(f);
      return chain ? [chain.map((c) => (c.startsWith('@') ? c : rel(c))).join(' → ')] : [];
    });
    expect(chains).toEqual([]);
  });
});

describe('the tfjs line of src/core', () => {
  it('the folders that eslint.config.js forbids to the UI are exactly the core folders whose modules import tfjs', () => {
    const withTfjs = coreFolders.filter((f) =>
      sources(join(core, f)).some((file) =>
        runtimeImports(readFileSync(file, 'utf8')).some((s) => s.startsWith('@tensorflow/')),
      ),
    );
    expect([...TFJS_FOLDERS].sort()).toEqual(withTfjs.sort());
  });

  it('every module in the tfjs-free core folders and the core root reaches no @tensorflow/*, directly or transitively', () => {
    const modules = [...coreRootFiles, ...plainFolders.flatMap((f) => sources(join(core, f)))];
    expect(modules.length).toBeGreaterThan(20);
    const chains = modules.flatMap((f) => {
      const chain = tfjsChain(f);
      return chain ? [chain.map((c) => (c.startsWith('@') ? c : rel(c))).join(' → ')] : [];
    });
    expect(chains).toEqual([]);
  });
});
