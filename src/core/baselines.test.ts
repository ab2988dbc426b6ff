import { describe, expect, it } from 'vitest';
import { bandEnergies, powerSpectrogram, snrDb } from './analysis';
import {
  BASELINES,
  applyBaseline,
  convolveCentered,
  designLowpass,
  firLowpass,
  fullEffect,
  lpc,
  mcadams,
  pitchShift,
  polyFromRoots,
  polyRoots,
  projectResidualToBudget,
  type BaselineId,
} from './baselines';

const FS = 16000;

/** Small LCG so the test signals do not depend on the code under test's PRNG. */
function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647 - 0.5;
  };
}

/** Vowel-like: harmonics of an F0 gliding 120–220 Hz under a four-formant envelope, plus white noise. */
function vowel(seconds: number, seed = 7): Float32Array {
  const n = Math.round(seconds * FS);
  const x = new Float32Array(n);
  const rnd = lcg(seed);
  const formants = [
    [700, 130],
    [1200, 150],
    [2600, 250],
    [3500, 300],
  ] as const;
  let phase = 0;
  for (let i = 0; i < n; i++) {
    const f0 = 170 + 50 * Math.sin((2 * Math.PI * 1.5 * i) / FS);
    phase += (2 * Math.PI * f0) / FS;
    let v = 0;
    for (let h = 1; h * f0 < 7800; h++) {
      let g = 0;
      for (const [fc, bw] of formants) g += 1 / (1 + ((h * f0 - fc) / bw) ** 2);
      v += (g * Math.sin(h * phase)) / Math.sqrt(h);
    }
    x[i] = 0.1 * v + 0.02 * rnd();
  }
  return x;
}

/** Linear chirp 100 Hz → 7 kHz. */
function chirp(seconds: number): Float32Array {
  const n = Math.round(seconds * FS);
  const x = new Float32Array(n);
  const f1 = 100;
  const f2 = 7000;
  for (let i = 0; i < n; i++) {
    const t = i / FS;
    x[i] = 0.5 * Math.sin(2 * Math.PI * (f1 * t + ((f2 - f1) * t * t) / (2 * seconds)));
  }
  return x;
}

function tone(hz: number, seconds: number, amp = 0.5): Float32Array {
  const n = Math.round(seconds * FS);
  return Float32Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * hz * i) / FS));
}

/** Harmonic signal with a constant F0 (1/h amplitudes, scattered phases). */
function harmonic(f0: number, seconds: number): Float32Array {
  const n = Math.round(seconds * FS);
  const x = new Float32Array(n);
  for (let h = 1; h * f0 < 7000; h++) {
    const ph = h * h * 0.3;
    for (let i = 0; i < n; i++) x[i]! += (0.2 * Math.sin((2 * Math.PI * h * f0 * i) / FS + ph)) / h;
  }
  return x;
}

/** Impulse train through cascaded two-pole resonators: a vowel with known formants. */
function allPoleVowel(f0: number, formants: [number, number][], seconds: number): Float32Array {
  const n = Math.round(seconds * FS);
  let x = new Float64Array(n);
  for (let t = 0; t < n; t += FS / f0) x[Math.round(t)] = 1;
  for (const [f, bw] of formants) {
    const r = Math.exp((-Math.PI * bw) / FS);
    const a1 = -2 * r * Math.cos((2 * Math.PI * f) / FS);
    const a2 = r * r;
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) y[i] = x[i]! - a1 * (i > 0 ? y[i - 1]! : 0) - a2 * (i > 1 ? y[i - 2]! : 0);
    x = y;
  }
  let peak = 0;
  for (const v of x) peak = Math.max(peak, Math.abs(v));
  return Float32Array.from(x, (v) => (0.5 * v) / peak);
}

function rms(x: Float32Array, from = 0, to = x.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i]! * x[i]!;
  return Math.sqrt(s / Math.max(1, to - from));
}

