import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Feature folders (docs/architecture.md): each tab lives in its own folder of src/ui with its cards and its jobs,
 * and no tab imports another tab. What two tabs share lives outside the tab folders (shared/, view/, audio/, the
 * store...), and shared code does not import a tab either; only the tab registry (tabs.tsx) does. The tab folders are
 * read from tabs.tsx, so a new tab is checked as soon as it is registered. Type imports count too: a tab that needs
 * another tab's type should move that type to shared code.
 */
const ui = import.meta.dirname;
const rel = (f: string) => relative(ui, f).split(sep).join('/');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sources(p);
    return /\.(ts|tsx)$/.test(name) ? [p] : [];
  });
}

/** Every module specifier in a source: imports and re-exports (type-only ones too), side-effect and dynamic imports. */
function importSpecifiers(text: string): string[] {
  return [...text.matchAll(/(?:\bfrom|^\s*import|\bimport\s*\()\s*['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
}

function resolveRelative(from: string, spec: string): string | null {
  const base = resolve(dirname(from), spec.replace(/\?.*$/, ''));
  for (const c of [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts'), join(base, 'index.tsx'), base]) {
    if (existsSync(c) && statSync(c).isFile()) return c;
  }
  return null;
}

/** The components registered in TABS (`component: X }`) and, for each, the folder tabs.tsx imports it from. */
const tabsSource = readFileSync(join(ui, 'tabs.tsx'), 'utf8');
const TAB_COMPONENTS = [...tabsSource.matchAll(/component:\s*(\w+)\s*}/g)].map((m) => m[1]!);
const folderOf = (component: string) =>
  new RegExp(`^import\\s*\\{[^}]*\\b${component}\\b[^}]*\\}\\s*from\\s*'\\./([^/']+)/`, 'm').exec(tabsSource)?.[1] ??
  null;
const TAB_FOLDERS = TAB_COMPONENTS.map(folderOf).filter((f): f is string => f !== null);
const REGISTRY = 'tabs.tsx';

const tabOf = (file: string): string | null => {
  const first = rel(file).split('/')[0]!;
  return TAB_FOLDERS.includes(first) ? first : null;
};

/** "a imports b" for every import in src/ui that breaks the rule. */
function violations(files: readonly string[]): string[] {
  const out: string[] = [];
  for (const file of files) {
    const from = tabOf(file);
    for (const spec of importSpecifiers(readFileSync(file, 'utf8'))) {
      if (!spec.startsWith('.')) continue;
      const target = resolveRelative(file, spec);
      if (!target || !target.startsWith(ui + sep)) continue;
      const to = tabOf(target);
      if (!to || to === from) continue;
      if (from === null && rel(file) === REGISTRY) continue;
      out.push(`${rel(file)} imports ${rel(target)} (${from ? `tab ${from}` : 'shared code'} → tab ${to})`);
    }
  }
  return out;
}

describe('UI feature folders', () => {
  const files = sources(ui);

  it('reads one folder per tab from tabs.tsx, and each exists', () => {
    expect(TAB_COMPONENTS.length).toBeGreaterThanOrEqual(5);
    // Every registered tab comes from a folder of its own.
    expect(TAB_FOLDERS.length).toBe(TAB_COMPONENTS.length);
    expect(new Set(TAB_FOLDERS).size).toBe(TAB_FOLDERS.length);
    for (const f of TAB_FOLDERS) expect(statSync(join(ui, f)).isDirectory()).toBe(true);
    expect(TAB_FOLDERS).not.toContain('shared');
  });

  it('finds imports of every form', () => {
    const text = [
      "import { a } from './x';",
      "import type { B } from '../y';",
      'import {',
      '  c,',
      "} from './z';",
      "export { d } from './w';",
      "import './style.css';",
      "const m = await import('./lazy');",
      "import url from './worklet.ts?worker&url';",
    ].join('\n');
    expect(importSpecifiers(text)).toEqual([
      './x',
      '../y',
      './z',
      './w',
      './style.css',
      './lazy',
      './worklet.ts?worker&url',
    ]);
  });

  it('has no tab importing another tab, and no shared module importing a tab', () => {
    expect(files.filter((f) => tabOf(f)).length).toBeGreaterThan(TAB_FOLDERS.length);
    expect(violations(files)).toEqual([]);
  });
});
