/**
 * Pure view logic behind the small charts (line plots, heat maps, bars): scales, ticks, colours, percentages.
 * No DOM here, so every rule is unit-tested.
 */

// ---------------------------------------------------------------------------------------------------------------
// Scales and ticks
// ---------------------------------------------------------------------------------------------------------------

export type Scale = ((v: number) => number) & { domain: [number, number]; range: [number, number] };

/** Linear map domain → range; a zero-width domain maps to the middle of the range instead of dividing by zero. */
export function linearScale(domain: [number, number], range: [number, number]): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0;
  const f = ((v: number) => (span === 0 ? (r0 + r1) / 2 : r0 + ((v - d0) / span) * (r1 - r0))) as Scale;
  f.domain = [d0, d1];
  f.range = [r0, r1];
  return f;
}

/** Min and max of the finite values; null when there are none. */
export function extent(values: Iterable<number>): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : null;
}

/** A "nice" step (1, 2 or 5 × 10^k) giving about `count` intervals over `span`. */
export function niceStep(span: number, count = 5): number {
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const raw = span / Math.max(1, count);
  const pow = 10 ** Math.floor(Math.log10(raw));
  const m = raw / pow;
  return (m >= Math.SQRT2 * 5 ? 10 : m >= Math.sqrt(10) ? 5 : m >= Math.SQRT2 ? 2 : 1) * pow;
}

/**
 * Domain widened to nice step boundaries plus its ticks. A flat series (lo = hi) gets a small band around the
 * value so the line sits in the middle of the plot, not on its edge.
 */
export function niceDomain(lo: number, hi: number, count = 5): { domain: [number, number]; ticks: number[] } {
  if (lo === hi) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const step = niceStep(hi - lo, count);
  const start = Math.floor(lo / step + 1e-9) * step;
  const end = Math.ceil(hi / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let v = start; v <= end + step * 1e-6; v += step) ticks.push(roundTo(v, step));
  return { domain: [start, end], ticks };
}

function roundTo(v: number, step: number): number {
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  return Number(v.toFixed(Math.min(12, decimals)));
}

/** Tick label with only as many decimals as the step needs (0.1 → "0.1", 1e-3 → "0.001", large → "12k"). */
export function formatTick(v: number, step: number): string {
  if (Math.abs(v) >= 10000 && step >= 1000) return `${roundTo(v / 1000, step / 1000)}k`;
  const decimals = Math.max(0, Math.min(6, -Math.floor(Math.log10(step))));
  return v.toFixed(decimals).replace(/^-0(\.0*)?$/, '0');
}

export interface Point {
  x: number;
  y: number;
}

