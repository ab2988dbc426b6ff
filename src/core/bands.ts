/**
 * Weights by budget. One set of generator weights does not serve every budget: weights trained at 10 dB, scaled down
 * to a 20 dB budget, hide no more than noise of the same energy, while weights trained across 10–20 dB hide words at
 * 20 dB but use less of a 10 dB budget. So a shipped generator may carry further weight sets, each for budgets from
 * a threshold up (chosen on `val`), listed in bands.json beside its model.json. Plain TS (no tfjs), shared by the UI,
 * the worker and Node; the generator that protects with them is aclipse/banded.ts.
 */

export const BANDS_FORMAT = 'aclipse-bands/1';

/** One further weight set: used for budgets of `fromDb` and above (up to the next band's `fromDb`). */
export interface BandSpec {
  fromDb: number;
  /** Folder of its model.json + weights.bin (+ claims.json), relative to the generator's folder. */
  path: string;
  /** Short name shown with every result made with it ("trained across 10–20 dB"). */
  label: string;
  /** Why these weights serve these budgets, with the measurement that chose the threshold. */
  why: string;
}

export interface BandsFile {
  format: typeof BANDS_FORMAT;
  bands: BandSpec[];
}

/**
 * Reads a bands.json. Malformed or absent reads as no bands (the base weights then serve every budget); a band that
 * would shadow the base for every budget (fromDb not finite) or repeat another's threshold is an error, because a
 * silently dropped band would change which weights protect a user's clip.
 */
export function parseBands(json: unknown): BandSpec[] {
  if (!json || typeof json !== 'object' || (json as BandsFile).format !== BANDS_FORMAT) return [];
  const raw = (json as BandsFile).bands;
  if (!Array.isArray(raw)) return [];
  const bands = raw.map((b, i) => {
    if (
      !b ||
      typeof b.fromDb !== 'number' ||
      !Number.isFinite(b.fromDb) ||
      typeof b.path !== 'string' ||
      !b.path ||
      b.path.includes('..') ||
      typeof b.label !== 'string' ||
      typeof b.why !== 'string'
    )
      throw new Error(`bands.json: band ${i + 1} needs a finite fromDb, a path inside the folder, a label and a why`);
    return { fromDb: b.fromDb, path: b.path.endsWith('/') ? b.path : `${b.path}/`, label: b.label, why: b.why };
  });
  bands.sort((a, b) => a.fromDb - b.fromDb);
  for (let i = 1; i < bands.length; i++)
    if (bands[i].fromDb === bands[i - 1].fromDb)
      throw new Error(`bands.json: two bands start at ${bands[i].fromDb} dB`);
  return bands;
}

/** The band serving a budget: the one with the highest threshold at or below it; null for the base weights. */
export function bandFor<B extends { fromDb: number }>(bands: readonly B[], budgetDb: number): B | null {
  let best: B | null = null;
  for (const b of bands) if (b.fromDb <= budgetDb && (!best || b.fromDb > best.fromDb)) best = b;
  return best;
}

/** The budgets a weight set serves: [fromDb, next band's fromDb); the base starts at −∞. */
export function bandRange(bands: readonly { fromDb: number }[], fromDb: number): { fromDb: number; toDb: number } {
  const next = bands.map((b) => b.fromDb).filter((t) => t > fromDb);
  return { fromDb, toDb: next.length ? Math.min(...next) : Infinity };
}

/** The items (claims, measurements) made at budgets that the same weights serve as `budgetDb`. */
export function sameBand<T extends { budgetDb: number }>(
  items: readonly T[],
  bands: readonly { fromDb: number }[],
  budgetDb: number,
): T[] {
  const r = bandRange(bands, bandFor(bands, budgetDb)?.fromDb ?? -Infinity);
  return items.filter((c) => c.budgetDb >= r.fromDb && c.budgetDb < r.toDb);
}
