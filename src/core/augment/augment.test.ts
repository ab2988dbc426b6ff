import { describe, expect, it } from 'vitest';
import { augment, DEFAULT_AUGMENT, DEFAULT_VOICE_AUGMENT, FINE_TUNE_AUGMENT } from './index';

const rngFrom = (seed: number) => {
  let s = seed;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
};
const clip = Float32Array.from(
  { length: 16000 },
  (_, i) => 0.6 * Math.sin((2 * Math.PI * 180 * i) / 16000) * Math.sin((Math.PI * i) / 16000),
);

describe('augment', () => {
  it('a louder copy is capped below full scale instead of clipping', () => {
    const y = augment(clip, rngFrom(1), { ...DEFAULT_AUGMENT, gainDb: [10, 10], noiseProb: 0, speedProb: 0 });
    const peak = y.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(peak).toBeLessThanOrEqual(0.99 + 1e-6);
    expect(peak).toBeGreaterThan(0.98); // +10 dB asked for: it went as far as it could
    const quiet = augment(clip, rngFrom(1), { ...DEFAULT_AUGMENT, gainDb: [-10, -10], noiseProb: 0, speedProb: 0 });
    expect(quiet.reduce((m, v) => Math.max(m, Math.abs(v)), 0)).toBeCloseTo(0.6 * 10 ** (-10 / 20), 3);
  });

  it('draws a random voice only when configured, so older configs keep their random streams', () => {
    const a = augment(clip, rngFrom(5), DEFAULT_AUGMENT);
    const b = augment(clip, rngFrom(5), { ...DEFAULT_AUGMENT, voiceProb: 0, voice: DEFAULT_VOICE_AUGMENT });
    expect(Array.from(b)).toEqual(Array.from(a));
    // with the voice on, the same stream gives a different clip, of the same length when tempo is fixed
    const c = augment(clip, rngFrom(5), {
      ...DEFAULT_AUGMENT,
      speedProb: 0,
      voiceProb: 1,
      voice: { ...DEFAULT_VOICE_AUGMENT, tempoProb: 0, pitchProb: 1 },
    });
    expect(c.length).toBe(clip.length);
    expect(Array.from(c)).not.toEqual(Array.from(augment(clip, rngFrom(5), { ...DEFAULT_AUGMENT, speedProb: 0 })));
    expect(FINE_TUNE_AUGMENT.voice).toBe(DEFAULT_VOICE_AUGMENT);
  });
});
