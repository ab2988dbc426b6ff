import { describe, expect, it } from 'vitest';
import { fftInPlace } from '../analysis';
import { SAMPLE_RATE } from '../audio/constants';
import { makeFft } from './fft';
import {
  analyzeCues,
  compareCues,
  contourForDisplay,
  CUE_METRICS,
  cueRetention,
  loudnessEnvelopeDb,
  medianF0,
  syllableRate,
  trackPitch,
  type PitchTrack,
} from './index';

const sr = SAMPLE_RATE;

function lcg(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5;
}

const tone = (hz: number, seconds = 1, amp = 0.5) =>
  Float32Array.from({ length: Math.round(seconds * sr) }, (_, i) => amp * Math.sin((2 * Math.PI * hz * i) / sr));

/** A harmonic signal whose F0 follows `f0(t)` (phase integrated sample by sample), harmonics falling 1/h. */
function harmonic(
  f0: (t: number) => number,
  seconds: number,
  amp = 0.3,
  envelope: (t: number) => number = () => 1,
): Float32Array {
  const n = Math.round(seconds * sr);
  const out = new Float32Array(n);
  let phase = 0;
  for (let i = 0; i < n; i++) {
    const t = i / sr;
    const f = f0(t);
    phase += (2 * Math.PI * f) / sr;
    let v = 0;
    for (let h = 1; h * f < 4000; h++) v += Math.sin(h * phase) / h;
    out[i] = amp * envelope(t) * v;
  }
  return out;
}

/**
 * Speech-like: syllables at 4 per second (voiced, with a falling-rising intonation around `baseHz`), a noise burst
 * between some of them (a fricative) and a pause in the middle.
 */
function speechLike(baseHz: number, seconds = 3, seed = 1): Float32Array {
  const f0 = (t: number) => baseHz * 2 ** ((2 * Math.sin(2 * Math.PI * 0.4 * t)) / 12);
  const env = (t: number) => {
    if (t > 1.4 && t < 1.8) return 0;
    const p = (t * 4) % 1;
    return p < 0.6 ? Math.sin((Math.PI * p) / 0.6) ** 2 * (0.6 + 0.4 * Math.sin(2 * Math.PI * 0.7 * t) ** 2) : 0;
  };
  const x = harmonic(f0, seconds, 0.3, env);
  const rand = lcg(seed);
  for (let i = 0; i < x.length; i++) {
    const p = ((i / sr) * 4) % 1;
    if (p > 0.7 && p < 0.85 && Math.floor((i / sr) * 4) % 2 === 0) x[i]! += 0.15 * rand();
  }
  return x;
}

const voicedShare = (t: PitchTrack) => t.voiced.reduce((a, b) => a + b, 0) / t.voiced.length;

