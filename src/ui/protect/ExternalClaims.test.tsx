// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ExternalClaims } from './ExternalClaims';

describe('ExternalClaims', () => {
  afterEach(cleanup);

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

  it('says outside the fold when the measurement nearest the chosen budget found no gain over noise', () => {
    const claim = (budgetDb: number, protectedWer: number, noiseWer: number, command: string) => ({
      attacker: 'Whisper tiny.en',
      set: 'test',
      clips: 200,
      budgetDb,
      cleanWer: 0.078,
      protectedWer,
      noiseWer,
      command,
      date: null,
    });
    const claims = [claim(10, 1.101, 0.38, 'cmd-10'), claim(20, 0.163, 0.173, 'cmd-20')];
    const { rerender } = render(<ExternalClaims claims={claims} budgetDb={20} />);
    const warning = screen.getByTestId('claims-no-gain');
    expect(warning.textContent).toContain('Measured at 20 dB');
    expect(warning.textContent).toContain('16.3 %');
    expect(warning.textContent).toContain('17.3 %');
    expect(warning.textContent).toContain('synthetic voices, test');
    // the claims at the chosen budget come first, and every report's command is named
    expect(screen.getAllByRole('listitem')[0]!.textContent).toContain('20 dB budget');
    expect(screen.getByTestId('external-claims').textContent).toContain('cmd-10');
    expect(screen.getByTestId('external-claims').textContent).toContain('cmd-20');
    rerender(<ExternalClaims claims={claims} budgetDb={17} />);
    expect(screen.getByTestId('claims-no-gain').textContent).toContain('closest measured budget');
    rerender(<ExternalClaims claims={claims} budgetDb={11} />);
    expect(screen.queryByTestId('claims-no-gain')).toBeNull();
    rerender(<ExternalClaims claims={[claim(10, 1.101, 0.38, 'cmd-10')]} budgetDb={20} />);
    // 10 dB away says nothing about 20 dB
    expect(screen.queryByTestId('claims-no-gain')).toBeNull();
  });

  it('claims nothing when there are no claims for these weights', () => {
    const { container } = render(<ExternalClaims claims={[]} />);
    expect(container.textContent).toBe('');
  });

  it('labels live-stream claims as measured on the stream, not on a clip', () => {
    render(
      <ExternalClaims
        live
        budgetDb={10}
        claims={[
          {
            attacker: 'Whisper tiny.en',
            set: 'real',
            clips: 60,
            budgetDb: 10,
            cleanWer: 0.05,
            protectedWer: 0.12,
            noiseWer: 0.11,
            command: 'npm run eval -- --external-live',
            date: null,
            live: true,
          },
        ]}
      />,
    );
    expect(screen.queryByTestId('external-claims')).toBeNull();
    const box = screen.getByTestId('live-claims');
    expect(box.textContent).toContain('Live stream, measured against recognizers');
    expect(box.textContent).toContain('streamed as this card streams your voice');
    expect(box.textContent).toContain('not on your voice');
    // 12 % against noise's 11 %: no gain, said outside the fold and as a live measurement
    expect(screen.getByTestId('claims-no-gain').textContent).toContain('Measured at 10 dB on the live stream');
  });
});
