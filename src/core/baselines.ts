/**
 * Signal-processing baseline protections for the privacy–utility evaluation (issue #7): white noise, low-pass
 * filtering, pitch shifting and McAdams-coefficient anonymisation (VoicePrivacy Challenge baseline B2).
 *
 * Every baseline has Aclipse's interface: a clip in, a clip of the same length out, and the same budget semantics —
 * the output never differs from the input by more than ‖y − x‖ ≤ 10^(−SNR/20)·‖x‖. Methods whose strength is not a
 * free parameter (low-pass, pitch, McAdams) compute their full effect z and project the residual z − x onto that
 * L2 ball, so at a given SNR they are compared with Aclipse on equal footing. Noise has its level as the free
 * parameter, so it is generated at exactly the budget.
 *
 * Pure TypeScript, no tfjs: runs in Node scripts, the worker and the main thread alike.
 */
import { mulberry32 } from './data/random';
import { besselI0, resample } from './audio/resample';
import { SAMPLE_RATE } from './audio/constants';
import { fftInPlace, snrDb } from './analysis';
import { BUDGET_MARGIN, budgetRatio } from './budget';

// ---------------------------------------------------------------------------------------------------------------
// Budget
// ---------------------------------------------------------------------------------------------------------------

function norm(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * x[i]!;
  return Math.sqrt(s);
}

/** True when `minSnrDb` means "no budget" (report the method's full effect). */
function unbudgeted(minSnrDb: number | null): minSnrDb is null {
  return minSnrDb === null || minSnrDb === -Infinity;
}

export interface Projection {
  y: Float32Array;
  /** Factor applied to the residual z − x: 1 when the full effect already met the budget. */
  scale: number;
}

/**
 * Projects the residual z − x onto the L2 ball ‖δ‖ ≤ ρ‖x‖ (ρ from `minSnrDb`): y = x + δ·min(1, ρ‖x‖/‖δ‖).
 * When the full effect z is already within the budget it is returned unchanged (a copy). `null` or −Infinity
 * means no budget. A silent x admits no change at all, so y = x.
 */
export function projectResidualToBudget(x: Float32Array, z: Float32Array, minSnrDb: number | null): Projection {
  if (x.length !== z.length) throw new RangeError(`Length mismatch: x has ${x.length} samples, z has ${z.length}`);
  if (unbudgeted(minSnrDb)) return { y: z.slice(), scale: 1 };
  if (Number.isNaN(minSnrDb)) throw new RangeError('minSnrDb is NaN');
  let dd = 0;
  let xx = 0;
  for (let i = 0; i < x.length; i++) {
    const d = z[i]! - x[i]!;
    dd += d * d;
    xx += x[i]! * x[i]!;
  }
  const allowed = budgetRatio(minSnrDb) * Math.sqrt(xx);
  const dNorm = Math.sqrt(dd);
  if (dNorm <= allowed) return { y: z.slice(), scale: 1 };
  const scale = (allowed * BUDGET_MARGIN) / dNorm;
  const y = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) y[i] = x[i]! + (z[i]! - x[i]!) * scale;
  return { y, scale };
}

// ---------------------------------------------------------------------------------------------------------------
// 1. White Gaussian noise
// ---------------------------------------------------------------------------------------------------------------

/** Deterministic standard-normal samples (Box–Muller over mulberry32). */
export function gaussianNoise(length: number, seed: number): Float64Array {
  const rand = mulberry32(seed);
  const out = new Float64Array(length);
  for (let i = 0; i < length; i += 2) {
    const u1 = Math.max(rand(), 1e-300);
    const u2 = rand();
    const r = Math.sqrt(-2 * Math.log(u1));
    out[i] = r * Math.cos(2 * Math.PI * u2);
    if (i + 1 < length) out[i + 1] = r * Math.sin(2 * Math.PI * u2);
  }
  return out;
}