describe('trackPitch', () => {
  it('tracks pure tones within 1 % on every voiced frame', () => {
    for (const hz of [100, 220, 440]) {
      const t = trackPitch(tone(hz));
      expect(t.hopS).toBeCloseTo(0.01, 12);
      expect(t.f0Hz).toHaveLength(100);
      expect(voicedShare(t)).toBeGreaterThan(0.95);
      for (let i = 0; i < t.f0Hz.length; i++) {
        if (t.voiced[i]) expect(Math.abs(t.f0Hz[i]! / hz - 1)).toBeLessThan(0.01);
        else expect(t.f0Hz[i]).toBe(0);
      }
      expect(Math.abs(medianF0(t) / hz - 1)).toBeLessThan(0.002);
    }
  });

  it('follows a glide monotonically from 90 to 360 Hz', () => {
    const seconds = 2;
    const f = (t: number) => 90 * 4 ** (t / seconds);
    const t = trackPitch(harmonic(f, seconds));
    expect(voicedShare(t)).toBeGreaterThan(0.95);
    let prev = 0;
    for (let i = 0; i < t.f0Hz.length; i++) {
      if (!t.voiced[i]) continue;
      // The first and last frames share one window (it cannot slide past the clip's ends), hence ≥ there.
      if (i > 3 && i < t.f0Hz.length - 4) expect(t.f0Hz[i]).toBeGreaterThan(prev);
      else expect(t.f0Hz[i]).toBeGreaterThanOrEqual(prev);
      // Away from the ends, the estimate sits on the instantaneous F0 at the frame centre.
      if (i >= 5 && i < t.f0Hz.length - 5) expect(Math.abs(t.f0Hz[i]! / f(i * t.hopS) - 1)).toBeLessThan(0.02);
      prev = t.f0Hz[i]!;
    }
  });

  it('calls white noise, silence and dither unvoiced', () => {
    const rand = lcg(7);
    const noise = Float32Array.from({ length: 2 * sr }, () => 0.5 * rand());
    expect(voicedShare(trackPitch(noise))).toBeLessThan(0.05);
    const silence = trackPitch(new Float32Array(sr));
    expect(voicedShare(silence)).toBe(0);
    expect(silence.active.every((a) => a === 0)).toBe(true);
    const dither = Float32Array.from({ length: sr }, () => 3e-5 * rand());
    expect(voicedShare(trackPitch(dither))).toBe(0);
    // A voiced tone with silence around it: only the tone's frames are voiced.
    const x = new Float32Array(2 * sr);
    x.set(tone(150, 0.5), sr / 2);
    const t = trackPitch(x);
    for (let i = 0; i < t.f0Hz.length; i++) {
      const centre = i * t.hopS;
      if (centre > 0.56 && centre < 0.94) expect(t.voiced[i]).toBe(1);
      if (centre < 0.44 || centre > 1.06) expect(t.voiced[i]).toBe(0);
    }
  });

  it('reads sawtooth and pulse-train periods without octave errors', () => {
    for (const hz of [80, 150, 230]) {
      const saw = Float32Array.from({ length: sr }, (_, i) => 0.5 * (2 * (((hz * i) / sr) % 1) - 1));
      // A band-limited pulse train: every harmonic at equal strength, the hardest case for a non-integer period.
      const pulse = Float32Array.from({ length: sr }, (_, i) => {
        let v = 0;
        for (let h = 1; h * hz < 7900; h++) v += Math.cos((2 * Math.PI * h * hz * i) / sr);
        return 0.02 * v;
      });
      for (const x of [saw, pulse]) {
        const t = trackPitch(x);
        expect(voicedShare(t)).toBeGreaterThan(0.95);
        for (let i = 0; i < t.f0Hz.length; i++)
          if (t.voiced[i]) expect(Math.abs(t.f0Hz[i]! / hz - 1)).toBeLessThan(0.01);
      }
    }
  });

  it('reads the period, not half of it, when the fundamental is weak and only even harmonics are strong', () => {
    // Half the period is then nearly a period too (CMND ≈ 0.05 there): without the octave check all of these read
    // an octave high.
    for (const hz of [120, 180, 240]) {
      const x = Float32Array.from({ length: sr }, (_, i) => {
        const p = (2 * Math.PI * hz * i) / sr;
        return 0.2 * (0.2 * Math.sin(p) + Math.sin(2 * p) + 0.3 * Math.sin(4 * p + 1));
      });
      const t = trackPitch(x);
      expect(voicedShare(t)).toBeGreaterThan(0.95);
      for (let i = 0; i < t.f0Hz.length; i++) if (t.voiced[i]) expect(Math.abs(t.f0Hz[i]! / hz - 1)).toBeLessThan(0.01);
    }
  });

  it('tracks tones at the edges of 50–500 Hz and leaves a tone below the range unvoiced', () => {
    for (const hz of [50, 55, 480, 500]) {
      const t = trackPitch(tone(hz));
      expect(voicedShare(t)).toBeGreaterThan(0.95);
      expect(Math.abs(medianF0(t) / hz - 1)).toBeLessThan(0.01);
    }
    // (A tone above 500 Hz is also periodic at twice its period, so it reads as that sub-multiple: no claim here.)
    expect(voicedShare(trackPitch(tone(42)))).toBe(0);
  });

  it('is gain invariant and fast: a 10 s clip in well under a second', () => {
    const x = speechLike(120, 10);
    const t0 = performance.now();
    const a = trackPitch(x);
    const ms = performance.now() - t0;
    expect(ms).toBeLessThan(1000);
    const b = trackPitch(x.map((v) => v * 10 ** (-12 / 20)));
    let same = 0;
    for (let i = 0; i < a.voiced.length; i++)
      if (a.voiced[i] === b.voiced[i] && Math.abs(a.f0Hz[i]! - b.f0Hz[i]!) < 1e-3 * (a.f0Hz[i]! || 1)) same++;
    expect(same / a.voiced.length).toBeGreaterThan(0.995);
  });

  it('runs on a coarser hop when asked, on the same time axis', () => {
    const f = (t: number) => 100 * 2 ** t;
    const x = harmonic(f, 2);
    const t = trackPitch(x, { hopSamples: 800 });
    expect(t.hopS).toBeCloseTo(0.05, 12);
    expect(t.f0Hz).toHaveLength(40);
    for (let i = 2; i < 38; i++) expect(Math.abs(t.f0Hz[i]! / f(i * 0.05) - 1)).toBeLessThan(0.02);
    expect(() => trackPitch(x, { hopSamples: 161 })).toThrow(/even number/);
  });

  it('refuses input it cannot measure, with a reason, and leaves the input alone', () => {
    expect(() => trackPitch(new Float32Array(0))).toThrow(/empty/);
    const bad = tone(100, 0.1);
    bad[800] = NaN;
    expect(() => trackPitch(bad)).toThrow(/invalid sample.*0\.050 s/);
    const x = tone(100, 0.2);
    const copy = x.slice();
    trackPitch(x);
    expect(x).toEqual(copy);
  });
});

