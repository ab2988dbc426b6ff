import { describe, expect, it } from 'vitest';
import {
  asrFrameStats,
  asrSignals,
  assessDomain,
  domainScore,
  fitDomainCalibration,
  parseDomainCalibration,
  serSignals,
  speechPresence,
  type DomainCalibration,
  type DomainSignals,
} from './domain';
import { percentile } from './stats';

const SR = 16000;

function base(over: Partial<DomainSignals> = {}): DomainSignals {
  return {
    duration: 2,
    activeSeconds: 1.5,
    activeShare: 0.75,
    tonalShare: 0,
    asrBlankRate: 0.6,
    asrUnsure: 0.1,
    asrEntropy: 0.1,
    asrCharConfidence: 0.9,
    asrCharRate: 12,
    serMaxProb: 0.9,
    serEntropy: 0.2,
    ...over,
  };
}

/** A deterministic spread of values around a centre. */
const around = (c: number, spread: number, n: number) =>
  Array.from({ length: n }, (_, i) => c + spread * (((i * 37) % n) / n - 0.5));

describe('speechPresence', () => {
  it('finds no active sound in silence and a tonal one in a beep', () => {
    expect(speechPresence(new Float32Array(SR)).activeSeconds).toBe(0);
    const tone = Float32Array.from({ length: SR }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 440 * i) / SR));
    const p = speechPresence(tone);
    expect(p.activeShare).toBeGreaterThan(0.95);
    expect(p.tonalShare).toBeGreaterThan(0.95);
  });

  it('calls a harmonic, voice-like sound active but not tonal, and counts only its loud part', () => {
    // 1 s of a 120 Hz source with 30 equal-ish harmonics (a crude vowel), then 1 s of silence.
    const x = new Float32Array(2 * SR);
    for (let i = 0; i < SR; i++) {
      let v = 0;
      for (let h = 1; h <= 30; h++) v += Math.sin((2 * Math.PI * 120 * h * i) / SR + h) / (1 + h / 10);
      x[i] = 0.05 * v;
    }
    const p = speechPresence(x);
    expect(p.tonalShare).toBeLessThan(0.1);
    expect(p.activeSeconds).toBeGreaterThan(0.9);
    expect(p.activeSeconds).toBeLessThan(1.1);
    expect(p.duration).toBe(2);
  });
});

describe('ASR and SER signals', () => {
  const v = 4;
  const frame = (p: number[]) => p.map((x) => Math.log(Math.max(x, 1e-30)));
  it('measures blank rate, unsure frames, confidence and letters from log-probabilities', () => {
    const lp = Float32Array.from([
      ...frame([0.97, 0.01, 0.01, 0.01]), // blank
      ...frame([0.05, 0.9, 0.03, 0.02]), // 'a' sure
      ...frame([0.05, 0.9, 0.03, 0.02]), // 'a' repeated: same letter
      ...frame([0.3, 0.1, 0.4, 0.2]), // 'b' unsure
    ]);
    const s = asrFrameStats(lp, v);
    expect(s.frames).toBe(4);
    expect(s.blank).toBe(1);
    expect(s.unsure).toBe(1);
    expect(s.letters).toBe(2);
    expect(s.confidence / 3).toBeCloseTo((0.9 + 0.9 + 0.4) / 3, 5);
    const sig = asrSignals([s], 0.5);
    expect(sig.asrBlankRate).toBeCloseTo(0.25);
    expect(sig.asrUnsure).toBeCloseTo(1 / 3);
    expect(sig.asrCharRate).toBeCloseTo(4);
    // entropy of the unsure frame is higher than that of the sure one; the mean lies between them
    expect(sig.asrEntropy).toBeGreaterThan(0.2);
    expect(sig.asrEntropy).toBeLessThan(0.9);
  });

  it('SER: a sure and a flat distribution', () => {
    expect(serSignals([1, 0, 0, 0])).toEqual({ serMaxProb: 1, serEntropy: 0 });
    const flat = serSignals([0.25, 0.25, 0.25, 0.25]);
    expect(flat.serMaxProb).toBe(0.25);
    expect(flat.serEntropy).toBeCloseTo(1, 6);
  });
});