/**
 * x plus white Gaussian noise whose realised energy gives exactly `snrDb` (the noise is rescaled to the norm
 * ‖x‖·10^(−SNR/20), so the SNR is exact rather than only expected). Deterministic per seed.
 */
export function addWhiteNoise(x: Float32Array, snrDb: number, seed = 0): Float32Array {
  const n = gaussianNoise(x.length, seed);
  const nNorm = norm(n);
  const scale = nNorm > 0 ? (budgetRatio(snrDb) * norm(x)) / nNorm : 0;
  const y = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) y[i] = x[i]! + n[i]! * scale;
  return y;
}

// ---------------------------------------------------------------------------------------------------------------
// 2. Linear-phase FIR low-pass
// ---------------------------------------------------------------------------------------------------------------

export interface LowpassOptions {
  sampleRate?: number;
  /** Transition band width in Hz, centred on the cutoff. Default 500 Hz. */
  transitionHz?: number;
  /** Stopband attenuation in dB (sets the Kaiser β and the length). Default 80 dB. */
  attenuationDb?: number;
}

/**
 * Kaiser-windowed sinc low-pass (type I: odd length, symmetric, unit DC gain). The −6 dB point sits at
 * `cutoffHz`; the passband ends at cutoff − transition/2 and the stopband starts at cutoff + transition/2.
 */
export function designLowpass(cutoffHz: number, opts: LowpassOptions = {}): Float64Array {
  const fs = opts.sampleRate ?? SAMPLE_RATE;
  const transition = opts.transitionHz ?? 500;
  const atten = opts.attenuationDb ?? 80;
  if (!(cutoffHz > 0 && cutoffHz < fs / 2)) throw new RangeError(`Cutoff ${cutoffHz} Hz outside (0, ${fs / 2})`);
  // Kaiser's design formulas (Oppenheim & Schafer 7.6).
  const beta =
    atten > 50 ? 0.1102 * (atten - 8.7) : atten >= 21 ? 0.5842 * (atten - 21) ** 0.4 + 0.07886 * (atten - 21) : 0;
  const order = Math.ceil((atten - 8) / (2.285 * ((2 * Math.PI * transition) / fs)));
  const half = Math.ceil(order / 2);
  const taps = 2 * half + 1;
  const fc = cutoffHz / fs; // cycles per sample
  const h = new Float64Array(taps);
  const i0b = besselI0(beta);
  let sum = 0;
  for (let k = 0; k < taps; k++) {
    const t = k - half;
    const sinc = t === 0 ? 2 * fc : Math.sin(2 * Math.PI * fc * t) / (Math.PI * t);
    const r = t / half;
    h[k] = sinc * (besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r))) / i0b);
    sum += h[k]!;
  }
  for (let k = 0; k < taps; k++) h[k]! /= sum;
  return h;
}

/**
 * Zero-phase convolution with an odd-length symmetric kernel: output aligned with x, same length, zeros beyond the
 * ends. FFT overlap-add (on analysis.ts's FFT), ~10× faster than the direct sum for the ~160-tap kernels here.
 */
export function convolveCentered(x: Float32Array, h: Float64Array): Float32Array {
  const n = x.length;
  const taps = h.length;
  const half = (taps - 1) / 2;
  let size = 1;
  while (size < 4 * taps) size <<= 1;
  const block = size - taps + 1;
  const hr = new Float64Array(size);
  const hi = new Float64Array(size);
  hr.set(h);
  fftInPlace(hr, hi);
  const out = new Float64Array(n + taps);
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  for (let b0 = 0; b0 < n; b0 += block) {
    re.fill(0);
    im.fill(0);
    const len = Math.min(block, n - b0);
    for (let i = 0; i < len; i++) re[i] = x[b0 + i]!;
    fftInPlace(re, im);
    // Multiply by H and conjugate in one pass: the inverse FFT is conj(FFT(conj(X)))/size.
    for (let k = 0; k < size; k++) {
      const r = re[k]! * hr[k]! - im[k]! * hi[k]!;
      const i = re[k]! * hi[k]! + im[k]! * hr[k]!;
      re[k] = r;
      im[k] = -i;
    }
    fftInPlace(re, im);
    const end = Math.min(len + taps - 1, out.length - b0);
    for (let i = 0; i < end; i++) out[b0 + i]! += re[i]! / size;
  }
  // Full convolution sample j + half lines up with x[j]: dropping the first `half` samples removes the group delay.
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) y[i] = out[i + half]!;
  return y;
}