describe('makeFft', () => {
  it('matches the shared FFT', () => {
    const rand = lcg(11);
    for (const n of [8, 512]) {
      const re = Float64Array.from({ length: n }, rand);
      const im = Float64Array.from({ length: n }, rand);
      const re2 = re.slice();
      const im2 = im.slice();
      fftInPlace(re, im);
      makeFft(n).forward(re2, im2);
      for (let i = 0; i < n; i++) {
        expect(re2[i]).toBeCloseTo(re[i]!, 9);
        expect(im2[i]).toBeCloseTo(im[i]!, 9);
      }
    }
    expect(() => makeFft(300)).toThrow(/power of two/);
  });
});

describe('contourForDisplay', () => {
  it('keeps short tracks as they are and reduces long ones to medians of mostly voiced groups', () => {
    const t = trackPitch(tone(200, 0.5));
    expect(contourForDisplay(t, 1000).f0Hz).toEqual(t.f0Hz);
    const long: PitchTrack = {
      hopS: 0.01,
      f0Hz: Float32Array.from({ length: 1000 }, (_, i) =>
        i < 500 ? 100 + (i % 4) : i < 750 ? 0 : i % 4 === 0 ? 300 : 0,
      ),
      voiced: Uint8Array.from({ length: 1000 }, (_, i) => (i < 500 || (i >= 750 && i % 4 === 0) ? 1 : 0)),
      aperiodicity: new Float32Array(1000),
      active: new Uint8Array(1000).fill(1),
    };
    const c = contourForDisplay(long, 100);
    expect(c.f0Hz).toHaveLength(100);
    expect(c.hopS).toBeCloseTo(0.1, 12);
    // Frames 0–9 hold 100, 101, 102, 103, 100, …: median 101.
    expect(c.f0Hz[0]).toBe(101);
    // 25 % voiced groups (a blip every 4th frame) do not draw.
    expect(c.f0Hz[80]).toBe(0);
    expect(c.f0Hz[60]).toBe(0);
  });
});

