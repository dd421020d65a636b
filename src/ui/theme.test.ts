/** The theme choice: read back strictly, resolved against the system's, remembered where storage allows. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { THEME_STORAGE_KEY, parseThemeChoice, resolveTheme } from './theme.ts';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.resetModules();
});

describe('reading a stored theme choice', () => {
  it('takes exactly system, light or dark; anything else is the system', () => {
    expect(parseThemeChoice('light')).toBe('light');
    expect(parseThemeChoice('dark')).toBe('dark');
    expect(parseThemeChoice('system')).toBe('system');
    for (const other of [null, undefined, '', 'Dark', ' dark', 'high-contrast', '{"theme":"dark"}'])
      expect(parseThemeChoice(other), String(other)).toBe('system');
  });

  it('the system choice follows prefers-color-scheme; light and dark ignore it', () => {
    expect(resolveTheme('system', true)).toBe('dark');
    expect(resolveTheme('system', false)).toBe('light');
    expect(resolveTheme('light', true)).toBe('light');
    expect(resolveTheme('dark', false)).toBe('dark');
  });
});

/** A window whose system is dark or not, and a storage that works, throws on reading, or throws on writing. */
function stubPage(systemDark: boolean, store: 'works' | 'denied' | 'full', kept = new Map<string, string>()) {
  const localStorage = {
    getItem: (k: string) => kept.get(k) ?? null,
    setItem: (k: string, v: string) => {
      if (store === 'full') throw new DOMException('full', 'QuotaExceededError');
      kept.set(k, v);
    },
    removeItem: (k: string) => kept.delete(k),
  };
  vi.stubGlobal('window', {
    get localStorage() {
      if (store === 'denied') throw new DOMException('denied', 'SecurityError');
      return localStorage;
    },
    matchMedia: (query: string) => ({
      matches: query === '(prefers-color-scheme: dark)' && systemDark,
      addEventListener: () => {},
      removeEventListener: () => {},
    }),
  });
  const dataset: Record<string, string> = {};
  vi.stubGlobal('document', { documentElement: { dataset } });
  return { kept, dataset };
}

describe('choosing a theme', () => {
  it('starts from the system, applies a choice on <html> and remembers it; System forgets it', async () => {
    const { kept, dataset } = stubPage(true, 'works');
    const theme = await import('./theme.ts');
    theme.startTheme();
    expect(dataset.theme).toBe('dark');
    theme.setThemeChoice('light');
    expect(dataset.theme).toBe('light');
    expect(kept.get(THEME_STORAGE_KEY)).toBe('light');
    theme.setThemeChoice('system');
    expect(dataset.theme).toBe('dark');
    expect(kept.has(THEME_STORAGE_KEY)).toBe(false);
  });

  it('reads the remembered choice at start', async () => {
    const { dataset } = stubPage(false, 'works', new Map([[THEME_STORAGE_KEY, 'dark']]));
    const theme = await import('./theme.ts');
    theme.startTheme();
    expect(theme.themeChoice()).toBe('dark');
    expect(dataset.theme).toBe('dark');
  });

  it.each(['denied', 'full'] as const)(
    'where storage is %s, the choice still applies, for this page',
    async (store) => {
      const { kept, dataset } = stubPage(false, store);
      const theme = await import('./theme.ts');
      theme.startTheme();
      expect(dataset.theme).toBe('light');
      expect(() => theme.setThemeChoice('dark')).not.toThrow();
      expect(dataset.theme).toBe('dark');
      expect(theme.themeChoice()).toBe('dark');
      expect(kept.size).toBe(0);
    },
  );
});