/** F0 from the first strong autocorrelation peak (60–500 Hz), parabolic interpolation; middle 60 % of the clip. */
function estimateF0(x: Float32Array): number {
  const s = x.subarray(Math.floor(x.length * 0.2), Math.floor(x.length * 0.8));
  const minLag = Math.floor(FS / 500);
  const maxLag = Math.ceil(FS / 60);
  const r: number[] = [];
  for (let l = 0; l <= maxLag + 1; l++) {
    let a = 0;
    for (let i = 0; i + l < s.length; i++) a += s[i]! * s[i + l]!;
    r.push(a / (s.length - l));
  }
  let max = -Infinity;
  for (let l = minLag; l <= maxLag; l++) max = Math.max(max, r[l]!);
  for (let l = minLag; l <= maxLag; l++) {
    if (r[l]! >= 0.9 * max && r[l]! >= r[l - 1]! && r[l]! >= r[l + 1]!) {
      const d = (r[l - 1]! - r[l + 1]!) / (2 * (r[l - 1]! - 2 * r[l]! + r[l + 1]!));
      return FS / (l + d);
    }
  }
  return NaN;
}

/** Frequency of the strongest bin of the clip's mean power spectrum within [lo, hi] Hz. */
function spectralPeakHz(x: Float32Array, lo: number, hi: number): number {
  const s = powerSpectrogram(x, { nFft: 2048, hop: 512 });
  const binHz = FS / s.nFft;
  let best = -1;
  let bestK = 0;
  for (let k = Math.ceil(lo / binHz); k <= Math.floor(hi / binHz); k++) {
    let p = 0;
    for (let f = 0; f < s.frames; f++) p += s.power[f * s.bins + k]!;
    if (p > best) {
      best = p;
      bestK = k;
    }
  }
  return bestK * binHz;
}

const IDS: BaselineId[] = ['noise', 'lowpass2k', 'lowpass4k', 'pitch', 'mcadams'];

describe('registry', () => {
  it('lists every baseline id once with its parameters', () => {
    expect(BASELINES.map((b) => b.id).sort()).toEqual([...IDS].sort());
    for (const b of BASELINES) for (const p of b.params) expect(p.default).toBeGreaterThanOrEqual(p.min);
  });
});

describe('budget projection', () => {
  const x = vowel(0.25);
  const z = x.map((v, i) => v + 0.3 * Math.sin(i));

  it('scales a residual outside the ball exactly onto it', () => {
    const full = snrDb(x, z);
    expect(full).toBeLessThan(10);
    const { y, scale } = projectResidualToBudget(x, z, 20);
    expect(scale).toBeLessThan(1);
    expect(snrDb(x, y)).toBeGreaterThanOrEqual(20);
    expect(snrDb(x, y)).toBeCloseTo(20, 2);
  });

  it('returns a full effect already within the budget unchanged', () => {
    const { y, scale } = projectResidualToBudget(x, z, snrDb(x, z) - 0.5);
    expect(scale).toBe(1);
    expect(Array.from(y)).toEqual(Array.from(z));
  });

  it('treats null and −Infinity as no budget, and allows no change to a silent clip', () => {
    expect(Array.from(projectResidualToBudget(x, z, null).y)).toEqual(Array.from(z));
    expect(Array.from(projectResidualToBudget(x, z, -Infinity).y)).toEqual(Array.from(z));
    const silent = new Float32Array(100);
    const { y } = projectResidualToBudget(
      silent,
      silent.map(() => 0.1),
      20,
    );
    expect(Array.from(y)).toEqual(Array.from(silent));
    expect(() => projectResidualToBudget(x, z.subarray(1), 20)).toThrow(RangeError);
  });
});

