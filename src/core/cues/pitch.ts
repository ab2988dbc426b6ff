/**
 * YIN pitch tracker (de Cheveigné & Kawahara 2002) for 16 kHz mono audio: difference function, cumulative mean
 * normalised difference (CMND), absolute threshold, parabolic interpolation. Plain TypeScript, no tfjs, so the worker,
 * Node scripts and UI tests all get the same contour.
 *
 * The difference function is computed through one FFT correlation per frame (d(τ) = E₀ + E_τ − 2r(τ)), which is
 * ~10× faster than the direct double loop at these lags; with the signal low-passed and decimated to 8 kHz a 10 s
 * clip takes about 50 ms in Node.
 *
 * Every multiple of a period is a period too, so a tone above the range reads as the sub-multiple that falls inside
 * it (a 600 Hz tone as 300 Hz); voices do not go there.
 */
import { SAMPLE_RATE } from '../audio/constants';
import { makeFft } from './fft';
import { lowpass } from './filters';
import { checkSignal, frameCount, HOP_SAMPLES, squaredPrefix, windowEnergy } from './frames';

export interface PitchTrack {
  /** Seconds between frames (frame t is centred at t · hopS). */
  hopS: number;
  /** F0 in Hz per frame; 0 where unvoiced. */
  f0Hz: Float32Array;
  /** 1 where the frame is voiced (periodic enough and loud enough), else 0. */
  voiced: Uint8Array;
  /**
   * How far from periodic the frame is at the chosen period (0 = perfectly periodic, ~1 = noise): the larger of the
   * CMND and the difference normalised by both windows' energy. 1 for frames the energy gate skipped. The voicing
   * threshold is applied to this.
   */
  aperiodicity: Float32Array;
  /** 1 where the frame passes the energy gate (so voicing was decided on periodicity), else 0. */
  active: Uint8Array;
}

export interface PitchOptions {
  /** Lowest F0 searched, Hz. Default 50. */
  minHz?: number;
  /** Highest F0 searched, Hz. Default 500. */
  maxHz?: number;
  /** YIN's absolute threshold: the first CMND dip under it is the period. Default 0.15. */
  threshold?: number;
  /** A frame is voiced only when its aperiodicity is under this. Default 0.3. */
  voicingThreshold?: number;
  /** Frames more than this many dB under the clip's loudest frame are unvoiced without a look. Default 40. */
  gateDb?: number;
  /** Frames under this absolute level (dBFS, RMS) are unvoiced: digital silence and dither. Default −70. */
  floorDbfs?: number;
  /**
   * Samples (16 kHz) between frames, an even number. Default 160 (10 ms), the grid every cue comparison uses; a
   * display of a long clip can ask for a coarser one and pay proportionally less.
   */
  hopSamples?: number;
}

export const PITCH_DEFAULTS = {
  minHz: 50,
  maxHz: 500,
  threshold: 0.15,
  voicingThreshold: 0.3,
  gateDb: 40,
  floorDbfs: -70,
} as const;

const LOWPASS_HZ = 1000;
/** The octave check only second-guesses dips shallower than this (a clean period's dip is near 0)… */
const OCTAVE_MIN_CMND = 0.03;
/** …and takes the doubled period when its dip is at most this fraction as deep. */
const OCTAVE_RATIO = 0.5;
/** After the 1 kHz low-pass nothing lives above 2 kHz worth keeping, so YIN runs at 8 kHz: half the work per frame. */
const DECIMATE = 2;
const RATE = SAMPLE_RATE / DECIMATE;
/** Integration window: 32 ms, longer than the 20 ms period of a 50 Hz voice, as YIN needs. */
const WINDOW = 256;
const FFT_SIZE = 512;

