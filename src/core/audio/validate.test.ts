import { describe, expect, it } from 'vitest';
import {
  MAX_DURATION_S,
  MIN_DURATION_S,
  clipStats,
  formatDuration,
  validateDuration,
  validateFile,
  validateSamples,
} from './validate';
import { SAMPLE_RATE } from './constants';

const tone = (seconds: number, amp = 0.3, rate = SAMPLE_RATE) =>
  Float32Array.from({ length: Math.round(seconds * rate) }, (_, i) => amp * Math.sin(i / 5));

describe('validateFile', () => {
  it('accepts audio and video files, rejects empty, huge and non-audio ones', () => {
    expect(validateFile({ name: 'a.wav', size: 100, type: 'audio/wav' }).ok).toBe(true);
    expect(validateFile({ name: 'a.webm', size: 100, type: 'video/webm' }).ok).toBe(true);
    expect(validateFile({ name: 'a.opus', size: 100, type: '' }).ok).toBe(true); // unknown type: let the decoder decide
    expect(validateFile({ name: 'a.wav', size: 0, type: 'audio/wav' })).toMatchObject({
      ok: false,
      code: 'empty-file',
    });
    expect(validateFile({ name: 'a.wav', size: 2 ** 31, type: 'audio/wav' })).toMatchObject({
      ok: false,
      code: 'file-too-large',
    });
    const txt = validateFile({ name: 'notes.txt', size: 10, type: 'text/plain' });
    expect(txt).toMatchObject({ ok: false, code: 'unsupported-type' });
    expect(!txt.ok && txt.message).toContain('notes.txt');
  });
});

describe('validateDuration', () => {
  it('enforces the 0.3 s minimum and 10 min maximum', () => {
    expect(MIN_DURATION_S).toBe(0.3);
    expect(MAX_DURATION_S).toBe(600);
    expect(validateDuration(0.29)).toMatchObject({ ok: false, code: 'too-short' });
    expect(validateDuration(0.3).ok).toBe(true);
    expect(validateDuration(600).ok).toBe(true);
    const long = validateDuration(7200);
    expect(long).toMatchObject({ ok: false, code: 'too-long' });
    expect(!long.ok && long.message).toContain('2 h 0 min');
    expect(!long.ok && long.message).toContain('10 min');
  });
});

describe('validateSamples', () => {
  it('accepts a normal clip', () => expect(validateSamples(tone(1)).ok).toBe(true));
  it('rejects no samples', () => expect(validateSamples(new Float32Array(0))).toMatchObject({ code: 'empty' }));
  it('rejects a clip shorter than 0.3 s', () =>
    expect(validateSamples(tone(0.2))).toMatchObject({ code: 'too-short' }));
  it('rejects a clip longer than 10 min', () => {
    expect(validateSamples(new Float32Array(601 * 100), 100)).toMatchObject({ code: 'too-long' });
  });
  it('judges duration at the given rate', () => expect(validateSamples(tone(0.5, 0.3, 44100), 44100).ok).toBe(true));
  it('rejects digital silence and near-silence, accepts quiet speech levels', () => {
    expect(validateSamples(new Float32Array(16000))).toMatchObject({ code: 'silent' });
    const hiss = validateSamples(tone(1, 0.0005));
    expect(hiss).toMatchObject({ code: 'silent' });
    expect(!hiss.ok && hiss.message).toMatch(/-6\d dBFS/);
    expect(validateSamples(tone(1, 0.01)).ok).toBe(true);
  });
  it('rejects NaN samples', () => {
    const x = tone(1);
    x[100] = NaN;
    expect(validateSamples(x)).toMatchObject({ code: 'not-finite' });
  });
});

describe('clipStats and formatDuration', () => {
  it('measures peak, rms and duration', () => {
    const s = clipStats(new Float32Array([0.5, -0.5, 0.5, -0.5]), 4);
    expect(s).toEqual({ duration: 1, peak: 0.5, rms: 0.5 });
  });
  it('formats durations for messages', () => {
    expect(formatDuration(1.234)).toBe('1.23 s');
    expect(formatDuration(12.34)).toBe('12.3 s');
    expect(formatDuration(125)).toBe('2 min 5 s');
    expect(formatDuration(600)).toBe('10 min');
    expect(formatDuration(59.97)).toBe('1 min');
    expect(formatDuration(119.7)).toBe('2 min');
    expect(formatDuration(7260)).toBe('2 h 1 min');
  });
});
