import { describe, expect, it } from 'vitest';
import { withoutHeldOut } from '../train-lm';

describe('LM text never contains a held-out sentence', () => {
  it('drops exact copies, lines that contain one, and lines sharing a 5-word run; keeps the rest', () => {
    const heldOut = ['he ran the race in record time', 'she sang softly', 'the bank raised its interest rates again'];
    const lines = [
      'he ran the race in record time', // exact
      'yesterday he ran the race in record time again', // contains it
      'the bank raised its interest on savings', // shares "the bank raised its interest"
      'oh she sang softly to the child', // contains a short held-out sentence
      'she sang loudly', // shares only 2 words
      'he ran the race', // 4 words in common, no 5-word run
      'interest rates rose again this year',
    ];
    const { kept, dropped } = withoutHeldOut(lines, heldOut);
    expect(dropped).toBe(4);
    expect(kept).toEqual(['she sang loudly', 'he ran the race', 'interest rates rose again this year']);
  });
});
