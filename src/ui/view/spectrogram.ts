/**
 * Spectrogram drawing logic: a perceptual colour map, one dB range shared by every panel (so original, protected
 * and difference are comparable at a glance), pixel rendering and the frequency axis with the 2 kHz line.
 */
import type { Rgb } from './charts';

/** Control points of a magma-like map (dark → bright), readable in light and dark themes and in greyscale. */
const STOPS: [number, Rgb][] = [
  [0, [0, 0, 4]],
  [0.13, [28, 16, 68]],
  [0.25, [79, 18, 123]],
  [0.38, [129, 37, 129]],
  [0.5, [181, 54, 122]],
  [0.63, [229, 80, 100]],
  [0.75, [251, 135, 97]],
  [0.88, [254, 194, 135]],
  [1, [252, 253, 191]],
];

/** 256-entry RGB lookup table (flat, 3 bytes per entry). */
export const COLORMAP: Uint8Array = (() => {
  const lut = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    const t = i / 255;
    let s = 0;
    while (s < STOPS.length - 2 && t > STOPS[s + 1]![0]) s++;
    const [t0, c0] = STOPS[s]!;
    const [t1, c1] = STOPS[s + 1]!;
    const k = (t - t0) / (t1 - t0);
    for (let c = 0; c < 3; c++) lut[i * 3 + c] = Math.round(c0[c]! + (c1[c]! - c0[c]!) * k);
  }
  return lut;
})();

export function colorAt(t: number): Rgb {
  const i = Math.round(Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * 255);
  return [COLORMAP[i * 3]!, COLORMAP[i * 3 + 1]!, COLORMAP[i * 3 + 2]!];
}

export interface DbRange {
  min: number;
  max: number;
}

/**
 * One colour scale for all panels: the top is the loudest value in any of them (rounded up to 5 dB), the bottom
 * `dynamicRangeDb` below it. Everything quieter shows as the darkest colour.
 */
export function sharedDbRange(panels: readonly ArrayLike<number>[], dynamicRangeDb = 80): DbRange {
  let max = -Infinity;
  for (const p of panels) for (let i = 0; i < p.length; i++) if (p[i]! > max && Number.isFinite(p[i]!)) max = p[i]!;
  if (!Number.isFinite(max)) max = 0;
  const top = Math.ceil(max / 5) * 5;
  return { min: top - dynamicRangeDb, max: top };
}

/**
 * RGBA pixels (width = frames, height = bins) for dB values laid out row-major [frames][bins]; low frequencies at
 * the bottom, as on every spectrogram in print.
 */
export function spectrogramPixels(
  db: ArrayLike<number>,
  frames: number,
  bins: number,
  range: DbRange,
): Uint8ClampedArray {
  if (db.length !== frames * bins) throw new Error(`spectrogram has ${db.length} values, expected ${frames} × ${bins}`);
  const out = new Uint8ClampedArray(frames * bins * 4);
  const span = range.max - range.min || 1;
  for (let f = 0; f < frames; f++) {
    for (let k = 0; k < bins; k++) {
      const v = db[f * bins + k]!;
      const t = Number.isFinite(v) ? Math.min(1, Math.max(0, (v - range.min) / span)) : 0;
      const c = Math.round(t * 255) * 3;
      const o = ((bins - 1 - k) * frames + f) * 4;
      out[o] = COLORMAP[c]!;
      out[o + 1] = COLORMAP[c + 1]!;
      out[o + 2] = COLORMAP[c + 2]!;
      out[o + 3] = 255;
    }
  }
  return out;
}

export interface FreqTick {
  hz: number;
  label: string;
  /** 0 at the top of the plot, 1 at the bottom. */
  y: number;
}

/** Ticks every `stepHz` from 0 to Nyquist on a linear frequency axis. */
export function freqTicks(nyquistHz: number, stepHz = 1000): FreqTick[] {
  const ticks: FreqTick[] = [];
  for (let hz = 0; hz <= nyquistHz + 1e-6; hz += stepHz) {
    ticks.push({
      hz,
      label: hz === 0 ? '0' : hz % 1000 === 0 ? `${hz / 1000} kHz` : `${hz} Hz`,
      y: 1 - hz / nyquistHz,
    });
  }
  return ticks;
}

/** Vertical position (0 top … 1 bottom) of a frequency on a linear axis up to Nyquist. */
export const freqY = (hz: number, nyquistHz: number): number => 1 - Math.min(1, Math.max(0, hz / nyquistHz));

/** dB values for a colour-bar legend: the multiples of `stepDb` inside the range, in ascending order. */
export function legendTicks(range: DbRange, stepDb = 20): number[] {
  const out: number[] = [];
  for (let v = Math.ceil(range.min / stepDb) * stepDb; v <= range.max + 1e-9; v += stepDb) out.push(v === 0 ? 0 : v);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// F0 (pitch) overlay
// ---------------------------------------------------------------------------------------------------------------

/**
 * Vertical position (0 top … 1 bottom) of an F0 on its own logarithmic axis over [minHz, maxHz]. The spectrogram's
 * linear 0–8 kHz axis would squeeze 50–500 Hz into its bottom 6 %, so pitch gets a second axis (as in Praat):
 * equal steps are equal musical intervals.
 */
export function f0Y(hz: number, minHz: number, maxHz: number): number {
  const t = Math.log(hz / minHz) / Math.log(maxHz / minHz);
  return 1 - Math.min(1, Math.max(0, t));
}

/** Octave ticks for the F0 axis (50, 100, 200, 400 Hz for 50–500 Hz). */
export function f0Ticks(minHz: number, maxHz: number): FreqTick[] {
  const ticks: FreqTick[] = [];
  for (let hz = minHz; hz <= maxHz * (1 + 1e-9); hz *= 2)
    ticks.push({ hz, label: `${Math.round(hz)} Hz`, y: f0Y(hz, minHz, maxHz) });
  return ticks;
}

/** Width and height of the overlay's coordinate space (the SVG stretches it over the plot). */
export const F0_VIEW = 1000;

/**
 * SVG polyline point lists for an F0 contour (Hz per point, 0 = unvoiced) drawn over a plot of `durationSeconds`:
 * one list per voiced run, so the line breaks where the voice stops instead of diving to the axis. A run of one
 * point becomes a short dash one point wide, so an isolated voiced moment still shows.
 */
export function f0Polylines(
  f0: ArrayLike<number>,
  hopS: number,
  durationSeconds: number,
  minHz: number,
  maxHz: number,
): string[] {
  const lines: string[] = [];
  if (!(durationSeconds > 0)) return lines;
  const x = (i: number) => Math.min(F0_VIEW, (i * hopS * F0_VIEW) / durationSeconds);
  const y = (hz: number) => f0Y(hz, minHz, maxHz) * F0_VIEW;
  let run: string[] = [];
  const flush = (last: number) => {
    if (run.length === 1) run.push(`${x(last + 0.5).toFixed(1)},${y(f0[last]!).toFixed(1)}`);
    if (run.length) lines.push(run.join(' '));
    run = [];
  };
  for (let i = 0; i < f0.length; i++) {
    const hz = f0[i]!;
    if (hz > 0 && Number.isFinite(hz)) run.push(`${x(i).toFixed(1)},${y(hz).toFixed(1)}`);
    else if (run.length) flush(i - 1);
  }
  if (run.length) flush(f0.length - 1);
  return lines;
}
