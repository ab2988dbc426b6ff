import { describe, expect, it } from 'vitest';
import { nextTheme, type ThemeChoice } from './theme';

const shown = (choice: ThemeChoice, systemDark: boolean) =>
  choice === 'system' ? (systemDark ? 'dark' : 'light') : choice;

describe('nextTheme', () => {
  for (const systemDark of [false, true]) {
    it(`changes what is on screen with every click (system ${systemDark ? 'dark' : 'light'}) and returns to following the system`, () => {
      let choice: ThemeChoice = 'system';
      const seen = [shown(choice, systemDark)];
      for (let i = 0; i < 4; i++) {
        const next = nextTheme(choice, systemDark);
        expect(shown(next, systemDark)).not.toBe(shown(choice, systemDark));
        choice = next;
        seen.push(shown(choice, systemDark));
      }
      // Two clicks: pinned to the opposite, then back to the system setting (not pinned).
      expect(nextTheme(nextTheme('system', systemDark), systemDark)).toBe('system');
      expect(seen).toEqual(
        systemDark ? ['dark', 'light', 'dark', 'light', 'dark'] : ['light', 'dark', 'light', 'dark', 'light'],
      );
    });
  }

  it('from a pinned theme that differs from the system, goes to the system', () => {
    expect(nextTheme('dark', false)).toBe('system');
    expect(nextTheme('light', true)).toBe('system');
    expect(nextTheme('light', false)).toBe('dark');
  });
});
