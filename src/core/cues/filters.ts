/**
 * Second-order IIR sections (RBJ audio-EQ cookbook, bilinear transform) for the cue measures: cheap O(n) band
 * limiting where an STFT per frame would cost far more on 10-minute clips.
 */
import { SAMPLE_RATE } from '../audio/constants';

interface Biquad {
  b0: number;
  b1: number;
  b2: number;
  a1: number;
  a2: number;
}

function design(kind: 'lowpass' | 'highpass', hz: number, sampleRate: number): Biquad {
  const w = (2 * Math.PI * hz) / sampleRate;
  const cos = Math.cos(w);
  const alpha = Math.sin(w) / (2 * Math.SQRT1_2); // Q = 1/√2: Butterworth
  const a0 = 1 + alpha;
  const b1 = kind === 'lowpass' ? 1 - cos : -(1 + cos);
  const b0 = kind === 'lowpass' ? (1 - cos) / 2 : (1 + cos) / 2;
  return { b0: b0 / a0, b1: b1 / a0, b2: b0 / a0, a1: (-2 * cos) / a0, a2: (1 - alpha) / a0 };
}

function run(x: Float32Array, f: Biquad): Float32Array {
  const y = new Float32Array(x.length);
  let x1 = 0;
  let x2 = 0;
  let y1 = 0;
  let y2 = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    const out = f.b0 * v + f.b1 * x1 + f.b2 * x2 - f.a1 * y1 - f.a2 * y2;
    x2 = x1;
    x1 = v;
    y2 = y1;
    y1 = out;
    y[i] = out;
  }
  return y;
}

/**
 * Fourth-order low-pass (two Butterworth sections, −6 dB at `hz`, then −24 dB per octave). Returns a new array; the
 * input is never modified.
 */
export function lowpass(x: Float32Array, hz: number, sampleRate = SAMPLE_RATE): Float32Array {
  const f = design('lowpass', hz, sampleRate);
  return run(run(x, f), f);
}

/** Fourth-order band-pass: the high-pass pair at `loHz`, then the low-pass pair at `hiHz`. Returns a new array. */
export function bandpass(x: Float32Array, loHz: number, hiHz: number, sampleRate = SAMPLE_RATE): Float32Array {
  const h = design('highpass', loHz, sampleRate);
  return lowpass(run(run(x, h), h), hiHz, sampleRate);
}
