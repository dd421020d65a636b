/**
 * The page's theme: light, dark, or the system's (`prefers-color-scheme`), as the presenter chose it. The choice is
 * remembered in localStorage where the browser allows it (a frame of another site, or a private window, may refuse
 * storage: then it lasts as long as the page). The theme in use is written on <html> as `data-theme`, which
 * ui/theme.css reads for the page's colours; the charts get it through charts/chartLook.ts.
 */
import { useSyncExternalStore } from 'react';
import type { Theme } from '../charts/palette.ts';

export type ThemeChoice = 'system' | Theme;
export const THEME_CHOICES: readonly ThemeChoice[] = ['system', 'light', 'dark'];
export const THEME_STORAGE_KEY = 'gradient-lab-theme';

/** A stored choice, read back: anything but one of the three (nothing, or a value from elsewhere) is "system". */
export function parseThemeChoice(stored: string | null | undefined): ThemeChoice {
  return THEME_CHOICES.find((c) => c === stored) ?? 'system';
}

/** The theme a choice gives, with the system dark or not. */
export function resolveTheme(choice: ThemeChoice, systemDark: boolean): Theme {
  if (choice === 'system') return systemDark ? 'dark' : 'light';
  return choice;
}

/** localStorage, or null where reading it throws (storage denied). */
function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

function readStored(): ThemeChoice {
  try {
    return parseThemeChoice(storage()?.getItem(THEME_STORAGE_KEY));
  } catch {
    return 'system';
  }
}

const DARK_QUERY = '(prefers-color-scheme: dark)';
let choice: ThemeChoice | null = null;
const listeners = new Set<() => void>();

function systemDark(): boolean {
  return typeof window.matchMedia === 'function' && window.matchMedia(DARK_QUERY).matches;
}

export function themeChoice(): ThemeChoice {
  choice ??= readStored();
  return choice;
}

export function currentTheme(): Theme {
  return resolveTheme(themeChoice(), systemDark());
}

function apply(): void {
  const theme = currentTheme();
  const root = document.documentElement;
  root.dataset.theme = theme;
  for (const listener of listeners) listener();
}

/** The presenter's choice: applied at once and remembered where storage allows. */
export function setThemeChoice(next: ThemeChoice): void {
  choice = next;
  try {
    const store = storage();
    if (next === 'system') store?.removeItem(THEME_STORAGE_KEY);
    else store?.setItem(THEME_STORAGE_KEY, next);
  } catch {
    // Storage refused or full: the choice holds for this page only.
  }
  apply();
}

/** Writes the theme on <html> now and whenever the system's changes; call once at start, before the first render. */
export function startTheme(): () => void {
  apply();
  if (typeof window.matchMedia !== 'function') return () => {};
  const query = window.matchMedia(DARK_QUERY);
  query.addEventListener('change', apply);
  return () => query.removeEventListener('change', apply);
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The theme in use, re-rendering when it changes. */
export function useTheme(): Theme {
  return useSyncExternalStore(subscribe, currentTheme, () => 'light');
}

export function useThemeChoice(): ThemeChoice {
  return useSyncExternalStore(subscribe, themeChoice, () => 'system');
}
