/**
 * One Import for every JSON file the lab writes (persist/labFile.ts): a run export or a run card's file goes into the
 * run history, a sweep's file into the sweep history and onto the sweep page, shown at once. Anything else is
 * refused with one sentence, and nothing changes.
 */
import { RUN_SIDES } from '../experiment/config.ts';
import { decodeExperiment } from '../experiment/urlCodec.ts';
import { labFileKind, readLabJson } from '../persist/labFile.ts';
import { parseArchive, type RunArchive } from '../persist/runArchive.ts';
import { withoutStop } from '../persist/storageProblem.ts';
import { decodeSweepFile } from '../persist/sweepExport.ts';
import { holdImportedRuns, importStoredRuns, runHistory, storedRunView, type StoredRunView } from './historySession.ts';
import { useLab } from './labStore.ts';
import { showStoredRuns } from './session.ts';
import { showImportedSweep } from './sweepSession.ts';

export type LabImport =
  | { kind: 'runs'; count: number }
  /** The browser keeps no history: the file's first pair or race is on the charts, not kept. */
  | { kind: 'runs-shown'; count: number; shown: number; why: string }
  /** `kept` settles once the sweep is stored, or storing it has failed (said in Past sweeps). */
  | { kind: 'sweep'; id: string; kept: Promise<void> };

/** Imports a file's text; throws one plain sentence (see importFailure) when it is not a lab file or not valid. */
export async function importLabFile(text: string, fileName: string): Promise<LabImport> {
  const raw = readLabJson(text);
  if (labFileKind(raw) === 'runs') {
    if (await runHistory()) return { kind: 'runs', count: await importStoredRuns(text) };
    const archives = parseArchive(text);
    const why = useLab.getState().historyError ?? 'this browser is not keeping a run history';
    return { kind: 'runs-shown', count: archives.length, shown: showArchives(archives, fileName), why };
  }
  const sweep = decodeSweepFile(raw);
  return { kind: 'sweep', id: sweep.id, ...showImportedSweep(sweep, fileName) };
}

/** What the page says when an import is refused: one sentence, the reason inside it without a stop of its own. */
export function importFailure(error: unknown): string {
  const why = withoutStop(error instanceof Error ? error.message : String(error));
  return `The file could not be imported: ${why}. Nothing was changed.`;
}

/**
 * Without a run history an imported file's runs cannot be listed to open later: its first pair or race is shown on
 * the charts at once, as the history would reopen it, and its records are held in memory for the cards' downloads.
 */
function showArchives(archives: RunArchive[], fileName: string): number {
  const first = archives[0];
  if (!first) return 0;
  const session = archives
    .filter((a) => a.run.session === first.run.session)
    .sort((a, b) => RUN_SIDES.indexOf(a.run.side) - RUN_SIDES.indexOf(b.run.side));
  const views = session
    .map((a) => storedRunView(a.run, a.steps, a.evals, { side: a.run.side, from: fileName }))
    .filter((v): v is StoredRunView => v !== null);
  if (views.length === 0) return 0;
  holdImportedRuns(session.map((a) => ({ id: a.run.id, steps: a.steps, evals: a.evals })));
  const decoded = decodeExperiment(first.run.link);
  const steps = Math.max(decoded.config.steps, ...views.map((v) => v.series.count));
  showStoredRuns(views, { ...decoded.config, steps, pair: views.length > 1 }, decoded.preset);
  useLab.setState((s) => ({ view: { ...s.view, page: 'runs' } }));
  return views.length;
}

/** What the page says of an import that went in. */
export function importWords(imported: LabImport): string {
  const runs = (n: number) => `${n} run${n === 1 ? '' : 's'}`;
  switch (imported.kind) {
    case 'runs':
      return `Imported ${runs(imported.count)}.`;
    case 'runs-shown': {
      const rest =
        imported.count > imported.shown ? ` (the file holds ${runs(imported.count)}: the first pair or race)` : '';
      return `Opened ${runs(imported.shown)} on the charts${rest}, not kept: ${withoutStop(imported.why)}.`;
    }
    case 'sweep':
      return 'Imported a sweep.';
  }
}