describe('loudness and speaking rate', () => {
  it('reads a full-scale sine at −3 dB and silence far below', () => {
    const e = loudnessEnvelopeDb(tone(1000, 0.5, 1));
    expect(e.db[25]).toBeCloseTo(-3.01, 1);
    expect(loudnessEnvelopeDb(new Float32Array(800)).db[2]).toBeLessThan(-100);
  });

  it('counts about 4 syllables per second in 4 bursts per second (and 2 in 2, 6 in 6)', () => {
    for (const perSecond of [2, 4, 6]) {
      const seconds = 4;
      const x = new Float32Array((seconds + 1) * sr);
      // Each burst fills 60 % of its slot, like a vowel between short consonants.
      const len = 0.6 / perSecond;
      const burst = harmonic(
        () => 140,
        len,
        0.3,
        (t) => Math.sin((Math.PI * t) / len) ** 2,
      );
      const count = seconds * perSecond;
      for (let k = 0; k < count; k++) x.set(burst, Math.round((0.5 + k / perSecond) * sr));
      const r = syllableRate(x);
      expect(r.nuclei).toBe(count);
      expect(r.speechSeconds).toBeGreaterThan(seconds - 1 / perSecond);
      expect(r.speechSeconds).toBeLessThan(seconds);
      expect(r.rate).toBeGreaterThan(perSecond * 0.95);
      expect(r.rate).toBeLessThan(perSecond * 1.15);
    }
  });

  it('does not count steady noise in the pauses as speaking time', () => {
    // Two 1-second phrases at 4 syllables/s with a second of pause between them and around them.
    const x = new Float32Array(5 * sr);
    const burst = harmonic(
      () => 140,
      0.15,
      0.3,
      (t) => Math.sin((Math.PI * t) / 0.15) ** 2,
    );
    for (const start of [1, 3]) for (let k = 0; k < 4; k++) x.set(burst, Math.round((start + k / 4) * sr));
    const clean = syllableRate(x);
    const rand = lcg(9);
    const noisy = syllableRate(x.map((v) => v + 0.06 * rand()));
    expect(clean.nuclei).toBe(8);
    expect(noisy.nuclei).toBe(8);
    expect(noisy.speechSeconds).toBeLessThan(clean.speechSeconds * 1.1);
    expect(Math.abs(noisy.rate / clean.rate - 1)).toBeLessThan(0.1);
  });

  it('finds no speech in silence', () => {
    const r = syllableRate(new Float32Array(sr));
    expect(r.nuclei).toBe(0);
    expect(r.rate).toBeNaN();
  });
});