describe('every baseline under an SNR budget', () => {
  const signals = { vowel: vowel(1), chirp: chirp(1) };
  const targets = [10, 15, 20, 25];

  for (const id of IDS) {
    it(`${id}: hits the budget within 0.5 dB where the full effect exceeds it, keeps length`, () => {
      let binding = 0;
      for (const [name, x] of Object.entries(signals)) {
        const free = applyBaseline(id, x, { minSnrDb: null });
        expect(free.y.length, name).toBe(x.length);
        expect(free.snrDb, name).toBeCloseTo(free.fullEffectSnrDb, 6);
        for (const t of targets) {
          const r = applyBaseline(id, x, { minSnrDb: t });
          expect(r.y.length).toBe(x.length);
          // Measured independently of the result's own field.
          const measured = snrDb(x, r.y);
          expect(measured, `${name} @ ${t} dB`).toBeGreaterThanOrEqual(t - 1e-3);
          if (id === 'noise' || r.fullEffectSnrDb < t) {
            binding++;
            expect(Math.abs(measured - t), `${name} @ ${t} dB`).toBeLessThan(0.5);
          } else {
            // Budget looser than the method's own effect: the full effect comes back untouched.
            expect(r.scale).toBe(1);
            expect(measured).toBeCloseTo(r.fullEffectSnrDb, 6);
          }
          if (id !== 'noise') expect(r.fullEffectSnrDb).toBeCloseTo(free.fullEffectSnrDb, 6);
        }
      }
      // The projection was actually exercised, not skipped everywhere.
      expect(binding).toBeGreaterThanOrEqual(4);
    });
  }

  it('passes empty and silent clips through without NaNs', () => {
    for (const id of IDS) {
      expect(applyBaseline(id, new Float32Array(0), { minSnrDb: 20 }).y.length).toBe(0);
      const silent = new Float32Array(4000);
      for (const minSnrDb of [20, null]) {
        const r = applyBaseline(id, silent, { minSnrDb });
        expect(r.y.length).toBe(silent.length);
        expect(
          r.y.every((v) => v === 0),
          id,
        ).toBe(true);
      }
    }
  });

  it('rejects a NaN budget', () => {
    expect(() => applyBaseline('pitch', vowel(0.1), { minSnrDb: NaN })).toThrow(RangeError);
  });
});

describe('white noise', () => {
  const x = vowel(0.5);

  it('is deterministic per seed and differs across seeds', () => {
    const a = applyBaseline('noise', x, { minSnrDb: 15, seed: 3 }).y;
    const b = applyBaseline('noise', x, { minSnrDb: 15, seed: 3 }).y;
    const c = applyBaseline('noise', x, { minSnrDb: 15, seed: 4 }).y;
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(snrDb(a, c)).toBeLessThan(30);
  });

  it('is white: its energy above 2 kHz matches the bandwidth share', () => {
    const y = applyBaseline('noise', x, { minSnrDb: 0, seed: 1 }).y;
    const d = y.map((v, i) => v - x[i]!);
    const e = bandEnergies(d, 2000, 0);
    expect(e.high / (e.low + e.high)).toBeGreaterThan(0.72);
    expect(e.high / (e.low + e.high)).toBeLessThan(0.78);
  });

  it('uses its noiseSnrDb parameter when unbudgeted', () => {
    const r = applyBaseline('noise', x, { minSnrDb: null, params: { noiseSnrDb: 7 } });
    expect(r.snrDb).toBeCloseTo(7, 3);
  });
});