/**
 * Linear-phase FIR low-pass with its group delay compensated (the kernel is applied centred), so the output stays
 * sample-aligned with the input and keeps its length.
 */
export function firLowpass(x: Float32Array, cutoffHz: number, opts: LowpassOptions = {}): Float32Array {
  return convolveCentered(x, designLowpass(cutoffHz, opts));
}

// ---------------------------------------------------------------------------------------------------------------
// 3. Pitch shift: WSOLA time stretch, then band-limited resampling
// ---------------------------------------------------------------------------------------------------------------

export interface PitchShiftOptions {
  sampleRate?: number;
  /** WSOLA frame length in ms (Hann, 50 % overlap). Default 32 ms. */
  frameMs?: number;
  /** WSOLA search tolerance in ms on each side. Default 8 ms (covers half a pitch period down to ~62 Hz). */
  toleranceMs?: number;
}

/** Denominator of the rational approximation of the pitch ratio (keeps the resampler on its polyphase table). */
const RATIO_DENOMINATOR = 4000;

/** Σ_j t[j]·x[start + 2j]: the decimated correlation used by the WSOLA search. */
function correlate(t: Float64Array, x: Float64Array, start: number): number {
  let acc = 0;
  for (let j = 0, i = start; j < t.length; j++, i += 2) acc += t[j]! * x[i]!;
  return acc;
}

/**
 * WSOLA (Verhelst & Roelands 1993) time stretch by `factor` (> 1 = longer). Each output frame copies the input
 * segment near its nominal position whose waveform best continues the previously copied segment (maximum
 * cross-correlation within ±tolerance), so periodic speech overlaps in phase and no phasiness builds up.
 * Output time t maps to input time t/factor (up to ±tolerance), which keeps the result aligned after resampling.
 */
export function wsolaStretch(
  x: Float32Array,
  factor: number,
  outLength: number,
  frame: number,
  tolerance: number,
): Float32Array {
  const hop = frame / 2;
  const halfFrame = frame / 2;
  const pad = frame + tolerance + hop + 2;
  // Padded copy so segment reads never need bounds checks.
  const xp = new Float64Array(2 * pad + Math.max(x.length, Math.ceil(outLength / factor)));
  for (let i = 0; i < x.length; i++) xp[pad + i] = x[i]!;
  const win = new Float64Array(frame);
  // Periodic Hann: sums to exactly 1 at hop = frame/2.
  for (let i = 0; i < frame; i++) win[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / frame);
  const tmpl = new Float64Array(frame / 2);
  const y = new Float64Array(outLength + frame);
  const frames = Math.ceil((outLength + halfFrame) / hop) + 1;
  const maxStart = xp.length - frame - hop - tolerance - 1;
  let prev = -1; // padded start of the previously copied segment
  for (let k = 0; k < frames; k++) {
    // Frame k covers output samples [k·hop − frame/2, k·hop + frame/2).
    const nominal = Math.round((k * hop) / factor) - halfFrame + pad;
    let best = Math.min(Math.max(nominal, tolerance), maxStart);
    if (prev >= 0) {
      // Window-weighted natural continuation of the previous segment: the waveform the next segment should match.
      const natural = prev + hop;
      for (let i = 0; i < frame; i += 2) tmpl[i >> 1] = win[i]! * xp[natural + i]!;
      const lo = Math.max(nominal - tolerance, 0);
      const hi = Math.min(nominal + tolerance, maxStart);
      // Coarse search on every other lag (correlation over every other sample), then refine around the winner.
      let bestScore = -Infinity;
      for (let c = lo; c <= hi; c += 2) {
        const score = correlate(tmpl, xp, c);
        if (score > bestScore) {
          bestScore = score;
          best = c;
        }
      }
      for (const c of [best - 1, best + 1]) {
        if (c < lo || c > hi) continue;
        const score = correlate(tmpl, xp, c);
        if (score > bestScore) {
          bestScore = score;
          best = c;
        }
      }
    }
    const outStart = k * hop - halfFrame;
    for (let i = 0; i < frame; i++) {
      const o = outStart + i;
      if (o >= 0 && o < y.length) y[o]! += win[i]! * xp[best + i]!;
    }
    prev = best;
  }
  const out = new Float32Array(outLength);
  for (let i = 0; i < outLength; i++) out[i] = y[i]!;
  return out;
}

