import { describe, expect, it } from 'vitest';
import { numberFlag, numberList, parseFlags, stringFlag } from './flags';

describe('command-line flags', () => {
  it('reads --name value, --name=value, bare flags, negative numbers and positionals', () => {
    const { flags, positional } = parseFlags([
      'in.wav',
      '--budget',
      '12',
      '--lambda1',
      '-0.1',
      '--ship',
      '--tag=l1-0.1',
      '--seeds',
      '0,2',
      'out',
    ]);
    expect(positional).toEqual(['in.wav', 'out']);
    expect(numberFlag(flags, 'budget')).toBe(12);
    expect(numberFlag(flags, 'lambda1')).toBe(-0.1);
    expect(flags.ship).toBe(true);
    expect(stringFlag(flags, 'tag')).toBe('l1-0.1');
    expect(numberList(flags, 'seeds')).toEqual([0, 2]);
    expect(numberFlag(flags, 'missing')).toBeUndefined();
  });

  it('refuses a value-less or non-numeric flag where a value is needed', () => {
    const { flags } = parseFlags(['--budget', '--tag', '--seeds', '1,x']);
    expect(() => numberFlag(flags, 'budget')).toThrow(/needs a number/);
    expect(() => stringFlag(flags, 'tag')).toThrow(/needs a value/);
    expect(() => numberList(flags, 'seeds')).toThrow(/comma-separated/);
  });
});
