import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/** The first page load must stay small: tfjs may only be imported by the worker (and core code the worker uses). */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sources(p);
    return /\.(ts|tsx)$/.test(name) && !/\.test\.tsx?$/.test(name) ? [p] : [];
  });
}

describe('UI / worker boundary', () => {
  const root = join(import.meta.dirname, '..', '..');
  const uiFiles = [...sources(join(root, 'src', 'ui')), ...sources(join(root, 'src', 'engine')), join(root, 'src', 'main.tsx')];

  it('finds the UI sources', () => expect(uiFiles.length).toBeGreaterThan(3));

  it('no UI or bridge module imports @tensorflow/*, directly or through src/core model code (types aside)', () => {
    const offenders = uiFiles.filter((f) => {
      // Type-only imports and re-exports are erased by the build, so they bring no tfjs into the page.
      const text = readFileSync(f, 'utf8').replace(/\b(?:import|export)\s+type\s[^;]*?\bfrom\s+['"][^'"]+['"]/g, '');
      return /from\s+['"]@tensorflow\//.test(text) || /import\(\s*['"]@tensorflow\//.test(text) ||
        /from\s+['"][./]+\/core\/(ml|dsp|aclipse|node)/.test(text);
    });
    expect(offenders.map((f) => relative(root, f))).toEqual([]);
  });
});