/**
 * Shifts the pitch by `semitones` and keeps the length and timing: WSOLA stretches time by r = 2^(semitones/12),
 * then band-limited resampling by 1/r restores the duration and raises (or lowers) every frequency by r. Like any
 * resampling pitch shift it moves the formants with the pitch.
 */
export function pitchShift(x: Float32Array, semitones: number, opts: PitchShiftOptions = {}): Float32Array {
  const n = x.length;
  if (n === 0 || semitones === 0) return x.slice();
  const fs = opts.sampleRate ?? SAMPLE_RATE;
  let frame = Math.round(((opts.frameMs ?? 32) * fs) / 1000);
  frame += frame % 2;
  const tolerance = Math.max(1, Math.round(((opts.toleranceMs ?? 8) * fs) / 1000));
  // r ≈ from/to with a fixed denominator: |Δr| ≤ 1/8000, under 0.005 semitones for |shift| ≤ 12.
  const to = RATIO_DENOMINATOR;
  const from = Math.max(1, Math.round(to * Math.pow(2, semitones / 12)));
  const r = from / to;
  const stretchedLength = Math.ceil(n * r);
  const stretched = wsolaStretch(x, r, stretchedLength, frame, tolerance);
  const shifted = resample(stretched, from, to, { zeroCrossings: 16 });
  const y = new Float32Array(n);
  y.set(shifted.subarray(0, Math.min(n, shifted.length)));
  return y;
}

// ---------------------------------------------------------------------------------------------------------------
// 4. McAdams-coefficient anonymisation (VoicePrivacy Challenge B2)
// ---------------------------------------------------------------------------------------------------------------

export interface McAdamsOptions {
  sampleRate?: number;
  /** LPC order. Default 20 (VPC B2). */
  order?: number;
  /** Frame length in ms. Default 20 (VPC B2). */
  frameMs?: number;
  /** Frame shift in ms. Default 10 (VPC B2, 50 % overlap). */
  shiftMs?: number;
  /**
   * Rescale the output to the input's energy (one gain per clip). Default true. The VPC script peak-normalises its
   * output instead; matching energy keeps the level comparable, so the SNR budget is spent on the spectral change
   * rather than on a loudness change.
   */
  matchEnergy?: boolean;
}

/**
 * Autocorrelation-method LPC by Levinson–Durbin: returns a = [1, a1, …, ap] with A(z) = Σ a_k z^−k, or null for a
 * (near-)silent frame. The autocorrelation method gives a minimum-phase A(z), i.e. a stable all-pole model.
 */
