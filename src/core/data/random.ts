/**
 * Seeded randomness shared by the corpus generator, splits and subset sampling. Everything derives from string keys
 * through a hash, so a clip's random draws depend only on (seed, clip id), never on processing order.
 */

/** 32-bit FNV-1a followed by a murmur3 finaliser (FNV alone mixes short keys poorly). */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export type Rng = () => number;

/** mulberry32: small, fast, and identical in every JS engine. Returns floats in [0, 1). */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An RNG keyed by any number of parts, e.g. rngFor(seed, 'split'). */
export function rngFor(...parts: Array<string | number>): Rng {
  return mulberry32(hashString(parts.join('\u241f')));
}

/** Box–Muller transform of two uniforms (u in (0, 1]) into one standard normal value. */
export function boxMuller(u: number, v: number): number {
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Standard normal draw (Box–Muller; uses two uniforms per call so the stream stays simple to reason about). */
export function gaussian(rng: Rng): number {
  const u = 1 - rng(); // (0, 1]
  const v = rng();
  return boxMuller(u, v);
}

/**
 * Standard normal draw as the models' weight init and the evaluators' augmentation take it: u from the first uniform
 * (`gaussian` above takes 1 − u). Every seeded init and augmentation stream in the shipped models was drawn this
 * way, so it stays.
 */
export function gaussianUFirst(rng: Rng): number {
  const u = Math.max(rng(), 1e-12);
  return boxMuller(u, rng());
}

/** A uniform draw in [lo, hi). */
export function uniform(rng: Rng, [lo, hi]: readonly [number, number]): number {
  return lo + (hi - lo) * rng();
}

/** Fisher–Yates shuffle into a new array. */
export function shuffled<T>(items: readonly T[], rng: Rng): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = out[i]!;
    out[i] = out[j]!;
    out[j] = t;
  }
  return out;
}
