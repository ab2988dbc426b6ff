/**
 * Voice transformation for evaluator training: turns one synthetic voice into many (vocal-tract length, pitch,
 * tempo, spectral colour, room, bandwidth). Plain Float32Array DSP with no tfjs, so the Node trainer and the
 * browser fine-tune draw from the same transforms.
 *
 * Every transform keeps the clip's RMS level (level is its own augmentation, drawn elsewhere) and, except tempo,
 * its length, so labels and alignments stay valid.
 */
import { SAMPLE_RATE } from '../audio/constants';
import { makeFft, type Fft } from '../cues/fft';
import { uniform } from '../data/random';

/** Parameters of one transformation; the identity is `IDENTITY_VOICE`. */
export interface VoiceParams {
  /** Spectral-envelope (formant) scaling: > 1 moves formants up (a shorter vocal tract). */
  formant: number;
  /** Pitch shift in semitones with the formants left where they were. */
  semitones: number;
  /** Speaking-rate factor: > 1 is faster (the clip gets shorter by this factor). */
  tempo: number;
  /** Spectral tilt in dB per octave around 1 kHz. */
  tiltDbPerOctave: number;
  /** Peaking EQ bumps: centre frequency (Hz), gain (dB), width (octaves). */
  eq: { hz: number; db: number; octaves: number }[];
  /** Upper band edge in Hz (a telephone or cheap microphone), or null for full band. */
  bandLimitHz: number | null;
  /** Room: reverberation time (s) and direct-to-reverberant ratio (dB), or null for a dry clip. */
  reverb: { rt60: number; drrDb: number; seed: number } | null;
}

export const IDENTITY_VOICE: VoiceParams = {
  formant: 1,
  semitones: 0,
  tempo: 1,
  tiltDbPerOctave: 0,
  eq: [],
  bandLimitHz: null,
  reverb: null,
};

/** Ranges the random voice is drawn from; each transform has its own probability so most clips get a few. */
export interface VoiceAugmentConfig {
  formant: [number, number];
  formantProb: number;
  semitones: [number, number];
  pitchProb: number;
  tempo: [number, number];
  tempoProb: number;
  tiltDbPerOctave: [number, number];
  /** Up to this many EQ bumps, each within ±eqDb. */
  eqBumps: number;
  eqDb: number;
  colourProb: number;
  bandLimitHz: [number, number];
  bandLimitProb: number;
  rt60: [number, number];
  drrDb: [number, number];
  reverbProb: number;
}

/** The ranges of the voices issue: VTLN 0.85–1.15, ±4 st, ±15 % tempo, tilt/EQ, rooms, 4–8 kHz band limits. */
export const DEFAULT_VOICE_AUGMENT: VoiceAugmentConfig = {
  formant: [0.85, 1.15],
  formantProb: 0.7,
  semitones: [-4, 4],
  pitchProb: 0.7,
  tempo: [0.85, 1.15],
  tempoProb: 0.5,
  tiltDbPerOctave: [-3, 3],
  eqBumps: 2,
  eqDb: 6,
  colourProb: 0.6,
  bandLimitHz: [4000, 8000],
  bandLimitProb: 0.3,
  rt60: [0.15, 0.7],
  drrDb: [0, 12],
  reverbProb: 0.3,
};

export function drawVoice(rng: () => number, cfg: VoiceAugmentConfig = DEFAULT_VOICE_AUGMENT): VoiceParams {
  // Draw every field in a fixed order whatever the probabilities say, so one config change does not reshuffle the rest.
  const p = {
    formant: [rng(), uniform(rng, cfg.formant)] as const,
    pitch: [rng(), uniform(rng, cfg.semitones)] as const,
    tempo: [rng(), uniform(rng, cfg.tempo)] as const,
    colour: rng(),
    tilt: uniform(rng, cfg.tiltDbPerOctave),
    eq: Array.from({ length: cfg.eqBumps }, () => ({
      hz: 2 ** uniform(rng, [Math.log2(200), Math.log2(5000)]),
      db: uniform(rng, [-cfg.eqDb, cfg.eqDb]),
      octaves: uniform(rng, [0.5, 1.5]),
    })),
    band: [rng(), uniform(rng, cfg.bandLimitHz)] as const,
    reverb: [rng(), uniform(rng, cfg.rt60), uniform(rng, cfg.drrDb), Math.floor(rng() * 2 ** 31)] as const,
  };
  return {
    formant: p.formant[0] < cfg.formantProb ? p.formant[1] : 1,
    semitones: p.pitch[0] < cfg.pitchProb ? p.pitch[1] : 0,
    tempo: p.tempo[0] < cfg.tempoProb ? p.tempo[1] : 1,
    tiltDbPerOctave: p.colour < cfg.colourProb ? p.tilt : 0,
    eq: p.colour < cfg.colourProb ? p.eq : [],
    bandLimitHz: p.band[0] < cfg.bandLimitProb ? p.band[1] : null,
    reverb: p.reverb[0] < cfg.reverbProb ? { rt60: p.reverb[1], drrDb: p.reverb[2], seed: p.reverb[3] } : null,
  };
}