export function trackPitch(input: Float32Array, opts: PitchOptions = {}): PitchTrack {
  checkSignal(input);
  // Harmonics above ~1 kHz add nothing to the period but break it: with a non-integer period the high harmonics of
  // a sharp glottal pulse misalign at every integer lag, and YIN then prefers a sub-harmonic whose period is an
  // integer (a 150 Hz pulse train read as 50 Hz). Low-passing first removes that octave error.
  const low = lowpass(input, LOWPASS_HZ);
  const x = new Float32Array(Math.ceil(low.length / DECIMATE));
  for (let i = 0; i < x.length; i++) x[i] = low[i * DECIMATE]!;
  const o = { ...PITCH_DEFAULTS, ...opts };
  if (!(o.minHz > 0 && o.maxHz > o.minHz))
    throw new RangeError(`The F0 range ${o.minHz}–${o.maxHz} Hz is not a range.`);
  const sr = RATE;
  const hop16 = opts.hopSamples ?? HOP_SAMPLES;
  if (!(Number.isInteger(hop16) && hop16 >= DECIMATE && hop16 % DECIMATE === 0))
    throw new RangeError(`The hop must be an even number of samples, got ${hop16}.`);
  const hop = hop16 / DECIMATE;
  const lagLo = Math.max(2, Math.floor(sr / o.maxHz));
  const lagHi = Math.ceil(sr / o.minHz);
  // One more lag than searched, so a dip at lagHi can still be interpolated.
  const segLen = WINDOW + lagHi + 2;
  if (segLen > FFT_SIZE)
    throw new RangeError(
      `The lowest F0 (${o.minHz} Hz) needs lags beyond this tracker's window; use ≥ ${Math.ceil(sr / (FFT_SIZE - WINDOW - 2))} Hz.`,
    );

  // Counted on the 16 kHz input, so the frames line up with the loudness envelope's.
  const frames = frameCount(input.length, hop16);
  const f0Hz = new Float32Array(frames);
  const voiced = new Uint8Array(frames);
  const aperiodicity = new Float32Array(frames).fill(1);
  const active = new Uint8Array(frames);

  // The energy gate is relative to the clip's own loudest frame, so a quieter copy of a clip gets the same decisions.
  const prefix = squaredPrefix(x);
  const energy = new Float64Array(frames);
  let peak = 0;
  for (let t = 0; t < frames; t++) {
    energy[t] = windowEnergy(prefix, t * hop - WINDOW / 2, WINDOW) / WINDOW;
    peak = Math.max(peak, energy[t]!);
  }
  const gate = Math.max(peak * 10 ** (-o.gateDb / 10), 10 ** (o.floorDbfs / 10));

  const fft = makeFft(FFT_SIZE);
  const re = new Float64Array(FFT_SIZE);
  const im = new Float64Array(FFT_SIZE);
  const pr = new Float64Array(FFT_SIZE);
  const pi = new Float64Array(FFT_SIZE);
  const seg = new Float64Array(segLen);
  const segPrefix = new Float64Array(segLen + 1);
  const d = new Float64Array(lagHi + 2);
  const cmnd = new Float64Array(lagHi + 2);

  for (let t = 0; t < frames; t++) {
    if (energy[t]! < gate || energy[t]! <= 0) continue;
    active[t] = 1;
    // The compared windows [s, s+W) and [s+τ, s+τ+W) straddle the frame centre on average over the searched lags.
    // At the clip's ends the segment slides inside the clip instead of reading zeros, which would bias d(τ) (a
    // half-empty window makes E_τ depend on τ).
    let s = t * hop - ((WINDOW + lagHi) >> 1);
    if (x.length >= segLen) s = Math.min(x.length - segLen, Math.max(0, s));
    for (let i = 0; i < segLen; i++) {
      const k = s + i;
      seg[i] = k >= 0 && k < x.length ? x[k]! : 0;
      segPrefix[i + 1] = segPrefix[i]! + seg[i]! * seg[i]!;
    }
    // r(τ) = Σ_{j<W} a_j b_{j+τ} with a = the first W samples, b = the whole segment: both go through one complex FFT
    // (a real, b imaginary), the cross-spectrum conj(A)·B is formed, and one more FFT inverts it.
    for (let i = 0; i < FFT_SIZE; i++) {
      re[i] = i < WINDOW ? seg[i]! : 0;
      im[i] = i < segLen ? seg[i]! : 0;
    }
    fft.forward(re, im);
    for (let k = 0; k < FFT_SIZE; k++) {
      const m = (FFT_SIZE - k) & (FFT_SIZE - 1);
      const ar = 0.5 * (re[k]! + re[m]!);
      const ai = 0.5 * (im[k]! - im[m]!);
      const br = 0.5 * (im[k]! + im[m]!);
      const bi = 0.5 * (re[m]! - re[k]!);
      pr[k] = ar * br + ai * bi;
      // Conjugated here so the forward FFT below computes the inverse transform.
      pi[k] = -(ar * bi - ai * br);
    }
    fft.forward(pr, pi);
    const e0 = segPrefix[WINDOW]!;
    let running = 0;
    d[0] = 0;
    cmnd[0] = 1;
    for (let lag = 1; lag <= lagHi + 1; lag++) {
      const r = pr[lag]! / FFT_SIZE;
      const eLag = segPrefix[lag + WINDOW]! - segPrefix[lag]!;
      d[lag] = Math.max(0, e0 + eLag - 2 * r);
      running += d[lag]!;
      cmnd[lag] = running > 0 ? (d[lag]! * lag) / running : 1;
    }

    let best = -1;
    for (let lag = lagLo; lag <= lagHi; lag++) {
      if (cmnd[lag]! < o.threshold) {
        while (lag + 1 <= lagHi && cmnd[lag + 1]! < cmnd[lag]!) lag++;
        best = lag;
        break;
      }
    }
    if (best < 0) {
      // YIN's fallback: the global minimum, which the voicing threshold then judges.
      let min = Infinity;
      for (let lag = lagLo; lag <= lagHi; lag++) {
        if (cmnd[lag]! < min) {
          min = cmnd[lag]!;
          best = lag;
        }
      }
    }
    // Octave check: with a weak fundamental (a high voice whose first formant sits on the second harmonic) half the
    // period already dips under the threshold, but the true period dips far deeper. Take it when it does.
    if (2 * best + 1 <= lagHi && cmnd[best]! > OCTAVE_MIN_CMND) {
      let lag2 = 2 * best - 1;
      for (let lag = 2 * best - 1; lag <= 2 * best + 1; lag++) if (cmnd[lag]! < cmnd[lag2]!) lag2 = lag;
      if (cmnd[lag2]! < OCTAVE_RATIO * cmnd[best]!) best = lag2;
    }
    // The CMND alone is fooled at an onset: when the first window is nearly empty, d(τ) grows with τ as the signal
    // enters the lagged one, and the cumulative mean makes the smallest lags look periodic. d over the two windows'
    // energies (0 = identical, 1 = unrelated) catches that, so the aperiodicity is the worse of the two.
    const eBest = segPrefix[best + WINDOW]! - segPrefix[best]!;
    const nd = e0 + eBest > 0 ? d[best]! / (e0 + eBest) : 1;
    aperiodicity[t] = Math.max(cmnd[best]!, nd);
    // A "dip" on the range's edge that keeps falling outside it belongs to a period outside the range.
    const edge =
      (best === lagLo && cmnd[lagLo - 1]! < cmnd[lagLo]!) || (best === lagHi && cmnd[lagHi + 1]! < cmnd[lagHi]!);
    if (edge || aperiodicity[t]! >= o.voicingThreshold) continue;
    // Sub-sample period from a parabola through the raw difference function, which (unlike the CMND) has no slope bias.
    const a = d[best - 1]!;
    const b = d[best]!;
    const c = d[best + 1]!;
    const den = a - 2 * b + c;
    const shift = den > 0 ? Math.max(-1, Math.min(1, (0.5 * (a - c)) / den)) : 0;
    f0Hz[t] = sr / (best + shift);
    voiced[t] = 1;
  }
  return { hopS: hop16 / SAMPLE_RATE, f0Hz, voiced, aperiodicity, active };
}