export function lpc(frame: ArrayLike<number>, order: number): Float64Array | null {
  const n = frame.length;
  const r = new Float64Array(order + 1);
  for (let lag = 0; lag <= order; lag++) {
    let s = 0;
    for (let i = lag; i < n; i++) s += frame[i]! * frame[i - lag]!;
    r[lag] = s;
  }
  if (!(r[0]! > 1e-12)) return null;
  r[0]! *= 1 + 1e-9; // white-noise correction: keeps the recursion well conditioned on near-deterministic frames
  const a = new Float64Array(order + 1);
  const tmp = new Float64Array(order + 1);
  a[0] = 1;
  let err = r[0]!;
  for (let i = 1; i <= order; i++) {
    let acc = r[i]!;
    for (let j = 1; j < i; j++) acc += a[j]! * r[i - j]!;
    const k = -acc / err;
    tmp.set(a);
    for (let j = 1; j < i; j++) a[j] = tmp[j]! + k * tmp[i - j]!;
    a[i] = k;
    err *= 1 - k * k;
    if (!(err > 0)) return null;
  }
  return a;
}

export interface Roots {
  re: Float64Array;
  im: Float64Array;
  /** False when the iteration hit its cap before the corrections fell below tolerance. */
  converged: boolean;
}

/**
 * Roots of the monic polynomial z^p + c1 z^(p−1) + … + cp (c = [1, c1, …, cp]) by the Durand–Kerner (Weierstrass)
 * simultaneous iteration, started on a circle at an angle offset that breaks the conjugate symmetry (a
 * symmetric start would stall on real-coefficient polynomials).
 */
export function polyRoots(c: Float64Array, maxIter = 500, tol = 1e-13): Roots {
  const p = c.length - 1;
  const re = new Float64Array(p);
  const im = new Float64Array(p);
  // Cauchy-style bound keeps the start circle around the roots' scale.
  let bound = 0;
  for (let k = 1; k <= p; k++) bound = Math.max(bound, Math.pow(Math.abs(c[k]!), 1 / k));
  const radius = Math.max(0.5, Math.min(bound, 2));
  for (let i = 0; i < p; i++) {
    const ang = (2 * Math.PI * i) / p + 0.4;
    re[i] = radius * Math.cos(ang);
    im[i] = radius * Math.sin(ang);
  }
  let converged = false;
  for (let iter = 0; iter < maxIter && !converged; iter++) {
    let maxStep = 0;
    for (let i = 0; i < p; i++) {
      const zr = re[i]!;
      const zi = im[i]!;
      // P(z) by Horner.
      let pr = 1;
      let pi = 0;
      for (let k = 1; k <= p; k++) {
        const t = pr * zr - pi * zi + c[k]!;
        pi = pr * zi + pi * zr;
        pr = t;
      }
      // Π_{j≠i} (z − z_j)
      let dr = 1;
      let di = 0;
      for (let j = 0; j < p; j++) {
        if (j === i) continue;
        const ur = zr - re[j]!;
        const ui = zi - im[j]!;
        const t = dr * ur - di * ui;
        di = dr * ui + di * ur;
        dr = t;
      }
      const den = dr * dr + di * di;
      if (den === 0) {
        // Coincident estimates: nudge apart and keep iterating.
        re[i] = zr + 1e-6;
        im[i] = zi + 1e-6;
        maxStep = Infinity;
        continue;
      }
      const sr = (pr * dr + pi * di) / den;
      const si = (pi * dr - pr * di) / den;
      re[i] = zr - sr;
      im[i] = zi - si;
      maxStep = Math.max(maxStep, Math.hypot(sr, si));
    }
    converged = maxStep < tol;
  }
  return { re, im, converged };
}

/** Real coefficients [1, c1, …, cp] of Π (z − z_i) (imaginary parts cancel for conjugate-symmetric roots). */
export function polyFromRoots(re: Float64Array, im: Float64Array): Float64Array {
  const p = re.length;
  const cr = new Float64Array(p + 1);
  const ci = new Float64Array(p + 1);
  cr[0] = 1;
  for (let i = 0; i < p; i++) {
    // Multiply by (z − z_i): c_k ← c_k − z_i·c_{k−1}, from the top down.
    for (let k = i + 1; k >= 1; k--) {
      const tr = cr[k]! - (re[i]! * cr[k - 1]! - im[i]! * ci[k - 1]!);
      const ti = ci[k]! - (re[i]! * ci[k - 1]! + im[i]! * cr[k - 1]!);
      cr[k] = tr;
      ci[k] = ti;
    }
  }
  return cr;
}

