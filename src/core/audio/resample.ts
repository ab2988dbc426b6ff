/**
 * Band-limited sample-rate conversion (polyphase windowed sinc, Kaiser window) and channel mixing.
 *
 * Pure TypeScript so Node scripts (corpus building) and the browser resample identically. The filter's cutoff sits
 * below the lower of the two Nyquist frequencies, so downsampling does not alias (naive decimation would).
 */

export interface ResampleOptions {
  /** Zero crossings of the sinc on each side: longer = sharper transition band, slower. Default 32. */
  zeroCrossings?: number;
  /** Cutoff as a fraction of the lower Nyquist frequency. Default 0.91 (7.28 kHz when the output is 16 kHz). */
  rolloff?: number;
  /** Kaiser window beta: 8 gives roughly 80 dB stopband attenuation. */
  kaiserBeta?: number;
}

/** Largest polyphase table we precompute; rarer rate pairs (e.g. 44100 → 16001) evaluate the kernel per output. */
const MAX_TABLE_PHASES = 4096;

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Modified Bessel function of the first kind, order 0 (power series; converges fast for the betas used here). */
export function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 64; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

function makeKernel(fc: number, halfWidth: number, beta: number): (t: number) => number {
  const i0beta = besselI0(beta);
  return (t: number) => {
    const r = t / halfWidth;
    if (r <= -1 || r >= 1) return 0;
    const w = besselI0(beta * Math.sqrt(1 - r * r)) / i0beta;
    const a = 2 * fc * t;
    const sinc = a === 0 ? 1 : Math.sin(Math.PI * a) / (Math.PI * a);
    return 2 * fc * sinc * w;
  };
}

/**
 * Converts `x` sampled at `fromRate` to `toRate`. Output length is ceil(x.length · toRate / fromRate); samples beyond
 * the input's ends count as zero.
 */
export function resample(
  x: Float32Array,
  fromRate: number,
  toRate: number,
  options: ResampleOptions = {},
): Float32Array {
  if (!(fromRate > 0) || !(toRate > 0) || !Number.isFinite(fromRate) || !Number.isFinite(toRate)) {
    throw new RangeError(`Invalid sample rates: ${fromRate} → ${toRate}`);
  }
  if (fromRate === toRate) return x.slice();
  const zeroCrossings = options.zeroCrossings ?? 32;
  const rolloff = options.rolloff ?? 0.91;
  const beta = options.kaiserBeta ?? 8;

  // Work in input-sample units: output n sits at input time n · fromRate / toRate.
  const ratio = toRate / fromRate;
  const fc = 0.5 * rolloff * Math.min(1, ratio); // cutoff in cycles per input sample
  const halfWidth = zeroCrossings / (2 * fc); // kernel support on each side, in input samples
  const K = Math.ceil(halfWidth);
  const kernel = makeKernel(fc, halfWidth, beta);
  const n = x.length;
  const outLength = Math.ceil((n * toRate) / fromRate - 1e-9);
  const y = new Float32Array(outLength);
  const taps = 2 * K + 1;

  const integerRates = Number.isInteger(fromRate) && Number.isInteger(toRate);
  const g = integerRates ? gcd(fromRate, toRate) : 1;
  const L = integerRates ? toRate / g : Infinity; // phases
  const M = integerRates ? fromRate / g : NaN; // input step per L outputs

  if (L <= MAX_TABLE_PHASES) {
    // Polyphase table: phase p holds h(p/L − j) for j = −K..K, normalised so every phase has unit DC gain.
    const table = new Float64Array(L * taps);
    for (let p = 0; p < L; p++) {
      let sum = 0;
      for (let j = -K; j <= K; j++) {
        const h = kernel(p / L - j);
        table[p * taps + j + K] = h;
        sum += h;
      }
      for (let t = 0; t < taps; t++) table[p * taps + t]! /= sum;
    }
    for (let o = 0; o < outLength; o++) {
      const num = o * M;
      const i = Math.floor(num / L);
      const base = (num - i * L) * taps;
      let acc = 0;
      const lo = Math.max(-K, -i);
      const hi = Math.min(K, n - 1 - i);
      for (let j = lo; j <= hi; j++) acc += x[i + j]! * table[base + j + K]!;
      y[o] = acc;
    }
    return y;
  }

  const step = fromRate / toRate;
  for (let o = 0; o < outLength; o++) {
    const t = o * step;
    const i = Math.floor(t);
    const frac = t - i;
    let acc = 0;
    let sum = 0;
    for (let j = -K; j <= K; j++) {
      const h = kernel(frac - j);
      sum += h;
      const k = i + j;
      if (k >= 0 && k < n) acc += x[k]! * h;
    }
    y[o] = acc / sum;
  }
  return y;
}

/** Mixes channels to mono by averaging (equal weights, so a mono file duplicated to stereo comes back unchanged). */
export function toMono(channels: readonly Float32Array[]): Float32Array {
  if (channels.length === 0) return new Float32Array(0);
  if (channels.length === 1) return channels[0]!.slice();
  const length = Math.min(...channels.map((c) => c.length));
  const out = new Float32Array(length);
  const scale = 1 / channels.length;
  for (const ch of channels) for (let i = 0; i < length; i++) out[i]! += ch[i]! * scale;
  return out;
}