describe('fitDomainCalibration and assessDomain', () => {
  const inD = around(0.12, 0.12, 60).map((u, i) => base({ asrUnsure: u, serMaxProb: 0.85 + 0.1 * ((i % 7) / 7) }));
  const outD = around(0.6, 0.3, 40).map((u, i) => base({ asrUnsure: u, serMaxProb: 0.4 + 0.3 * ((i % 5) / 5) }));
  const calib = fitDomainCalibration(inD, outD, { features: ['asrUnsure', 'serMaxProb'], provenance: { test: true } });

  it('learns the directions and separates the two groups', () => {
    expect(calib.weights[0]).toBeGreaterThan(0); // more unsure frames → out
    expect(calib.weights[1]).toBeLessThan(0); // a higher top emotion score → in
    expect(inD.filter((s) => assessDomain(s, calib).verdict === 'in-domain').length).toBe(inD.length);
    expect(outD.filter((s) => assessDomain(s, calib).verdict === 'out-of-domain').length).toBe(outD.length);
    expect(calib.typical.asrUnsure!.p90).toBeCloseTo(
      percentile(
        inD.map((s) => s.asrUnsure),
        0.9,
      ),
      9,
    );
  });

  it("explains an out-of-domain clip with the known voices' range, and an in-domain clip with nothing", () => {
    const v = assessDomain(base({ asrUnsure: 0.6, serMaxProb: 0.45 }), calib);
    expect(v.verdict).toBe('out-of-domain');
    expect(v.score).toBeGreaterThan(calib.threshold);
    expect(v.reasons.some((r) => /unsure on 60 % .*typical for known voices: under \d+ %/.test(r))).toBe(true);
    expect(
      v.reasons.some((r) => /emotion model's top score is 45 % \(typical for known voices: over \d+ %\)/.test(r)),
    ).toBe(true);
    const ok = assessDomain(base({ asrUnsure: 0.1, serMaxProb: 0.9 }), calib);
    expect(ok.verdict).toBe('in-domain');
    expect(ok.reasons).toEqual([]);
    expect(ok.score).toBeLessThan(calib.threshold);
  });

  it('says no speech for silence and for a tone, whatever the models say', () => {
    const silent = assessDomain(base({ activeSeconds: 0, asrUnsure: 0.1 }), calib);
    expect(silent.verdict).toBe('no-speech');
    expect(silent.reasons[0]).toMatch(/silent/);
    const tone = assessDomain(base({ tonalShare: 0.95 }), calib);
    expect(tone.verdict).toBe('no-speech');
    expect(tone.reasons[0]).toMatch(/95 % of the sound is a steady tone/);
    const brief = assessDomain(base({ activeSeconds: 0.1 }), calib);
    expect(brief.reasons[0]).toMatch(/only 0\.10 s/);
  });

  it('is deterministic and balances classes of different sizes', () => {
    const again = fitDomainCalibration(inD, outD, { features: ['asrUnsure', 'serMaxProb'] });
    expect(again.weights).toEqual(calib.weights);
    // 10× more in-domain clips must not move the boundary towards calling everything in domain
    const many = fitDomainCalibration(
      [...inD, ...inD, ...inD, ...inD, ...inD, ...inD, ...inD, ...inD, ...inD, ...inD],
      outD,
      {
        features: ['asrUnsure', 'serMaxProb'],
      },
    );
    expect(outD.filter((s) => assessDomain(s, many).verdict === 'out-of-domain').length).toBe(outD.length);
  });

  it('round-trips through JSON and rejects broken files with a sentence', () => {
    const parsed = parseDomainCalibration(JSON.parse(JSON.stringify(calib)));
    const s = base({ asrUnsure: 0.3 });
    expect(domainScore(s, parsed)).toBe(domainScore(s, calib));
    expect(() => parseDomainCalibration({})).toThrow(/aclipse-domain\/1/);
    const bad: DomainCalibration = { ...calib, weights: [1] };
    expect(() => parseDomainCalibration(bad)).toThrow(/weights must be 2 numbers/);
    expect(() => parseDomainCalibration({ ...calib, features: ['duration'] })).toThrow(/features/);
    expect(() => parseDomainCalibration({ ...calib, std: [0, 1] })).toThrow(/std/);
  });

  it('refuses to fit without both groups', () => {
    expect(() => fitDomainCalibration(inD, [], { features: ['asrUnsure'] })).toThrow(/in-domain and out-of-domain/);
  });
});
