/**
 * What a run is called, fixed where the runs are made: a lone run whose clipping is "none" is not the
 * "Clipped" run, whatever side it trains on, so it is named "Unclipped" on its card and on every chart
 * (charts read `RunView.title`, see charts/palette.ts runLabel). In a race, "baseline" and "clipped" say
 * nothing: every run is named by its clipping ("No clipping", "Value ±1", "Global norm 1").
 */
import type { RunSide } from '../experiment/config.ts';
import { clipName } from '../present/clipName.ts';
import { updateRun, useLab, type LabState, type RunView } from '../store/labStore.ts';

export const UNCLIPPED_TITLE = 'Unclipped';

/** The title a run should carry that it does not, or null. */
function missingTitle(runs: LabState['runs'], side: RunSide): string | null {
  const run: RunView | undefined = runs[side];
  if (!run || run.title !== undefined) return null;
  const count = Object.keys(runs).length;
  if (count > 2) return clipName(run.clip);
  return count === 1 && run.clip.mode === 'none' ? UNCLIPPED_TITLE : null;
}

function nameRuns(runs: LabState['runs']): void {
  for (const side of Object.keys(runs) as RunSide[]) {
    const title = missingTitle(runs, side);
    if (title) updateRun(side, { title });
  }
}

/** Names the runs whenever they are replaced (a new experiment, a reset, a run reopened from the history). */
export function startRunNames(): () => void {
  nameRuns(useLab.getState().runs);
  return useLab.subscribe((state, previous) => {
    if (state.generation !== previous.generation) nameRuns(state.runs);
  });
}
