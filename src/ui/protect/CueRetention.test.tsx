// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { cueRetention, type CueRetention } from '../../core/cues';
import { CueRetentionBlock, formatCue } from './CueRetention';

afterEach(cleanup);

/** A clip with a moving pitch and syllable-like bursts, so every cue is measurable. */
function voice(baseHz: number, seconds = 2): Float32Array {
  const sr = 16000;
  const x = new Float32Array(seconds * sr);
  let phase = 0;
  for (let i = 0; i < x.length; i++) {
    const t = i / sr;
    phase += (2 * Math.PI * baseHz * 2 ** (Math.sin(2 * Math.PI * 0.5 * t) / 6)) / sr;
    const p = (t * 4) % 1;
    const env = p < 0.6 ? Math.sin((Math.PI * p) / 0.6) ** 2 : 0;
    x[i] = 0.2 * env * (Math.sin(phase) + 0.5 * Math.sin(2 * phase) + 0.3 * Math.sin(3 * phase));
  }
  return x;
}

describe('formatCue', () => {
  it('formats each kind of number and shows a dash for NaN', () => {
    expect(formatCue('f0Correlation', 0.9712)).toBe('0.97');
    expect(formatCue('loudnessCorrelation', -0.25)).toBe('−0.25');
    expect(formatCue('f0RmseSemitones', 2.96)).toBe('3.0 st');
    expect(formatCue('voicingAgreement', 0.874)).toBe('87 %');
    expect(formatCue('syllableRateChange', 0.123)).toBe('+12 %');
    expect(formatCue('syllableRateChange', -0.05)).toBe('−5 %');
    expect(formatCue('syllableRateChange', 0.001)).toBe('0 %');
    expect(formatCue('f0Correlation', NaN)).toBe('—');
  });
});

describe('CueRetentionBlock', () => {
  it('shows the measured numbers of a real comparison, with a legend and tooltips', () => {
    const x = voice(120);
    const shifted = voice(120 * 2 ** (4 / 12));
    const cues = cueRetention(x, shifted);
    render(<CueRetentionBlock cues={cues} />);
    const block = screen.getByTestId('cue-retention');
    expect(block.textContent).toContain('Emotion cues kept');
    expect(block.textContent).toMatch(/no model involved/);
    // The 4-semitone shift shows as ~4 st, and the shape of the melody as a correlation near 1.
    const rmse = screen.getByTestId('cue-f0RmseSemitones');
    expect(Number(rmse.getAttribute('data-value'))).toBeCloseTo(cues.f0RmseSemitones, 4);
    expect(rmse.textContent).toContain('4.0 st');
    expect(Number(screen.getByTestId('cue-f0Correlation').getAttribute('data-value'))).toBeGreaterThan(0.95);
    expect(screen.getByTestId('cue-voicingAgreement').querySelector('dd')!.textContent).toBe(
      formatCue('voicingAgreement', cues.voicingAgreement),
    );
    // Each number explains itself in plain words, with what it was computed over.
    const tip = screen.getByTestId('cue-f0Correlation').getAttribute('title')!;
    expect(tip).toMatch(/rise and fall/);
    expect(tip).toContain(`${cues.f0Frames} moments`);
    expect(screen.getByTestId('cue-syllableRateChange').getAttribute('title')).toContain(
      `${cues.syllableRateOriginal.toFixed(1)} →`,
    );
    expect(block.querySelectorAll('.cues-legend li')).toHaveLength(5);
  });

  it('says why a number is missing instead of showing a bare dash', () => {
    const cues: CueRetention = {
      ...cueRetention(voice(150), voice(150)),
      f0Correlation: NaN,
      reasons: {
        f0Correlation: 'Only 3 frames are voiced in both clips; at least 10 (0.1 s) are needed to compare pitch.',
      },
    };
    render(<CueRetentionBlock cues={cues} />);
    const item = screen.getByTestId('cue-f0Correlation');
    expect(item.getAttribute('data-value')).toBe('NaN');
    expect(item.querySelector('dd')!.textContent).toContain('—');
    expect(item.getAttribute('title')).toContain('Only 3 frames');
    expect(screen.getByTestId('cue-retention').querySelector('.cue-why')!.textContent).toContain('Only 3 frames');
  });
});