/**
 * Applies a voice transformation. Pitch is shifted by resampling (which moves pitch, formants and rate together),
 * then WSOLA restores the rate (or sets the requested tempo), then one STFT pass moves the spectral envelope back by
 * the resampling factor and on by `formant`, and applies tilt, EQ and the band limit. Reverberation comes last.
 */
export function transformVoice(x: Float32Array, v: VoiceParams, sampleRate = SAMPLE_RATE): Float32Array {
  if (x.length === 0) return new Float32Array(0);
  const level = rms(x);
  const r = 2 ** (v.semitones / 12);
  let y = r === 1 ? x.slice() : resample(x, r);
  const targetLength = Math.max(1, Math.round(x.length / v.tempo));
  if (y.length !== targetLength) y = timeStretch(y, targetLength / y.length, targetLength);
  const envelopeWarp = v.formant / r;
  const colour = v.tiltDbPerOctave !== 0 || v.eq.length > 0 || v.bandLimitHz !== null;
  if (envelopeWarp !== 1 || colour) y = shapeSpectrum(y, envelopeWarp, spectralGain(v, sampleRate));
  if (v.reverb) y = reverberate(y, v.reverb.rt60, v.reverb.drrDb, v.reverb.seed, sampleRate);
  return matchLevel(y, level);
}

export function rms(x: Float32Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * x[i]!;
  return Math.sqrt(s / Math.max(1, x.length));
}

function matchLevel(y: Float32Array, level: number): Float32Array {
  const now = rms(y);
  if (now > 0 && level > 0) {
    const g = level / now;
    for (let i = 0; i < y.length; i++) y[i] = y[i]! * g;
  }
  return y;
}

/** Reads x at a rate of `factor` input samples per output sample (linear interpolation): pitch and rate × factor. */
export function resample(x: Float32Array, factor: number): Float32Array {
  // Not audio/resample's windowed sinc: for a ratio like 2^(st/12) it evaluates 65 kernel taps per output sample
  // (here 2), and a training-time voice needs no 80 dB stopband. A low-pass first when reading faster, so harmonics
  // above the new Nyquist do not fold back as audible aliases.
  return readAtRate(factor > 1 ? movingAverageLowpass(x, factor) : x, factor);
}

/**
 * Linear-interpolation read of x at `factor` input samples per output sample, floor(length / factor) samples long,
 * with no filtering (the speed perturbation of `augment` uses it as it is; `resample` low-passes first).
 */
export function readAtRate(x: Float32Array, factor: number): Float32Array {
  const n = Math.max(1, Math.floor(x.length / factor));
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const p = i * factor;
    const j = Math.floor(p);
    const a = p - j;
    y[i] = (1 - a) * x[Math.min(j, x.length - 1)]! + a * x[Math.min(j + 1, x.length - 1)]!;
  }
  return y;
}

function movingAverageLowpass(x: Float32Array, factor: number): Float32Array {
  // Two passes of a box of ~factor samples: a cheap sinc²-like response with its first null at the new Nyquist.
  const w = Math.max(1, Math.round(factor));
  if (w === 1) return x;
  let y = x;
  for (let pass = 0; pass < 2; pass++) {
    const out = new Float32Array(y.length);
    let acc = 0;
    for (let i = 0; i < y.length; i++) {
      acc += y[i]!;
      if (i >= w) acc -= y[i - w]!;
      out[Math.max(0, i - (w >> 1))] = acc / Math.min(i + 1, w);
    }
    y = out;
  }
  return y;
}

const WSOLA_FRAME = 512;
const WSOLA_HOP = WSOLA_FRAME / 2;
const WSOLA_TOLERANCE = 160;

/**
 * WSOLA time stretch to `length` samples (≈ x.length × factor) without changing pitch: each output frame is the input
 * frame near its nominal position that best continues the previous one (cross-correlation, searched on every other
 * sample to halve the cost), overlap-added with a Hann window that sums to one at half-frame hops.
 */
