/**
 * Order statistics shared by the cue measures, the domain check and the reports, so a "p90" or a "median" means
 * the same number wherever the app or a report prints one.
 */

/** The q-quantile (0–1) by linear interpolation between order statistics (NumPy's default); NaN when empty. */
export function percentile(values: readonly number[], q: number): number {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const pos = (s.length - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(pos);
  const hi = Math.min(s.length - 1, lo + 1);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

/** The median of the finite values (NaN and ±Infinity are a measure that failed, not a value); NaN when none. */
export function median(values: readonly number[]): number {
  return percentile(
    values.filter((x) => Number.isFinite(x)),
    0.5,
  );
}
