// @vitest-environment jsdom
import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { DomainSignals, DomainVerdict } from '../../engine/api';
import { DomainNotice, readingsReliable } from './DomainNotice';

afterEach(cleanup);

const signals: DomainSignals = {
  duration: 3,
  activeSeconds: 2.5,
  activeShare: 0.8,
  tonalShare: 0,
  asrBlankRate: 0.5,
  asrUnsure: 0.6,
  asrEntropy: 0.4,
  asrCharConfidence: 0.5,
  asrCharRate: 8,
  serMaxProb: 0.4,
  serEntropy: 0.9,
};
const verdict = (v: DomainVerdict['verdict'], reasons: string[] = []): DomainVerdict => ({
  verdict: v,
  score: v === 'in-domain' ? 0.1 : 0.93,
  reasons,
  signals,
});

describe('DomainNotice', () => {
  it('shows nothing for an in-domain clip or when no calibration is loaded', () => {
    const { container } = render(
      <>
        <DomainNotice domain={verdict('in-domain')} />
        <DomainNotice domain={null} />
        <DomainNotice domain={undefined} />
      </>,
    );
    expect(container.innerHTML).toBe('');
    expect(readingsReliable(verdict('in-domain'))).toBe(true);
    expect(readingsReliable(null)).toBe(true);
  });

  it('says the readings are unreliable for an out-of-domain clip, with every reason and the word timings caveat', () => {
    const reasons = [
      'the speech recognizer is unsure on 60 % of the frames where it hears a letter (typical for known voices: under 20 %)',
      "the emotion model's top score is 40 % (typical for known voices: over 70 %)",
    ];
    render(<DomainNotice domain={verdict('out-of-domain', reasons)} testId="n" />);
    const n = screen.getByTestId('n');
    expect(n.getAttribute('data-verdict')).toBe('out-of-domain');
    expect(n.getAttribute('role')).toBe('note');
    expect(n.textContent).toMatch(/unreliable for this voice/);
    expect(n.textContent).toMatch(/word timings/);
    const items = within(n)
      .getAllByRole('listitem')
      .map((li) => li.textContent);
    expect(items).toEqual([
      'The speech recognizer is unsure on 60 % of the frames where it hears a letter (typical for known voices: under 20 %).',
      "The emotion model's top score is 40 % (typical for known voices: over 70 %).",
    ]);
    expect(readingsReliable(verdict('out-of-domain', reasons))).toBe(false);
  });

  it('says there is no speech, with the reason, for a no-speech clip', () => {
    render(<DomainNotice domain={verdict('no-speech', ['the clip is silent'])} />);
    const n = screen.getByTestId('domain-notice');
    expect(n.getAttribute('data-verdict')).toBe('no-speech');
    expect(n.textContent).toMatch(/No speech found in this clip/);
    expect(n.textContent).toMatch(/The clip is silent\./);
    expect(n.textContent).not.toMatch(/unreliable/);
    expect(readingsReliable(verdict('no-speech'))).toBe(false);
  });
});
