/** Command-line flags shared by every CLI in scripts/ and bench/: `--name value`, `--name=value` and bare `--flag`. */
export type Flags = Record<string, string | true>;

/** `--name value` and `--flag` pairs; positional arguments are returned separately. */
export function parseFlags(argv: string[]): { flags: Flags; positional: string[] } {
  const flags: Flags = {};
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--') && a.includes('=')) {
      flags[a.slice(2, a.indexOf('='))] = a.slice(a.indexOf('=') + 1);
    } else if (a.startsWith('--')) {
      const next = argv[i + 1];
      // A following token is the value unless it is another flag (so negative numbers such as -0.1 are values).
      if (next !== undefined && !next.startsWith('--')) {
        flags[a.slice(2)] = next;
        i++;
      } else flags[a.slice(2)] = true;
    } else positional.push(a);
  }
  return { flags, positional };
}

export function numberFlag(flags: Flags, name: string): number | undefined {
  const v = flags[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v === true || !Number.isFinite(n)) throw new Error(`--${name} needs a number`);
  return n;
}

export function stringFlag(flags: Flags, name: string): string | undefined {
  const v = flags[name];
  if (v === true) throw new Error(`--${name} needs a value`);
  return v;
}

/** `--name 1,2,3` as numbers (undefined when absent). */
export function numberList(flags: Flags, name: string): number[] | undefined {
  const v = stringFlag(flags, name);
  if (v === undefined) return undefined;
  const xs = v.split(',').map(Number);
  if (xs.some((x) => !Number.isFinite(x))) throw new Error(`--${name} needs comma-separated numbers`);
  return xs;
}

/** `--name value` of this process's argv as a string, or `fallback`; a bare `--name` reads as 'true'. */
export function argOr(name: string, fallback: string): string {
  const v = parseFlags(process.argv.slice(2)).flags[name];
  return v === undefined ? fallback : v === true ? 'true' : v;
}