/** Largest pole radius we let through: the autocorrelation method gives |z| < 1, this guards rounding. */
const MAX_POLE_RADIUS = 0.9995;
/** Poles with |Im| below this are treated as real and left where they are. */
const REAL_POLE_EPS = 1e-9;

/**
 * Moves each complex LPC pole's angle φ ∈ (0, π) to φ^α (radians), keeping its radius and its conjugate partner
 * in step. Real poles stay. α < 1 raises angles below 1 rad (≈ 2.5 kHz at 16 kHz) and lowers those above. Returns
 * null when the root finder did not converge (the caller leaves that frame untouched).
 */
export function mcadamsPoles(a: Float64Array, alpha: number): Float64Array | null {
  const roots = polyRoots(a);
  if (!roots.converged) return null;
  const { re, im } = roots;
  for (let i = 0; i < re.length; i++) {
    let radius = Math.hypot(re[i]!, im[i]!);
    const isComplex = Math.abs(im[i]!) > REAL_POLE_EPS;
    if (radius > MAX_POLE_RADIUS) radius = MAX_POLE_RADIUS;
    let angle = Math.atan2(im[i]!, re[i]!);
    if (isComplex) {
      const sign = angle < 0 ? -1 : 1;
      // Clamp below π so a conjugate pair never collapses onto the real axis.
      angle = sign * Math.min(Math.pow(Math.abs(angle), alpha), Math.PI - 1e-6);
      re[i] = radius * Math.cos(angle);
      im[i] = radius * Math.sin(angle);
    } else {
      re[i] = Math.sign(re[i]!) * Math.min(Math.abs(re[i]!), MAX_POLE_RADIUS);
      im[i] = 0;
    }
  }
  return polyFromRoots(re, im);
}

/**
 * McAdams-coefficient anonymisation (Patino et al. 2021, VoicePrivacy Challenge baseline B2): per √Hann-windowed
 * frame, fit LPC, move the complex pole angles φ → φ^α, pass the LPC residual through the modified all-pole
 * filter, window again and overlap-add. With α = 1 the frame is rebuilt exactly (residual through the original
 * filter), so the method is the identity up to root-finding error.
 *
 * Differences from the VPC script, on purpose: the signal is padded so every sample sees full overlap-add (the
 * script drops the first frame and the tail), LPC uses the autocorrelation method rather than Burg, and the output
 * is scaled to the input's energy instead of being peak-normalised (see `matchEnergy`).
 */
