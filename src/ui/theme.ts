/**
 * Light / dark theme: follows the system by default (prefers-color-scheme); the top-bar toggle can pin either.
 * The choice is kept in localStorage and applied as `data-theme` on <html>, which styles.css keys on.
 */
import { useSyncExternalStore } from 'react';
import { create } from 'zustand';

export type ThemeChoice = 'system' | 'light' | 'dark';
export type Theme = 'light' | 'dark';

const KEY = 'aclipse.theme';

function stored(): ThemeChoice {
  try {
    const v = localStorage.getItem(KEY);
    return v === 'light' || v === 'dark' ? v : 'system';
  } catch {
    return 'system';
  }
}

export const useThemeStore = create<{ choice: ThemeChoice; setChoice(c: ThemeChoice): void }>()((set) => ({
  choice: typeof localStorage === 'undefined' ? 'system' : stored(),
  setChoice(choice) {
    set({ choice });
    applyTheme(choice);
    try {
      if (choice === 'system') localStorage.removeItem(KEY);
      else localStorage.setItem(KEY, choice);
    } catch {
      // private mode: the choice lasts for this page only
    }
  },
}));

export function applyTheme(choice: ThemeChoice = useThemeStore.getState().choice): void {
  if (typeof document === 'undefined') return;
  const root = document.documentElement;
  if (choice === 'system') delete root.dataset.theme;
  else root.dataset.theme = choice;
}

const query = () => (typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : null);

function subscribeSystem(cb: () => void): () => void {
  const q = query();
  q?.addEventListener('change', cb);
  return () => q?.removeEventListener('change', cb);
}

const systemDark = () => query()?.matches ?? false;

/** The theme in effect (the pinned one, or the system's), for code that must pick colours itself (canvas, heat maps). */
export function useResolvedTheme(): Theme {
  const choice = useThemeStore((s) => s.choice);
  const dark = useSyncExternalStore(subscribeSystem, systemDark, () => false);
  return choice === 'system' ? (dark ? 'dark' : 'light') : choice;
}

/**
 * What a click on the toggle picks: always the opposite of the theme on screen, so every click is visible (a fixed
 * system → light → dark cycle did nothing on the first click for anyone whose system is light). Landing on the
 * system's own theme un-pins the choice, so the page follows the system again.
 */
export function nextTheme(choice: ThemeChoice, systemIsDark: boolean): ThemeChoice {
  const system: Theme = systemIsDark ? 'dark' : 'light';
  const shown: Theme = choice === 'system' ? system : choice;
  const target: Theme = shown === 'dark' ? 'light' : 'dark';
  return target === system ? 'system' : target;
}

/** Whether the system asks for dark, live. */
export function useSystemDark(): boolean {
  return useSyncExternalStore(subscribeSystem, systemDark, () => false);
}
