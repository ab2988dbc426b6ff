// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BandEnergyBars, ConfusionHeatMap, LinePlot, ProbabilityBars } from './Charts';
import { BatchList, BudgetSlider, ProgressBar, WordDiffView } from './Widgets';

afterEach(cleanup);

describe('WordDiffView', () => {
  it('marks changed, missing and added words and shows the WER of that alignment', () => {
    render(<WordDiffView original="the cat sat on the mat" protected="the bat sat the mat today" testId="d" />);
    const d = screen.getByTestId('d');
    expect(d.getAttribute('data-wer')).toBe('0.5000');
    expect(d.querySelector('.w-sub del')?.textContent).toBe('was cat');
    expect(d.querySelector('.w-sub ins')?.textContent).toBe(', now bat');
    expect(d.querySelector('.w-del')?.textContent?.trim()).toBe('missing on');
    expect(d.querySelector('.w-ins')?.textContent?.trim()).toBe('added today');
    expect(screen.getByTestId('d-wer').textContent).toBe('WER 50 %');
    expect(d.textContent).toContain('4 of 6 words unchanged; 1 changed, 1 missing, 1 added.');
  });

  it('prefers the engine alignment when given', () => {
    render(
      <WordDiffView
        original="a b"
        protected="a c"
        alignment={[
          { op: 'equal', ref: 'a', hyp: 'a' },
          { op: 'del', ref: 'b', hyp: null },
          { op: 'ins', ref: null, hyp: 'c' },
        ]}
        testId="d"
      />,
    );
    // Same words, but the engine aligned them as delete + insert: 2 errors over 2 words.
    expect(screen.getByTestId('d').getAttribute('data-wer')).toBe('1.0000');
    expect(screen.getByTestId('d').querySelectorAll('del')).toHaveLength(1);
  });

  it('says so when nothing was recognised', () => {
    render(<WordDiffView original="" protected="" testId="d" />);
    expect(screen.getByTestId('d').textContent).toContain('(no words recognised)');
  });
});

describe('ConfusionHeatMap', () => {
  it('shows counts and row percentages, shades by the share and leaves empty rows unshaded', () => {
    const m = [
      [3, 1, 0, 0],
      [0, 0, 0, 0],
      [0, 2, 2, 0],
      [0, 0, 0, 5],
    ];
    render(<ConfusionHeatMap title="Before" labels={['neutral', 'sad', 'happy', 'angry']} matrix={m} testId="h" />);
    const h = screen.getByTestId('h');
    expect(h.getAttribute('data-total')).toBe('13');
    const rows = within(h).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(4);
    const cells = rows.map((r) => within(r).getAllByRole('cell'));
    expect(cells[0]![0]!.getAttribute('data-count')).toBe('3');
    expect(cells[0]![0]!.getAttribute('data-percent')).toBe('75.0');
    expect(cells[0]![0]!.textContent).toBe('375 %');
    expect(cells[1]![1]!.textContent).toBe('0—');
    expect(cells[1]![1]!.getAttribute('data-percent')).toBe('');
    // 100 % is the full accent, 0 % the background; text flips to stay readable.
    expect(cells[3]![3]!.style.background).toBe('rgb(59, 91, 219)');
    expect(cells[3]![3]!.style.color).toBe('rgb(255, 255, 255)');
    expect(cells[3]![0]!.style.background).toBe('rgb(255, 255, 255)');
    expect(cells[3]![0]!.style.color).toBe('rgb(17, 20, 28)');
    expect(cells[1]![0]!.style.background).toBe('rgb(255, 255, 255)');
    expect(within(rows[0]!).getByRole('rowheader').textContent).toBe('neutral');
  });
});

describe('LinePlot', () => {
  it('scales the data into the plot and labels the axes', () => {
    render(
      <LinePlot
        title="Loss"
        series={[
          {
            name: 'train',
            points: [
              { x: 1, y: 2 },
              { x: 2, y: 1 },
              { x: 3, y: NaN },
              { x: 4, y: 0.5 },
            ],
          },
        ]}
        xLabel="Epoch"
        xDomain={[1, 4]}
        testId="p"
      />,
    );
    const p = screen.getByTestId('p');
    expect(p.getAttribute('data-points')).toBe('4');
    const path = p.querySelector('path')!.getAttribute('d')!;
    // Three finite points, a gap at the NaN: two sub-paths. x from 46 px (left margin) to 468 px (480 − 12).
    expect(path.match(/M/g)).toHaveLength(2);
    expect(path.startsWith('M46.0,')).toBe(true);
    expect(path).toContain('M468.0,');
    expect(p.querySelectorAll('circle')).toHaveLength(3);
    expect(screen.getByText('Epoch')).toBeTruthy();
    expect(p.textContent).toContain('train: 0.5 at 4');
  });

  it('draws reference markers, e.g. the 2 kHz line', () => {
    render(
      <LinePlot
        title="Attention"
        series={[
          {
            name: 'SO',
            points: [
              { x: 0, y: 1 },
              { x: 8000, y: 2 },
            ],
          },
        ]}
        xLabel="Hz"
        xDomain={[0, 8000]}
        markers={[{ x: 2000, label: '2 kHz' }]}
      />,
    );
    const marker = screen.getByText('2 kHz').closest('g')!.querySelector('line')!;
    // 2000 of 8000 Hz = a quarter of the way from 46 to 468 px.
    expect(Number(marker.getAttribute('x1'))).toBeCloseTo(46 + 0.25 * 422);
  });
});

