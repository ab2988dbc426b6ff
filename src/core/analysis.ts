/**
 * Plain-JS signal analysis shared by the UI views, the CLIs and the evaluation report: spectrograms, band energies
 * below/above 2 kHz (the paper's Fig. 6 claim as numbers) and SNR. No tfjs here, so the main thread can use it too.
 */

/** In-place iterative radix-2 FFT; `re`/`im` length must be a power of two. */
export function fftInPlace(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j], re[i]];
      [im[i], im[j]] = [im[j], im[i]];
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const ang = (-2 * Math.PI) / len;
    const wr = Math.cos(ang);
    const wi = Math.sin(ang);
    for (let i = 0; i < n; i += len) {
      let cr = 1;
      let ci = 0;
      for (let k = 0; k < len / 2; k++) {
        const ar = re[i + k + len / 2] * cr - im[i + k + len / 2] * ci;
        const ai = re[i + k + len / 2] * ci + im[i + k + len / 2] * cr;
        re[i + k + len / 2] = re[i + k] - ar;
        im[i + k + len / 2] = im[i + k] - ai;
        re[i + k] += ar;
        im[i + k] += ai;
        const t = cr * wr - ci * wi;
        ci = cr * wi + ci * wr;
        cr = t;
      }
    }
  }
}

function hannWindow(n: number): Float64Array {
  const win = new Float64Array(n);
  for (let i = 0; i < n; i++) win[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
  return win;
}

export interface Spectrogram {
  frames: number;
  bins: number;
  nFft: number;
  hop: number;
  sampleRate: number;
  /** Power, row-major [frames][bins]. */
  power: Float32Array;
}

export interface SpectrogramOptions {
  nFft?: number;
  hop?: number;
  sampleRate?: number;
}

/** Frame count of a spectrogram (at least one frame; short clips are zero-padded). */
function frameCount(n: number, nFft: number, hop: number): number {
  return Math.max(1, Math.floor(Math.max(0, n - nFft) / hop) + 1);
}

/** Calls `visit(frame, re, im)` with the FFT of every Hann-windowed frame (buffers are reused between calls). */
function forEachFrameFft(
  x: Float32Array,
  nFft: number,
  hop: number,
  visit: (f: number, re: Float64Array, im: Float64Array) => void,
): void {
  const win = hannWindow(nFft);
  const re = new Float64Array(nFft);
  const im = new Float64Array(nFft);
  const frames = frameCount(x.length, nFft, hop);
  for (let f = 0; f < frames; f++) {
    const start = f * hop;
    for (let i = 0; i < nFft; i++) {
      re[i] = (start + i < x.length ? x[start + i] : 0) * win[i];
      im[i] = 0;
    }
    fftInPlace(re, im);
    visit(f, re, im);
  }
}

/** Hann-windowed power spectrogram. */
export function powerSpectrogram(x: Float32Array, opts: SpectrogramOptions = {}): Spectrogram {
  const nFft = opts.nFft ?? 512;
  const hop = opts.hop ?? 128;
  const sampleRate = opts.sampleRate ?? 16000;
  const bins = nFft / 2 + 1;
  const frames = frameCount(x.length, nFft, hop);
  const power = new Float32Array(frames * bins);
  forEachFrameFft(x, nFft, hop, (f, re, im) => {
    for (let k = 0; k < bins; k++) power[f * bins + k] = re[k] * re[k] + im[k] * im[k];
  });
  return { frames, bins, nFft, hop, sampleRate, power };
}

export interface BandEnergies {
  /** Energy in [lowHz, splitHz). */
  low: number;
  /** Energy in [splitHz, Nyquist]. */
  high: number;
}

/** Energy below and above `splitHz` (default the paper's 2 kHz), summed frame by frame (no spectrogram is kept). */
export function bandEnergies(x: Float32Array, splitHz = 2000, lowHz = 50, opts: SpectrogramOptions = {}): BandEnergies {
  const nFft = opts.nFft ?? 512;
  // Hann frames at 50 % overlap weigh every sample equally, so half-overlap is enough for energies (and 2× cheaper).
  const hop = opts.hop ?? nFft / 2;
  const binHz = (opts.sampleRate ?? 16000) / nFft;
  const lo = Math.ceil(lowHz / binHz);
  const split = Math.ceil(splitHz / binHz);
  const bins = nFft / 2 + 1;
  let low = 0;
  let high = 0;
  forEachFrameFft(x, nFft, hop, (_f, re, im) => {
    for (let k = lo; k < bins; k++) {
      const p = re[k] * re[k] + im[k] * im[k];
      if (k < split) low += p;
      else high += p;
    }
  });
  return { low, high };
}

/** SNR of y against reference x, in dB (Infinity when identical). */
export function snrDb(x: Float32Array, y: Float32Array): number {
  let sig = 0;
  let err = 0;
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    sig += x[i] * x[i];
    const d = y[i] - x[i];
    err += d * d;
  }
  if (err === 0) return Infinity;
  return 10 * Math.log10(sig / err);
}

export interface PerturbationReport {
  snrDb: number;
  original: BandEnergies;
  protected: BandEnergies;
  /** Energy of the perturbation y − x per band. */
  perturbation: BandEnergies;
  /** Share of the perturbation's energy that lies at or above 2 kHz (0…1). */
  perturbationHighShare: number;
  /** Change of the signal's band energy, protected vs original, in dB. */
  lowChangeDb: number;
  highChangeDb: number;
}

function ratioDb(a: number, b: number): number {
  if (a === b) return 0;
  return 10 * Math.log10((a + 1e-20) / (b + 1e-20));
}

/** Where the perturbation landed: the numbers behind the band-energy view and the report's Fig.-6 table. */
export function perturbationReport(
  original: Float32Array,
  protectedWave: Float32Array,
  splitHz = 2000,
): PerturbationReport {
  const n = Math.min(original.length, protectedWave.length);
  const delta = new Float32Array(n);
  for (let i = 0; i < n; i++) delta[i] = protectedWave[i] - original[i];
  const o = bandEnergies(original.subarray(0, n), splitHz);
  const p = bandEnergies(protectedWave.subarray(0, n), splitHz);
  const d = bandEnergies(delta, splitHz);
  const total = d.low + d.high;
  return {
    snrDb: snrDb(original.subarray(0, n), protectedWave.subarray(0, n)),
    original: o,
    protected: p,
    perturbation: d,
    perturbationHighShare: total > 0 ? d.high / total : 0,
    lowChangeDb: ratioDb(p.low, o.low),
    highChangeDb: ratioDb(p.high, o.high),
  };
}
