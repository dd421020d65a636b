/**
 * One Import for every JSON file the lab writes (persist/labFile.ts): a run export or a run card's file goes into the
 * run history, a sweep's file into the sweep history and onto the sweep page, shown at once. Anything else is
 * refused with one sentence, and nothing changes.
 */
import { labFileKind, readLabJson } from '../persist/labFile.ts';
import { withoutStop } from '../persist/storageProblem.ts';
import { decodeSweepFile } from '../persist/sweepExport.ts';
import { importStoredRuns } from './historySession.ts';
import { showImportedSweep } from './sweepSession.ts';

export type LabImport =
  | { kind: 'runs'; count: number }
  /** `kept` settles once the sweep is stored, or storing it has failed (said in Past sweeps). */
  | { kind: 'sweep'; id: string; kept: Promise<void> };

/** Imports a file's text; throws one plain sentence (see importFailure) when it is not a lab file or not valid. */
export async function importLabFile(text: string, fileName: string): Promise<LabImport> {
  const raw = readLabJson(text);
  if (labFileKind(raw) === 'runs') return { kind: 'runs', count: await importStoredRuns(text) };
  const sweep = decodeSweepFile(raw);
  return { kind: 'sweep', id: sweep.id, ...showImportedSweep(sweep, fileName) };
}

/** What the page says when an import is refused: one sentence, the reason inside it without a stop of its own. */
export function importFailure(error: unknown): string {
  const why = withoutStop(error instanceof Error ? error.message : String(error));
  return `The file could not be imported: ${why}. Nothing was changed.`;
}
