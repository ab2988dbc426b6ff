// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { F0Legend, SpectrogramPanel, type F0Overlay } from './Spectrogram';

afterEach(cleanup);

describe('SpectrogramPanel F0 overlay', () => {
  const frames = 4;
  const bins = 3;
  const common = {
    db: new Float32Array(frames * bins).fill(-40),
    frames,
    bins,
    range: { min: -90, max: 0 },
    maxHz: 8000,
    durationSeconds: 1,
  };

  it('draws one line per voiced run and series, with a log F0 axis, and says so to screen readers', () => {
    // Original voiced in two runs; protected in one.
    const overlay: F0Overlay = {
      hopS: 0.1,
      minHz: 50,
      maxHz: 500,
      series: [
        { kind: 'original', f0: Float32Array.from([100, 110, 0, 0, 120, 125, 0, 0, 0, 0]) },
        { kind: 'protected', f0: Float32Array.from([0, 0, 0, 130, 140, 150, 160, 0, 0, 0]) },
      ],
    };
    render(<SpectrogramPanel title="Protected" {...common} f0={overlay} testId="p" />);
    const svg = screen.getByTestId('p-f0');
    expect(svg.querySelectorAll('polyline.f0-original')).toHaveLength(2);
    expect(svg.querySelectorAll('polyline.f0-protected')).toHaveLength(1);
    expect(svg.querySelector('polyline.f0-protected')!.getAttribute('points')!.split(' ')).toHaveLength(4);
    const axis = screen.getByTestId('p').querySelector('.spectro-f0-axis')!;
    expect(Array.from(axis.querySelectorAll('span'), (s) => s.textContent)).toEqual([
      '50 Hz',
      '100 Hz',
      '200 Hz',
      '400 Hz',
    ]);
    expect(screen.getByRole('img').getAttribute('aria-label')).toContain(
      'pitch of the original and the pitch of the protected clip',
    );
  });

  it('draws no overlay or F0 axis when none is given', () => {
    render(<SpectrogramPanel title="Original" {...common} testId="o" />);
    expect(screen.queryByTestId('o-f0')).toBeNull();
    expect(screen.getByTestId('o').querySelector('.spectro-f0-axis')).toBeNull();
  });

  it('outlines the protected spans at their place on the time axis', () => {
    render(
      <SpectrogramPanel
        title="Protected"
        {...common}
        durationSeconds={2}
        spans={[
          { start: 0.5, end: 1 },
          { start: 1.5, end: 2 },
        ]}
        testId="s"
      />,
    );
    const marks = screen.getAllByTestId('s-span');
    expect(marks.map((m) => [m.style.left, m.style.width])).toEqual([
      ['25%', '25%'],
      ['75%', '25%'],
    ]);
  });

  it('labels the lines in a legend', () => {
    render(<F0Legend kinds={['original', 'protected']} minHz={50} maxHz={500} />);
    const legend = screen.getByTestId('f0-legend');
    expect(legend.querySelectorAll('.f0-swatch')).toHaveLength(2);
    expect(legend.querySelector('.f0-swatch.protected')).not.toBeNull();
    expect(legend.textContent).toContain('50 to 500 Hz');
  });
});