describe('FIR low-pass', () => {
  for (const cutoff of [2000, 4000]) {
    it(`${cutoff} Hz: ≥ 40 dB down at 5 kHz, 500 Hz passes within 0.5 dB and stays aligned`, () => {
      const inner = [1600, 14400] as const; // away from the zero-padded edges
      const hi = tone(5000, 1);
      const yHi = firLowpass(hi, cutoff);
      expect(yHi.length).toBe(hi.length);
      expect(20 * Math.log10(rms(yHi, ...inner) / rms(hi, ...inner))).toBeLessThan(-40);
      const lo = tone(500, 1);
      const yLo = firLowpass(lo, cutoff);
      expect(Math.abs(20 * Math.log10(rms(yLo, ...inner) / rms(lo, ...inner)))).toBeLessThan(0.5);
      // Zero phase: the pass-band tone comes back sample-aligned (a one-sample lag would give ≈ 20 dB here).
      expect(snrDb(lo.subarray(...inner), yLo.subarray(...inner))).toBeGreaterThan(40);
    });
  }

  it('FFT overlap-add equals the direct centred convolution, edges and short clips included', () => {
    const h = designLowpass(2000);
    const half = (h.length - 1) / 2;
    const rnd = lcg(11);
    for (const n of [37, h.length + 5, 5003]) {
      const x = Float32Array.from({ length: n }, () => rnd());
      const y = convolveCentered(x, h);
      expect(y.length).toBe(n);
      for (let i = 0; i < n; i++) {
        let ref = 0;
        for (let k = 0; k < h.length; k++) {
          const j = i + k - half;
          if (j >= 0 && j < n) ref += h[k]! * x[j]!;
        }
        expect(Math.abs(y[i]! - ref)).toBeLessThan(1e-6);
      }
    }
  });

  it('designs a symmetric odd-length kernel with unit DC gain', () => {
    const h = designLowpass(4000);
    expect(h.length % 2).toBe(1);
    for (let i = 0; i < h.length; i++) expect(h[i]).toBeCloseTo(h[h.length - 1 - i]!, 12);
    expect(h.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
  });
});

describe('pitch shift', () => {
  const x = harmonic(150, 1);
  const f0 = estimateF0(x);

  it('moves the fundamental by 2^(n/12) and keeps the length', () => {
    expect(f0).toBeGreaterThan(147);
    expect(f0).toBeLessThan(153);
    for (const semitones of [3, -3]) {
      const y = pitchShift(x, semitones);
      expect(y.length).toBe(x.length);
      const ratio = estimateF0(y) / f0;
      expect(Math.abs(ratio / Math.pow(2, semitones / 12) - 1), `${semitones} st`).toBeLessThan(0.02);
    }
  });

  it('keeps events where they were in time', () => {
    const burst = new Float32Array(FS);
    const src = harmonic(130, 0.2);
    burst.set(src, Math.round(0.4 * FS));
    const y = pitchShift(burst, 3);
    const centre = (v: Float32Array) => {
      let w = 0;
      let m = 0;
      for (let i = 0; i < v.length; i++) {
        w += v[i]! * v[i]!;
        m += i * v[i]! * v[i]!;
      }
      return m / w / FS;
    };
    expect(Math.abs(centre(y) - centre(burst))).toBeLessThan(0.005);
  });

  it('uses the semitones parameter through applyBaseline', () => {
    const y = fullEffect('pitch', x, { semitones: -2 });
    expect(Math.abs(estimateF0(y) / f0 / Math.pow(2, -2 / 12) - 1)).toBeLessThan(0.02);
  });
});

describe('McAdams anonymisation', () => {
  it('finds polynomial roots that rebuild the LPC polynomial', () => {
    const a = lpc(vowel(0.02), 20)!;
    const roots = polyRoots(a);
    expect(roots.converged).toBe(true);
    const b = polyFromRoots(roots.re, roots.im);
    for (let k = 0; k < a.length; k++) expect(b[k]).toBeCloseTo(a[k]!, 9);
    // Stable all-pole model: every pole inside the unit circle.
    for (let i = 0; i < roots.re.length; i++) expect(Math.hypot(roots.re[i]!, roots.im[i]!)).toBeLessThan(1);
  });

  it('is (near) the identity with α = 1 and keeps the length', () => {
    const x = vowel(0.5);
    const y = mcadams(x, 1);
    expect(y.length).toBe(x.length);
    expect(snrDb(x, y)).toBeGreaterThan(60);
  });

  it('with α = 0.8 moves formants along φ → φ^0.8: F1, F2 up, a formant above 1 rad down', () => {
    const x = allPoleVowel(
      100,
      [
        [500, 60],
        [1500, 90],
        [4000, 150],
      ],
      1,
    );
    const y = mcadams(x, 0.8);
    expect(y.length).toBe(x.length);
    const mapped = (hz: number) => (Math.pow((2 * Math.PI * hz) / FS, 0.8) * FS) / (2 * Math.PI);
    const bands: [number, number, number][] = [
      [500, 300, 1100],
      [1500, 1200, 2200],
      [4000, 3000, 4800],
    ];
    for (const [formant, lo, hi] of bands) {
      const before = spectralPeakHz(x, lo, hi);
      const after = spectralPeakHz(y, lo, hi);
      // Harmonics sit every 100 Hz, so peaks are read to ±1 harmonic.
      expect(Math.abs(before - formant), `input ${formant}`).toBeLessThan(60);
      expect(Math.abs(after - mapped(formant)), `output ${formant}`).toBeLessThan(110);
      expect(Math.abs(after - before), `moved ${formant}`).toBeGreaterThan(80);
    }
  });

  it('keeps the clip energy (one gain per clip) and the poles stable', () => {
    const x = vowel(0.5);
    const y = mcadams(x, 0.7);
    expect(rms(y) / rms(x)).toBeCloseTo(1, 4);
    expect(y.every(Number.isFinite)).toBe(true);
    const raw = mcadams(x, 0.7, { matchEnergy: false });
    expect(raw.every(Number.isFinite)).toBe(true);
    expect(Math.abs(20 * Math.log10(rms(raw) / rms(x)))).toBeLessThan(20);
  });
});
