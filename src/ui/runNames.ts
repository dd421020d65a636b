/**
 * What a run is called, fixed where the runs are made: a lone run whose clipping is "none" is not the
 * "Clipped" run, whatever side it trains on, so it is named "Unclipped" on its card and on every chart
 * (charts read `RunView.title`, see charts/palette.ts runLabel). In a race, "baseline" and "clipped" say
 * nothing: every run is named by its clipping ("No clipping", "Value ±1", "Global norm 1"). So is a pair
 * whose names would contradict its clipping (and its colour, which comes from the clipping): a clipped
 * baseline, or a "clipped" run that does not clip.
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
  if (count === 1) return run.clip.mode === 'none' ? UNCLIPPED_TITLE : null;
  return pairNamesMislead(runs) ? clipName(run.clip) : null;
}

/** A pair whose side names ("Baseline", "Clipped") would say the opposite of how its runs clip. */
export function pairNamesMislead(runs: Partial<Record<RunSide, Pick<RunView, 'clip'>>>): boolean {
  return runs.baseline?.clip.mode !== 'none' || runs.clipped?.clip.mode === 'none';
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
