// @vitest-environment jsdom
import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ExternalClaims } from './ExternalClaims';

describe('ExternalClaims', () => {
  it('shows each claim with the clean, protected and same-energy-noise WER, labelled as a measurement on a named set', () => {
    render(
      <ExternalClaims
        claims={[
          {
            attacker: 'Whisper tiny.en',
            set: 'real',
            clips: 281,
            budgetDb: 10,
            cleanWer: 0.056,
            protectedWer: 1.037,
            noiseWer: 0.105,
            command: 'npm run eval -- --parts external',
            date: null,
          },
        ]}
      />,
    );
    const box = screen.getByTestId('external-claims');
    expect(box.textContent).toContain('Whisper tiny.en');
    expect(box.textContent).toContain('281 real sentences');
    expect(box.textContent).toContain('5.6 %');
    expect(box.textContent).toContain('103.7 %');
    expect(box.textContent).toContain('10.5 %');
    expect(box.textContent).toContain('not on your clip');
  });

  it('claims nothing when there are no claims for these weights', () => {
    const { container } = render(<ExternalClaims claims={[]} />);
    expect(container.textContent).toBe('');
  });
});