describe('BandEnergyBars and ProbabilityBars', () => {
  it('shows both bands for original, protected and the perturbation, and the share above 2 kHz', () => {
    render(
      <BandEnergyBars
        original={{ low: 90, high: 10 }}
        protected={{ low: 90, high: 12 }}
        perturbation={{ low: 0.2, high: 0.8 }}
        testId="b"
      />,
    );
    const rows = screen.getByTestId('b').querySelectorAll('[data-db]');
    expect(rows).toHaveLength(6);
    expect(screen.getByTestId('perturbation-high-share').textContent).toBe('80 %');
    const high = screen.getByTestId('b').querySelector('[data-band="high"][data-series="protected"]')!;
    expect(Number(high.getAttribute('data-db'))).toBeCloseTo(10 * Math.log10(0.12), 2);
  });

  it('lists all four probabilities and marks the top one and the label', () => {
    render(
      <ProbabilityBars
        labels={['neutral', 'sad', 'happy', 'angry']}
        probabilities={[0.1, 0.6, 0.2, 0.1]}
        reference="happy"
        testId="e"
      />,
    );
    const e = screen.getByTestId('e');
    expect(e.getAttribute('data-predicted')).toBe('sad');
    expect(e.querySelectorAll('li')).toHaveLength(4);
    expect(e.querySelector('li.top')?.getAttribute('data-emotion')).toBe('sad');
    expect(e.querySelector('[data-emotion="happy"]')?.textContent).toContain('(label)');
    expect(e.textContent).toContain('60.0 %');
  });
});

describe('controls', () => {
  it('ProgressBar exposes its value and a rounded ETA', () => {
    render(<ProgressBar label="Training" fraction={0.42} etaS={200} showEta testId="pb" />);
    const bar = screen.getByRole('progressbar');
    expect(bar.getAttribute('aria-valuenow')).toBe('42');
    expect(screen.getByTestId('pb').textContent).toContain('about 3 min 20 s left');
    cleanup();
    render(<ProgressBar label="Loading" fraction={null} />);
    expect(screen.getByRole('progressbar').getAttribute('aria-valuenow')).toBeNull();
  });

  it('BudgetSlider is labelled, explains itself and reports changes', () => {
    const onChange = vi.fn();
    render(<BudgetSlider value={10} onChange={onChange} />);
    const slider = screen.getByLabelText(/Perturbation budget/);
    expect(slider.getAttribute('aria-valuetext')).toContain('at least 10 dB');
    fireEvent.change(slider, { target: { value: '25' } });
    expect(onChange).toHaveBeenCalledWith(25);
  });

  it('BatchList shows per-file status and offers download only when done', () => {
    const onSelect = vi.fn();
    const onDownload = vi.fn();
    render(
      <BatchList
        rows={[
          { id: 'a', name: 'a.wav', duration: 1, status: 'done', summary: 'SNR 10.0 dB' },
          { id: 'b', name: 'b.wav', duration: 2, status: 'running', fraction: 0.5 },
          { id: 'c', name: 'c.wav', duration: 3, status: 'error', error: 'boom' },
        ]}
        selectedId="a"
        onSelect={onSelect}
        onDownload={onDownload}
      />,
    );
    const rows = screen.getAllByTestId('batch-row');
    expect(rows.map((r) => r.getAttribute('data-status'))).toEqual(['done', 'running', 'error']);
    expect(rows[0]!.textContent).toContain('SNR 10.0 dB');
    expect(rows[2]!.textContent).toContain('boom');
    expect(screen.getAllByRole('button', { name: /Download protected/ })).toHaveLength(1);
    fireEvent.click(screen.getByRole('button', { name: /Download protected a.wav/ }));
    expect(onDownload).toHaveBeenCalledWith('a');
    fireEvent.click(within(rows[1]!).getByText('b.wav'));
    expect(onSelect).toHaveBeenCalledWith('b');
  });
});
