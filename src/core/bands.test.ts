import { describe, expect, it } from 'vitest';
import { BANDS_FORMAT, bandFor, bandRange, parseBands, sameBand } from './bands';

const band = (fromDb: number, path = `b${fromDb}`) => ({ fromDb, path, label: `from ${fromDb}`, why: 'val' });

describe('weights by budget', () => {
  it('reads bands.json sorted by threshold, with folder paths ending in a slash', () => {
    const bands = parseBands({ format: BANDS_FORMAT, bands: [band(20, 'x/'), band(15, 'y')] });
    expect(bands.map((b) => [b.fromDb, b.path])).toEqual([
      [15, 'y/'],
      [20, 'x/'],
    ]);
  });

  it('reads anything that is not a bands file as no bands, and refuses a broken one', () => {
    expect(parseBands(null)).toEqual([]);
    expect(parseBands({ format: 'other', bands: [band(15)] })).toEqual([]);
    expect(() => parseBands({ format: BANDS_FORMAT, bands: [{ ...band(15), fromDb: Infinity }] })).toThrow(/finite/);
    expect(() => parseBands({ format: BANDS_FORMAT, bands: [band(15, '../elsewhere')] })).toThrow(/inside/);
    expect(() => parseBands({ format: BANDS_FORMAT, bands: [band(15, 'a'), band(15, 'b')] })).toThrow(/two bands/);
  });

  it('picks the band with the highest threshold at or below the budget, the base below every threshold', () => {
    const bands = [band(20), band(15)];
    expect(bandFor(bands, 10)).toBeNull();
    expect(bandFor(bands, 14.9)).toBeNull();
    expect(bandFor(bands, 15)?.fromDb).toBe(15);
    expect(bandFor(bands, 19.9)?.fromDb).toBe(15);
    expect(bandFor(bands, 20)?.fromDb).toBe(20);
    expect(bandFor(bands, 40)?.fromDb).toBe(20);
    expect(bandFor([], 20)).toBeNull();
  });

  it('gives each weight set the budgets up to the next threshold', () => {
    const bands = [band(15), band(20)];
    expect(bandRange(bands, -Infinity)).toEqual({ fromDb: -Infinity, toDb: 15 });
    expect(bandRange(bands, 15)).toEqual({ fromDb: 15, toDb: 20 });
    expect(bandRange(bands, 20)).toEqual({ fromDb: 20, toDb: Infinity });
  });

  it('keeps the measurements made with the weights that serve a budget', () => {
    const bands = [band(15)];
    const claims = [10, 12, 15, 20].map((budgetDb) => ({ budgetDb }));
    expect(sameBand(claims, bands, 11).map((c) => c.budgetDb)).toEqual([10, 12]);
    expect(sameBand(claims, bands, 15).map((c) => c.budgetDb)).toEqual([15, 20]);
    expect(sameBand(claims, [], 30).map((c) => c.budgetDb)).toEqual([10, 12, 15, 20]);
  });
});
