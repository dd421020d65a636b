/**
 * The header's look controls: presenter mode (`present=1` in the link, so a prepared link opens a lecture already
 * projected) and the theme (light, dark or the system's; remembered in this browser, ui/theme.ts).
 */
import { useLab } from '../store/labStore.ts';
import { THEME_CHOICES, setThemeChoice, useThemeChoice, type ThemeChoice } from './theme.ts';

const THEME_NAMES: Record<ThemeChoice, string> = { system: 'System', light: 'Light', dark: 'Dark' };

export function setPresent(present: boolean): void {
  useLab.setState((s) => ({ view: { ...s.view, present } }));
}

export function PresentControls() {
  const present = useLab((s) => s.view.present);
  const choice = useThemeChoice();
  return (
    <div className="look-controls" role="group" aria-label="Look">
      <button
        type="button"
        className="present-toggle"
        aria-pressed={present}
        onClick={() => setPresent(!present)}
        title="For a projector: the charts first and large, big text and thick lines; click a chart to enlarge it"
      >
        Presenter mode
      </button>
      <label className="inline theme-choice">
        Theme{' '}
        <select value={choice} onChange={(e) => setThemeChoice(e.target.value as ThemeChoice)}>
          {THEME_CHOICES.map((c) => (
            <option key={c} value={c}>
              {THEME_NAMES[c]}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}
