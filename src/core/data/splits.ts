/** Splits, folds and seeded subsets over dataset entries. */
import type { DatasetEntry } from './dataset';
import { EMOTIONS, type Emotion } from './emotions';
import { hashString, rngFor, shuffled } from './random';

/**
 * A seeded subset of n labelled entries whose class proportions follow the input's (largest-remainder rounding), or
 * equal per class with { balanced: true } (classes short of their share give it to the others). The paper's trainer
 * swaps such 400-clip subsets every few epochs: call again with another seed.
 */
export function stratifiedSubset<T extends Pick<DatasetEntry, 'emotion'>>(
  entries: readonly T[],
  n: number,
  seed: number | string,
  opts: { balanced?: boolean } = {},
): T[] {
  const byClass = new Map<Emotion, T[]>();
  for (const e of entries) if (e.emotion) byClass.set(e.emotion, [...(byClass.get(e.emotion) ?? []), e]);
  const classes = EMOTIONS.filter((c) => byClass.has(c));
  const total = classes.reduce((s, c) => s + byClass.get(c)!.length, 0);
  const want = Math.min(n, total);
  const quota = new Map<Emotion, number>();
  if (opts.balanced) {
    // Water-filling: equal shares, capped by what each class has.
    let left = want;
    let open = classes.filter((c) => byClass.get(c)!.length > 0);
    for (const c of classes) quota.set(c, 0);
    while (left > 0 && open.length) {
      const share = Math.max(1, Math.floor(left / open.length));
      for (const c of open) {
        if (left === 0) break;
        const take = Math.min(share, byClass.get(c)!.length - quota.get(c)!, left);
        quota.set(c, quota.get(c)! + take);
        left -= take;
      }
      open = open.filter((c) => quota.get(c)! < byClass.get(c)!.length);
    }
  } else {
    const exact = classes.map((c) => (want * byClass.get(c)!.length) / total);
    const floor = exact.map(Math.floor);
    let left = want - floor.reduce((a, b) => a + b, 0);
    const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
    for (const [, i] of order) if (left-- > 0) floor[i]!++;
    classes.forEach((c, i) => quota.set(c, floor[i]!));
  }
  const out: T[] = [];
  for (const c of classes) {
    out.push(...shuffled(byClass.get(c)!, rngFor('stratified', seed, c)).slice(0, quota.get(c)!));
  }
  return shuffled(out, rngFor('stratified-order', seed));
}

export interface Fold<T> {
  fold: number;
  train: T[];
  test: T[];
}

/** Leave-one-fold-out splits (IEMOCAP: leave one session out). Entries without a fold are left out. */
export function crossValidationFolds<T extends Pick<DatasetEntry, 'fold'>>(entries: readonly T[]): Fold<T>[] {
  const folds = [...new Set(entries.map((e) => e.fold).filter((f): f is number => f !== null))].sort((a, b) => a - b);
  return folds.map((fold) => ({
    fold,
    train: entries.filter((e) => e.fold !== null && e.fold !== fold),
    test: entries.filter((e) => e.fold === fold),
  }));
}

/**
 * Train/val/test for a set that has no splits, decided per transcript (same sentence → same split, so test sentences
 * are never trained on) by a seeded hash; clips without text are split by id.
 */
export function assignSplits<T extends Pick<DatasetEntry, 'id' | 'text' | 'split'>>(
  entries: readonly T[],
  seed: number | string,
  fractions: { train: number; val: number } = { train: 0.8, val: 0.1 },
): Array<T & { split: string }> {
  return entries.map((e) => {
    if (e.split) return e as T & { split: string };
    const u = hashString(`${seed}:${e.text ?? e.id}`) / 4294967296;
    const split = u < fractions.train ? 'train' : u < fractions.train + fractions.val ? 'val' : 'test';
    return { ...e, split };
  });
}

/**
 * The entries of one split, optionally only those of the given speakers (an evaluation on voices a model never took
 * as input, e.g. the espeak-ng voices that only some training runs used).
 */
export function bySplit<T extends Pick<DatasetEntry, 'split' | 'speaker'>>(
  entries: readonly T[],
  split: string,
  speakers?: readonly string[] | null,
): T[] {
  const keep = speakers?.length ? new Set(speakers) : null;
  return entries.filter((e) => e.split === split && (!keep || keep.has(e.speaker)));
}

export interface DatasetSummary {
  clips: number;
  hours: number | null;
  byEmotion: Record<string, number>;
  bySplit: Record<string, number>;
  bySpeaker: Record<string, number>;
}

export function summarize(entries: readonly DatasetEntry[]): DatasetSummary {
  const count = (key: (e: DatasetEntry) => string) => {
    const m: Record<string, number> = {};
    for (const e of entries) m[key(e)] = (m[key(e)] ?? 0) + 1;
    return m;
  };
  const known = entries.every((e) => e.duration !== null);
  return {
    clips: entries.length,
    hours: known ? entries.reduce((s, e) => s + e.duration!, 0) / 3600 : null,
    byEmotion: count((e) => e.emotion ?? 'unlabelled'),
    bySplit: count((e) => e.split ?? (e.fold !== null ? `fold${e.fold}` : 'none')),
    bySpeaker: count((e) => e.speaker),
  };
}