export function mcadams(x: Float32Array, alpha = 0.8, opts: McAdamsOptions = {}): Float32Array {
  const n = x.length;
  const fs = opts.sampleRate ?? SAMPLE_RATE;
  const order = opts.order ?? 20;
  const shift = Math.round(((opts.shiftMs ?? 10) * fs) / 1000);
  const frame = Math.round(((opts.frameMs ?? 20) * fs) / 1000);
  if (n === 0) return new Float32Array(0);
  // √(periodic Hann / K) for analysis and synthesis: the product sums to exactly 1 at this shift (the VPC window).
  const hann = new Float64Array(frame);
  let hannSum = 0;
  for (let i = 0; i < frame; i++) {
    hann[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / frame);
    hannSum += hann[i]!;
  }
  const K = hannSum / shift;
  const win = new Float64Array(frame);
  for (let i = 0; i < frame; i++) win[i] = Math.sqrt(hann[i]! / K);

  // Frames start at −frame so the first and last samples are covered by the full overlap-add.
  const first = -frame;
  const count = Math.ceil((n - first) / shift);
  const out = new Float64Array(n);
  const seg = new Float64Array(frame);
  const res = new Float64Array(frame);
  const rec = new Float64Array(frame);
  for (let f = 0; f < count; f++) {
    const start = first + f * shift;
    let energy = 0;
    for (let i = 0; i < frame; i++) {
      const idx = start + i;
      const v = idx >= 0 && idx < n ? x[idx]! * win[i]! : 0;
      seg[i] = v;
      energy += v * v;
    }
    if (energy === 0) continue;
    const a = lpc(seg, order);
    const aNew = a ? mcadamsPoles(a, alpha) : null;
    if (!a || !aNew) {
      // Unmodellable frame (numerically silent): pass it through so the overlap-add stays complete.
      for (let i = 0; i < frame; i++) rec[i] = seg[i]!;
    } else {
      // Residual e = A(z)·s (FIR), then s' = e / A'(z) (all-pole), both from zero state within the frame.
      for (let i = 0; i < frame; i++) {
        let acc = seg[i]!;
        for (let k = 1; k <= order && k <= i; k++) acc += a[k]! * seg[i - k]!;
        res[i] = acc;
      }
      for (let i = 0; i < frame; i++) {
        let acc = res[i]!;
        for (let k = 1; k <= order && k <= i; k++) acc -= aNew[k]! * rec[i - k]!;
        rec[i] = acc;
      }
    }
    for (let i = 0; i < frame; i++) {
      const idx = start + i;
      if (idx >= 0 && idx < n) out[idx]! += rec[i]! * win[i]!;
    }
  }
  let gain = 1;
  if (opts.matchEnergy ?? true) {
    const outNorm = norm(out);
    if (outNorm > 0) gain = norm(x) / outNorm;
  }
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) y[i] = out[i]! * gain;
  return y;
}

// ---------------------------------------------------------------------------------------------------------------
// Registry and the common entry point
// ---------------------------------------------------------------------------------------------------------------

/** The baselines in display order; BASELINES below describes each. */
export const BASELINE_IDS = ['noise', 'lowpass2k', 'lowpass4k', 'pitch', 'mcadams'] as const;
export type BaselineId = (typeof BASELINE_IDS)[number];

/** Tunable parameters of the baselines; each baseline reads only its own. */
export interface BaselineParams {
  /** noise: SNR of the unbudgeted effect in dB (with a budget, the noise sits exactly at the budget). Default 0. */
  noiseSnrDb?: number;
  /** pitch: shift in semitones, positive = up. Default +3. */
  semitones?: number;
  /** mcadams: McAdams coefficient α. Default 0.8 (VPC B2); 1 = identity. */
  alpha?: number;
}

export interface BaselineParamInfo {
  key: keyof BaselineParams;
  label: string;
  unit: string;
  default: number;
  min: number;
  max: number;
  step: number;
}

export interface BaselineInfo {
  id: BaselineId;
  label: string;
  description: string;
  params: BaselineParamInfo[];
}

export const DEFAULT_BASELINE_PARAMS: Required<BaselineParams> = { noiseSnrDb: 0, semitones: 3, alpha: 0.8 };