export function timeStretch(x: Float32Array, factor: number, length = Math.round(x.length * factor)): Float32Array {
  const n = WSOLA_FRAME;
  const hop = WSOLA_HOP;
  const win = new Float32Array(n);
  for (let i = 0; i < n; i++) win[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
  const padded = new Float32Array(x.length + 2 * n + 2 * WSOLA_TOLERANCE);
  const off = n + WSOLA_TOLERANCE;
  padded.set(x, off);
  const out = new Float32Array(length + 2 * n);
  const frames = Math.ceil((length + n) / hop) + 1;
  const analysisHop = hop / factor;
  let prev = off - n / 2; // start of the previously copied input segment
  for (let m = 0; m < frames; m++) {
    const nominal = Math.round(off - n / 2 + m * analysisHop);
    let best = Math.max(0, Math.min(padded.length - n, nominal));
    if (m > 0) {
      const natural = prev + hop; // where the previous segment's continuation starts
      let bestScore = -Infinity;
      for (let d = -WSOLA_TOLERANCE; d <= WSOLA_TOLERANCE; d += 2) {
        const c = nominal + d;
        if (c < 0 || c + n > padded.length || natural + n > padded.length) continue;
        let s = 0;
        for (let i = 0; i < n; i += 2) s += padded[c + i]! * padded[natural + i]!;
        if (s > bestScore) {
          bestScore = s;
          best = c;
        }
      }
    }
    const o = m * hop;
    for (let i = 0; i < n && o + i < out.length; i++) out[o + i] = out[o + i]! + win[i]! * padded[best + i]!;
    prev = best;
  }
  return out.slice(n / 2, n / 2 + length);
}

/** Per-bin gain (linear) of tilt, EQ bumps and band limit for an FFT of `size`, bins 0..size/2. */
function spectralGain(v: VoiceParams, sampleRate: number, size = STFT_SIZE): Float64Array | null {
  if (v.tiltDbPerOctave === 0 && v.eq.length === 0 && v.bandLimitHz === null) return null;
  const bins = size / 2 + 1;
  const g = new Float64Array(bins);
  for (let k = 0; k < bins; k++) {
    const hz = Math.max(50, (k * sampleRate) / size);
    const oct = Math.log2(hz / 1000);
    let db = v.tiltDbPerOctave * oct;
    for (const b of v.eq) {
      const d = Math.log2(hz / b.hz) / b.octaves;
      db += b.db * Math.exp(-0.5 * d * d * 4);
    }
    let lin = 10 ** (db / 20);
    if (v.bandLimitHz !== null) {
      // a 300 Hz raised-cosine edge rather than a brick wall, which would ring
      const edge = 300;
      const t = (hz - v.bandLimitHz) / edge;
      lin *= t <= 0 ? 1 : t >= 1 ? 0 : 0.5 + 0.5 * Math.cos(Math.PI * t);
    }
    g[k] = lin;
  }
  return g;
}

const STFT_SIZE = 512;
const STFT_HOP = 256; // √Hann in and out: Hann overall, which sums to one at half-frame hops
/** Real-cepstrum coefficients kept for the envelope: below the pitch period of a 300 Hz voice (53 samples). */
const LIFTER = 30;

let cachedFft: Fft | null = null;
const fft512 = (): Fft => (cachedFft ??= makeFft(STFT_SIZE));

/** Inverse FFT through the forward one: ifft(X) = conj(fft(conj(X))) / N. */
function inverse(f: Fft, re: Float64Array, im: Float64Array): void {
  for (let i = 0; i < f.size; i++) im[i] = -im[i]!;
  f.forward(re, im);
  for (let i = 0; i < f.size; i++) {
    re[i] = re[i]! / f.size;
    im[i] = -im[i]! / f.size;
  }
}

/**
 * One STFT pass (512-point √Hann in and out, hop 256, weighted overlap-add): the spectral envelope (cepstrally smoothed log
 * magnitude) is rescaled in frequency by `warp` while the phase, hence the harmonics, stay; then `gain` is applied.
 */
export function shapeSpectrum(x: Float32Array, warp: number, gain: Float64Array | null): Float32Array {
  const n = STFT_SIZE;
  const hop = STFT_HOP;
  const bins = n / 2 + 1;
  const f = fft512();
  const win = new Float64Array(n);
  for (let i = 0; i < n; i++) win[i] = Math.sqrt(0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n)); // √Hann analysis and synthesis
  const padded = new Float32Array(x.length + 2 * n);
  padded.set(x, n);
  const out = new Float64Array(padded.length);
  const norm = new Float64Array(padded.length);
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  const cr = new Float64Array(n);
  const ci = new Float64Array(n);
  const env = new Float64Array(bins);
  for (let start = 0; start + n <= padded.length; start += hop) {
    for (let i = 0; i < n; i++) {
      re[i] = padded[start + i]! * win[i]!;
      im[i] = 0;
    }
    f.forward(re, im);
    if (warp !== 1) {
      // cepstrum of the log magnitude, liftered, back to a smooth log envelope
      for (let k = 0; k < n; k++) {
        cr[k] = 0.5 * Math.log(re[k]! * re[k]! + im[k]! * im[k]! + 1e-12);
        ci[k] = 0;
      }
      inverse(f, cr, ci);
      for (let q = LIFTER; q <= n - LIFTER; q++) {
        cr[q] = 0;
        ci[q] = 0;
      }
      f.forward(cr, ci);
      for (let k = 0; k < bins; k++) env[k] = cr[k]!;
    }
    for (let k = 0; k < bins; k++) {
      let g = gain ? gain[k]! : 1;
      if (warp !== 1) {
        const src = k / warp;
        const j = Math.floor(src);
        const a = src - j;
        const warped =
          j + 1 < bins ? (1 - a) * env[j]! + a * env[j + 1]! : env[bins - 1]! - (6 * (src - (bins - 1))) / bins;
        g *= Math.exp(Math.min(8, warped - env[k]!));
      }
      re[k] = re[k]! * g;
      im[k] = im[k]! * g;
      if (k > 0 && k < n / 2) {
        re[n - k] = re[k]!;
        im[n - k] = -im[k]!;
      }
    }
    inverse(f, re, im);
    for (let i = 0; i < n; i++) {
      out[start + i] = out[start + i]! + re[i]! * win[i]!;
      norm[start + i] = norm[start + i]! + win[i]! * win[i]!;
    }
  }
  const y = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const w = norm[n + i]!;
    y[i] = w > 1e-6 ? out[n + i]! / w : 0;
  }
  return y;
}

