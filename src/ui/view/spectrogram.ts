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
export function spectrogramPixels(db: ArrayLike<number>, frames: number, bins: number, range: DbRange): Uint8ClampedArray {
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
    ticks.push({ hz, label: hz === 0 ? '0' : hz % 1000 === 0 ? `${hz / 1000} kHz` : `${hz} Hz`, y: 1 - hz / nyquistHz });
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
