/**
 * Frame layout shared by every cue measure, so contours of the same clip (and of an original and its processed copy)
 * line up frame for frame: frame t is centred on sample t·hop, the first on sample 0, the last on or before the final
 * sample. Windows that reach past either end see zeros.
 */
import { SAMPLE_RATE } from '../audio/constants';

/** 10 ms at 16 kHz. */
export const HOP_SAMPLES = 160;
export const HOP_S = HOP_SAMPLES / SAMPLE_RATE;

export function frameCount(samples: number, hop = HOP_SAMPLES): number {
  return samples <= 0 ? 0 : Math.floor((samples - 1) / hop) + 1;
}

/** Prefix sums of x² (length n + 1) in double precision, so any window's energy is one subtraction. */
export function squaredPrefix(x: Float32Array): Float64Array {
  const c = new Float64Array(x.length + 1);
  let acc = 0;
  for (let i = 0; i < x.length; i++) {
    acc += x[i]! * x[i]!;
    c[i + 1] = acc;
  }
  return c;
}

/** Energy Σx² over [start, start + len), with zeros outside the signal. */
export function windowEnergy(prefix: Float64Array, start: number, len: number): number {
  const n = prefix.length - 1;
  const a = Math.min(n, Math.max(0, start));
  const b = Math.min(n, Math.max(0, start + len));
  return Math.max(0, prefix[b]! - prefix[a]!);
}

/** Rejects what no measure can use, with a sentence a user can act on (the caller's audio is never touched). */
export function checkSignal(x: unknown, what = 'The clip'): Float32Array {
  if (!(x instanceof Float32Array)) throw new TypeError(`${what} must be a Float32Array of 16 kHz samples.`);
  if (x.length === 0) throw new RangeError(`${what} is empty.`);
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]!))
      throw new RangeError(
        `${what} contains an invalid sample (NaN or infinity) at ${(i / SAMPLE_RATE).toFixed(3)} s.`,
      );
  }
  return x;
}

/** Level in dB of a mean square, floored far below anything 16-bit audio can hold so silence stays finite. */
export function powerDb(meanSquare: number): number {
  return 10 * Math.log10(meanSquare + 1e-12);
}