/** SVG path through the points; a non-finite y breaks the line (no fake segment across missing data). */
export function linePath(points: readonly Point[], x: Scale, y: Scale): string {
  let d = '';
  let pen = false;
  for (const p of points) {
    if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${x(p.x).toFixed(1)},${y(p.y).toFixed(1)}`;
    pen = true;
  }
  return d;
}

// ---------------------------------------------------------------------------------------------------------------
// Heat map (confusion matrices)
// ---------------------------------------------------------------------------------------------------------------

/** Row-normalised percentages (row = true class); an empty row gives NaN (shown as "—", never as 0 %). */
export function rowPercents(matrix: readonly (readonly number[])[]): number[][] {
  return matrix.map((row) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((v) => (total > 0 ? (100 * v) / total : NaN));
  });
}

export type Rgb = [number, number, number];

export function parseHex(hex: string): Rgb {
  const h = hex.replace('#', '');
  const full = h.length === 3 ? [...h].map((c) => c + c).join('') : h;
  return [0, 2, 4].map((i) => parseInt(full.slice(i, i + 2), 16)) as Rgb;
}

export function mixRgb(a: Rgb, b: Rgb, t: number): Rgb {
  const k = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0));
  return [0, 1, 2].map((i) => Math.round(a[i]! + (b[i]! - a[i]!) * k)) as Rgb;
}

/** WCAG relative luminance. */
export function luminance([r, g, b]: Rgb): number {
  const c = (v: number) => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * c(r) + 0.7152 * c(g) + 0.0722 * c(b);
}

export function contrastRatio(a: Rgb, b: Rgb): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** Of two text colours, the one that reads better on `bg`. */
export function readableOn(bg: Rgb, dark: Rgb = [17, 20, 28], light: Rgb = [255, 255, 255]): Rgb {
  return contrastRatio(bg, dark) >= contrastRatio(bg, light) ? dark : light;
}

export const rgbCss = ([r, g, b]: Rgb): string => `rgb(${r} ${g} ${b})`;

export interface HeatCell {
  count: number;
  percent: number;
  background: string;
  color: string;
}

/**
 * Cells of a confusion matrix: the shade follows the row percentage (so a rare class reads as clearly as a common
 * one), the text colour is picked for contrast against that shade.
 */
export function heatCells(matrix: readonly (readonly number[])[], low: Rgb, high: Rgb): HeatCell[][] {
  const pct = rowPercents(matrix);
  return matrix.map((row, i) =>
    row.map((count, j) => {
      const p = pct[i]![j]!;
      const bg = mixRgb(low, high, Number.isFinite(p) ? p / 100 : 0);
      return { count, percent: p, background: rgbCss(bg), color: rgbCss(readableOn(bg)) };
    }),
  );
}

/** Per-class recall (the diagonal of the row percentages, 0..1) and UA = their mean over non-empty rows. */
export function recallFromConfusion(matrix: readonly (readonly number[])[]): {
  recall: number[];
  ua: number;
  wa: number;
} {
  const recall = matrix.map((row, i) => {
    const total = row.reduce((a, b) => a + b, 0);
    return total > 0 ? row[i]! / total : NaN;
  });
  const valid = recall.filter(Number.isFinite);
  const all = matrix.reduce((a, row) => a + row.reduce((x, y) => x + y, 0), 0);
  const diag = matrix.reduce((a, row, i) => a + (row[i] ?? 0), 0);
  return {
    recall,
    ua: valid.length ? valid.reduce((a, b) => a + b, 0) / valid.length : NaN,
    wa: all > 0 ? diag / all : NaN,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Band energies (the paper's Fig. 6 claim)
// ---------------------------------------------------------------------------------------------------------------

export interface BandPair {
  low: number;
  high: number;
}

export interface BandBar {
  band: 'low' | 'high';
  series: 'original' | 'protected' | 'perturbation';
  /** Energy relative to the original's total energy, in dB. */
  db: number;
  /** Bar length 0..1 on the shared dB axis. */
  fraction: number;
}

export const dbOf = (ratio: number, floorDb = -120): number =>
  ratio > 0 ? Math.max(floorDb, 10 * Math.log10(ratio)) : floorDb;

/**
 * Bars for energy below/above the split, in dB relative to the original's total energy, on one axis that spans
 * `rangeDb` below the loudest bar. Energies span orders of magnitude, so a linear axis would hide the high band.
 */
export function bandBars(
  series: { original: BandPair; protected: BandPair; perturbation?: BandPair },
  rangeDb = 60,
): { bars: BandBar[]; topDb: number; bottomDb: number } {
  const ref = series.original.low + series.original.high;
  const list: BandBar[] = [];
  for (const band of ['low', 'high'] as const) {
    for (const name of ['original', 'protected', 'perturbation'] as const) {
      const pair = series[name];
      if (!pair) continue;
      list.push({ band, series: name, db: dbOf(ref > 0 ? pair[band] / ref : 0), fraction: 0 });
    }
  }
  const topDb = Math.ceil(Math.max(0, ...list.map((b) => b.db)) / 10) * 10;
  const bottomDb = topDb - rangeDb;
  for (const b of list) b.fraction = Math.min(1, Math.max(0, (b.db - bottomDb) / rangeDb));
  return { bars: list, topDb, bottomDb };
}

/** Share of energy in the high band (0..1), NaN for silence. */
export function highShare(p: BandPair): number {
  const t = p.low + p.high;
  return t > 0 ? p.high / t : NaN;
}

// ---------------------------------------------------------------------------------------------------------------
// Frequency axis helpers (attention over STFT bins)
// ---------------------------------------------------------------------------------------------------------------

/** Centre frequency of STFT bin k for an n-point FFT. */
export const binHz = (k: number, nFft: number, sampleRate: number): number => (k * sampleRate) / nFft;

/** Normalises non-negative weights to sum 1 (attention may arrive unnormalised, e.g. averaged sigmoids). */
export function normalise(values: ArrayLike<number>): number[] {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += Math.max(0, values[i]!);
  return Array.from(values, (v) => (sum > 0 ? Math.max(0, v) / sum : 0));
}

/** Share of total weight at or above `splitHz`. */
export function shareAbove(values: ArrayLike<number>, nFft: number, sampleRate: number, splitHz = 2000): number {
  let hi = 0;
  let all = 0;
  for (let k = 0; k < values.length; k++) {
    const v = Math.max(0, values[k]!);
    all += v;
    if (binHz(k, nFft, sampleRate) >= splitHz) hi += v;
  }
  return all > 0 ? hi / all : NaN;
}