/**
 * A synthetic room: exponentially decaying noise (RT60 `rt60`), a few sparse early reflections, and the direct
 * path `drrDb` above the reverberant energy; convolved with one FFT of the whole clip.
 */
export function reverberate(
  x: Float32Array,
  rt60: number,
  drrDb: number,
  seed: number,
  sampleRate = SAMPLE_RATE,
): Float32Array {
  const len = Math.max(16, Math.round(rt60 * sampleRate));
  const h = new Float64Array(len);
  let s = seed >>> 0 || 1;
  const rand = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
  const decay = Math.log(1000) / (rt60 * sampleRate); // −60 dB at rt60
  let tail = 0;
  for (let i = 1; i < len; i++) {
    const v = (rand() * 2 - 1) * Math.exp(-decay * i);
    h[i] = v;
    tail += v * v;
  }
  for (let k = 0; k < 4; k++) {
    const at = 1 + Math.floor(rand() * Math.min(len - 1, 0.03 * sampleRate));
    h[at] = h[at]! + (rand() < 0.5 ? -1 : 1) * 0.3 * Math.sqrt(tail / len) * 20;
  }
  let energy = 0;
  for (let i = 1; i < len; i++) energy += h[i]! * h[i]!;
  const scale = Math.sqrt(10 ** (-drrDb / 10) / Math.max(energy, 1e-12));
  for (let i = 1; i < len; i++) h[i] = h[i]! * scale;
  h[0] = 1;
  let size = 2;
  while (size < x.length + len) size *= 2;
  const f = makeFft(size);
  const xr = new Float64Array(size);
  const xi = new Float64Array(size);
  const hr = new Float64Array(size);
  const hi = new Float64Array(size);
  for (let i = 0; i < x.length; i++) xr[i] = x[i]!;
  for (let i = 0; i < len; i++) hr[i] = h[i]!;
  f.forward(xr, xi);
  f.forward(hr, hi);
  for (let k = 0; k < size; k++) {
    const a = xr[k]! * hr[k]! - xi[k]! * hi[k]!;
    const b = xr[k]! * hi[k]! + xi[k]! * hr[k]!;
    xr[k] = a;
    xi[k] = b;
  }
  inverse(f, xr, xi);
  const y = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) y[i] = xr[i]!;
  return y;
}