export const BASELINES: BaselineInfo[] = [
  {
    id: 'noise',
    label: 'White noise',
    description: 'Adds white Gaussian noise (seeded) at exactly the SNR budget.',
    params: [{ key: 'noiseSnrDb', label: 'SNR without budget', unit: 'dB', default: 0, min: -10, max: 40, step: 1 }],
  },
  {
    id: 'lowpass2k',
    label: 'Low-pass 2 kHz',
    description:
      'Linear-phase Kaiser FIR (80 dB stopband, 500 Hz transition), delay-compensated; removes everything above 2 kHz.',
    params: [],
  },
  {
    id: 'lowpass4k',
    label: 'Low-pass 4 kHz',
    description:
      'Linear-phase Kaiser FIR (80 dB stopband, 500 Hz transition), delay-compensated; removes everything above 4 kHz.',
    params: [],
  },
  {
    id: 'pitch',
    label: 'Pitch shift',
    description:
      'WSOLA time stretch, then band-limited resampling: pitch and formants move by the given semitones; length and timing kept.',
    params: [{ key: 'semitones', label: 'Shift', unit: 'semitones', default: 3, min: -12, max: 12, step: 0.5 }],
  },
  {
    id: 'mcadams',
    label: 'McAdams (VPC B2)',
    description:
      'VoicePrivacy baseline B2: order-20 LPC on 20 ms frames, pole angles φ → φ^α, residual re-filtered, overlap-add.',
    params: [{ key: 'alpha', label: 'McAdams α', unit: '', default: 0.8, min: 0.5, max: 1.2, step: 0.05 }],
  },
];

export interface ApplyBaselineOptions {
  /** Minimum SNR in dB (‖y − x‖ ≤ 10^(−SNR/20)·‖x‖); null or −Infinity = the method's full effect. */
  minSnrDb: number | null;
  /** Noise seed. Default 0. */
  seed?: number;
  params?: BaselineParams;
  sampleRate?: number;
}

export interface BaselineResult {
  y: Float32Array;
  /** SNR of y against x in dB (Infinity when y = x). */
  snrDb: number;
  /** SNR of the method's full effect before the budget (for noise: the level it was generated at). */
  fullEffectSnrDb: number;
  /** Factor applied to the full effect's residual (1 = returned unchanged). */
  scale: number;
}

/** The method's own output, before any budget. */
export function fullEffect(
  id: BaselineId,
  x: Float32Array,
  params: BaselineParams = {},
  seed = 0,
  sampleRate = SAMPLE_RATE,
): Float32Array {
  const p = { ...DEFAULT_BASELINE_PARAMS, ...params };
  switch (id) {
    case 'noise':
      return addWhiteNoise(x, p.noiseSnrDb, seed);
    case 'lowpass2k':
      return firLowpass(x, 2000, { sampleRate });
    case 'lowpass4k':
      return firLowpass(x, 4000, { sampleRate });
    case 'pitch':
      return pitchShift(x, p.semitones, { sampleRate });
    case 'mcadams':
      return mcadams(x, p.alpha, { sampleRate });
  }
}

/**
 * Runs one baseline under the SNR budget. Noise is generated at exactly the budget (its level is its only
 * parameter); the other methods' full effect is projected onto the budget ball, or returned unchanged when it
 * already meets it. The output is not clipped to [−1, 1] (clipping would break the budget guarantee).
 */
export function applyBaseline(id: BaselineId, x: Float32Array, opts: ApplyBaselineOptions): BaselineResult {
  const { minSnrDb } = opts;
  if (minSnrDb !== null && Number.isNaN(minSnrDb)) throw new RangeError('minSnrDb is NaN');
  const seed = opts.seed ?? 0;
  const sampleRate = opts.sampleRate ?? SAMPLE_RATE;
  if (id === 'noise') {
    const level = unbudgeted(minSnrDb) ? (opts.params?.noiseSnrDb ?? DEFAULT_BASELINE_PARAMS.noiseSnrDb) : minSnrDb;
    // Aim a hair inside the budget, like the projection, so float32 rounding never overshoots it.
    const y = addWhiteNoise(x, unbudgeted(minSnrDb) ? level : level - 20 * Math.log10(BUDGET_MARGIN), seed);
    const s = snrDb(x, y);
    return { y, snrDb: s, fullEffectSnrDb: s, scale: 1 };
  }
  const z = fullEffect(id, x, opts.params, seed, sampleRate);
  const { y, scale } = projectResidualToBudget(x, z, minSnrDb);
  return { y, snrDb: snrDb(x, y), fullEffectSnrDb: snrDb(x, z), scale };
}
