import { describe, expect, it } from 'vitest';
import { protectedMix, protectedName, resultTag } from './jobs';
import type { Protection } from '../store';

const prot = (method: 'aclipse' | 'mcadams', budgetDb: number): Protection =>
  ({
    status: 'done',
    settings: { method, budgetDb, params: {} },
    stage: '',
    fraction: 1,
    error: null,
    result: { method, budgetDb },
  }) as unknown as Protection;

describe('protected clip naming', () => {
  it('names the method and budget in the tag and the file name', () => {
    expect(resultTag({ method: 'aclipse', budgetDb: 10 })).toBe('Aclipse · 10 dB');
    expect(resultTag({ method: 'aclipse', budgetDb: 20, band: { fromDb: 15, label: 'trained across 10–20 dB' } })).toBe(
      'Aclipse (trained across 10–20 dB) · 20 dB',
    );
    expect(resultTag({ method: 'mcadams', budgetDb: 12.25 })).toBe('McAdams (VPC B2) · 12.3 dB');
    expect(protectedName({ name: 'take 1.wav' }, { method: 'aclipse', budgetDb: 10 })).toBe('take 1-aclipse-10dB.wav');
    expect(protectedName({ name: 'take 1.mp3' }, { method: 'mcadams', budgetDb: 7.5 })).toBe(
      'take 1-mcadams-7.5dB.wav',
    );
  });

  it('reports a mix of methods or budgets among finished clips, and none when they agree', () => {
    const clips = [{ id: 'a' }, { id: 'b' }, { id: 'c' }, { id: 'd' }] as never;
    const same = { a: prot('aclipse', 10), b: prot('aclipse', 10) };
    expect(protectedMix({ clips, protections: same })).toEqual([{ tag: 'Aclipse · 10 dB', count: 2 }]);
    const mixed = { ...same, c: prot('mcadams', 10), d: { ...prot('aclipse', 20), status: 'running' as const } };
    expect(protectedMix({ clips, protections: mixed })).toEqual([
      { tag: 'Aclipse · 10 dB', count: 2 },
      { tag: 'McAdams (VPC B2) · 10 dB', count: 1 },
    ]);
  });
});