/** Median F0 (Hz) over voiced frames; NaN when none is voiced. */
export function medianF0(track: PitchTrack): number {
  const v: number[] = [];
  for (let t = 0; t < track.f0Hz.length; t++) if (track.voiced[t]) v.push(track.f0Hz[t]!);
  if (v.length === 0) return NaN;
  v.sort((p, q) => p - q);
  const m = v.length >> 1;
  return v.length % 2 ? v[m]! : 0.5 * (v[m - 1]! + v[m]!);
}

/** Semitones of `hz` relative to `refHz` (12 per octave). */
export const semitones = (hz: number, refHz = 100): number => 12 * Math.log2(hz / refHz);

/** An F0 contour for display: Hz per point, 0 where unvoiced. */
export interface F0Contour {
  /** Seconds between points (point i is centred at i · hopS). */
  hopS: number;
  f0Hz: Float32Array;
}

/**
 * At most `maxPoints` points (a 10-minute clip has 60,000 frames; a screen shows a few hundred): each point is the
 * median of the voiced F0s in its group of frames, or 0 when fewer than half of them are voiced, so short blips do not
 * draw and a voiced stretch is not broken by one unvoiced frame.
 */
export function contourForDisplay(track: PitchTrack, maxPoints: number): F0Contour {
  const n = track.f0Hz.length;
  const k = Math.max(1, Math.ceil(n / Math.max(1, Math.floor(maxPoints))));
  if (k === 1) return { hopS: track.hopS, f0Hz: track.f0Hz.slice() };
  const out = new Float32Array(Math.ceil(n / k));
  const group: number[] = [];
  for (let p = 0; p < out.length; p++) {
    group.length = 0;
    const end = Math.min(n, (p + 1) * k);
    for (let t = p * k; t < end; t++) if (track.voiced[t]) group.push(track.f0Hz[t]!);
    if (group.length * 2 < end - p * k) continue;
    group.sort((a, b) => a - b);
    const m = group.length >> 1;
    out[p] = group.length % 2 ? group[m]! : 0.5 * (group[m - 1]! + group[m]!);
  }
  return { hopS: track.hopS * k, f0Hz: out };
}
