// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { overallTrainFraction } from './jobs';
import { globalEpoch } from './TrainTab';

describe('layout helpers', () => {
  it('numbers epochs across both stages and measures progress over both', () => {
    expect(globalEpoch({ stage: 1, epoch: 0 }, 4, [1, 2])).toBe(1);
    expect(globalEpoch({ stage: 2, epoch: 0 }, 4, [1, 2])).toBe(5);
    expect(globalEpoch({ stage: 2, epoch: 1 }, 4, [2])).toBe(2);
    const args = {
      stages: [1, 2] as (1 | 2)[],
      config: { stage1: { epochs: 4 }, stage2: { epochs: 2 } },
    } as Parameters<typeof overallTrainFraction>[1];
    expect(overallTrainFraction({ stage: 1, epoch: 0, step: 0, steps: 2 }, args)).toBeCloseTo(0.5 / 6);
    expect(overallTrainFraction({ stage: 2, epoch: 1, step: 1, steps: 2 }, args)).toBeCloseTo(1);
    expect(overallTrainFraction({ stage: 2, epoch: 0, step: 0, steps: 1 }, args)).toBeCloseTo(5 / 6);
  });
});