describe('cueRetention', () => {
  const x = speechLike(120, 3);

  it('gives perfect retention for an identical copy', () => {
    const c = cueRetention(x, x.slice());
    expect(c.f0Correlation).toBeCloseTo(1, 10);
    expect(c.f0RmseSemitones).toBe(0);
    expect(c.voicingAgreement).toBe(1);
    expect(c.loudnessCorrelation).toBeCloseTo(1, 10);
    expect(c.syllableRateChange).toBe(0);
    expect(c.syllableRateOriginal).toBeGreaterThan(3);
    expect(c.f0Frames).toBeGreaterThan(100);
    expect(c.voicingFrames).toBeGreaterThan(c.f0Frames);
    expect(c.reasons).toEqual({});
  });

  it('is gain invariant: a copy 12 dB quieter keeps every cue', () => {
    const quiet = x.map((v) => v * 10 ** (-12 / 20));
    const c = cueRetention(x, quiet);
    expect(c.f0Correlation).toBeGreaterThan(0.9999);
    expect(c.f0RmseSemitones).toBeLessThan(0.01);
    expect(c.voicingAgreement).toBeGreaterThan(0.99);
    expect(c.loudnessCorrelation).toBeGreaterThan(0.9999);
    expect(c.syllableRateChange).toBe(0);
  });

  it('measures a known pitch shift as its size in semitones, with the contour shape kept', () => {
    for (const st of [2, 5]) {
      const shifted = speechLike(120 * 2 ** (st / 12), 3);
      const c = cueRetention(x, shifted);
      expect(c.f0RmseSemitones).toBeGreaterThan(st - 0.1);
      expect(c.f0RmseSemitones).toBeLessThan(st + 0.1);
      expect(c.f0Correlation).toBeGreaterThan(0.98);
      expect(c.voicingAgreement).toBeGreaterThan(0.95);
    }
    // A flattened melody keeps the mean pitch but loses the contour.
    const flat = harmonic(
      () => 120,
      3,
      0.3,
      (t) => (t > 1.4 && t < 1.8 ? 0 : (t * 4) % 1 < 0.6 ? Math.sin((Math.PI * ((t * 4) % 1)) / 0.6) ** 2 : 0),
    );
    const c = cueRetention(x, flat);
    expect(c.f0Correlation).toBeNaN();
    expect(c.reasons.f0Correlation).toMatch(/flat/);
  });

  it('loses voicing agreement as additive noise gets louder', () => {
    const rand = lcg(3);
    const white = Float32Array.from(x, () => rand());
    let xx = 0;
    let nn = 0;
    for (let i = 0; i < x.length; i++) {
      xx += x[i]! * x[i]!;
      nn += white[i]! * white[i]!;
    }
    const agreement = [30, 10, 0, -5].map((snr) => {
      const g = Math.sqrt(xx / nn / 10 ** (snr / 10));
      return cueRetention(
        x,
        x.map((v, i) => v + g * white[i]!),
      ).voicingAgreement;
    });
    expect(agreement[0]).toBeGreaterThan(0.95);
    // Measured 1, 0.92, 0.81, 0.71 (the tracker low-passes at 1 kHz, so white noise hurts it less than its SNR says).
    expect(agreement[0]).toBeGreaterThan(0.97);
    expect(agreement[2]).toBeLessThan(0.9);
    for (let k = 1; k < agreement.length; k++) expect(agreement[k]).toBeLessThan(agreement[k - 1]!);
  });

  it('reports a faster copy as a positive speaking-rate change', () => {
    // The same syllables squeezed to 5 per second instead of 4.
    const fast = harmonic(
      (t) => 120 * 2 ** ((2 * Math.sin(2 * Math.PI * 0.5 * t)) / 12),
      2.4,
      0.3,
      (t) => {
        const p = (t * 5) % 1;
        return p < 0.6 ? Math.sin((Math.PI * p) / 0.6) ** 2 : 0;
      },
    );
    const slow = harmonic(
      (t) => 120 * 2 ** ((2 * Math.sin(2 * Math.PI * 0.5 * t)) / 12),
      2.4,
      0.3,
      (t) => {
        const p = (t * 4) % 1;
        return p < 0.6 ? Math.sin((Math.PI * p) / 0.6) ** 2 : 0;
      },
    );
    const c = cueRetention(slow, fast);
    expect(c.syllableRateChange).toBeGreaterThan(0.15);
    expect(c.syllableRateChange).toBeLessThan(0.35);
  });

  it('says why when there is too little to compare', () => {
    const blip = new Float32Array(sr);
    blip.set(tone(150, 0.05), 4000);
    const c = cueRetention(blip, blip);
    expect(c.f0Frames).toBeLessThan(10);
    expect(c.f0Correlation).toBeNaN();
    expect(c.f0RmseSemitones).toBeNaN();
    expect(c.reasons.f0RmseSemitones).toMatch(/at least 10/);
    const silent = cueRetention(new Float32Array(sr), x.subarray(0, sr));
    expect(silent.voicingAgreement).toBeNaN();
    expect(silent.reasons.voicingAgreement).toMatch(/silent/);
    expect(silent.syllableRateChange).toBeNaN();
    expect(silent.reasons.syllableRateChange).toMatch(/No syllables/);
    expect(() => cueRetention(x, new Float32Array(0))).toThrow(/processed clip is empty/);
  });

  it('compares the analyses the one-call form would make, and documents every NaN-able metric', () => {
    const y = x.map((v, i) => v + 0.02 * Math.sin(i));
    expect(compareCues(analyzeCues(x), analyzeCues(y))).toEqual(cueRetention(x, y));
    const keys = CUE_METRICS.map((m) => m.key).sort();
    expect(keys).toEqual([
      'f0Correlation',
      'f0RmseSemitones',
      'loudnessCorrelation',
      'syllableRateChange',
      'voicingAgreement',
    ]);
    for (const m of CUE_METRICS) expect(m.explain.length).toBeGreaterThan(40);
  });
});
