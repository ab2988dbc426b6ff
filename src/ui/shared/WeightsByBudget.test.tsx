// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { GeneratorInfo } from '../../engine/api';
import { WeightsByBudget } from './WeightsByBudget';

const generator = {
  id: 'shipped',
  origin: 'shipped',
  label: 'Shipped weights',
  bands: [{ fromDb: 15, label: 'trained across 10–20 dB', why: 'Chosen on val.', parameters: 1, bytes: 4 }],
} as GeneratorInfo;

describe('WeightsByBudget', () => {
  afterEach(cleanup);

  it('says the base weights protect below the threshold, and which weights take over above it', () => {
    render(<WeightsByBudget generator={generator} budgetDb={12} />);
    const text = screen.getByTestId('weights-by-budget').textContent;
    expect(text).toContain('At 12 dB these are its base weights');
    expect(text).toContain('from 15 dB up it uses its weights trained across 10–20 dB');
  });

  it('names the band and why it was chosen at and above the threshold', () => {
    render(<WeightsByBudget generator={generator} budgetDb={15} />);
    const text = screen.getByTestId('weights-by-budget').textContent;
    expect(text).toContain('At 15 dB these are its weights trained across 10–20 dB (used from 15 dB)');
    expect(text).toContain('Chosen on val.');
  });
});
