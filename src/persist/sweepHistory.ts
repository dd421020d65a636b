/**
 * Sweeps and their results, kept in the browser's IndexedDB (their own database, apart from the runs'), so a
 * reload keeps every finished cell and the sweep page lists past sweeps to reopen. A sweep is one small record
 * (at most 12 x 13 cells), rewritten as cells finish. No React; the tests run it on fake-indexeddb in Node.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { ExperimentConfig } from '../experiment/config.ts';
import type { PresetId } from '../experiment/presets.ts';
import type { SweepSettings } from '../experiment/sweep.ts';
import type { CellOutcome } from '../train/sweep/cellOutcome.ts';
import type { SweepMethod } from '../train/sweep/sweepMethod.ts';

export const SWEEP_PHASES = ['running', 'finished', 'cancelled', 'failed'] as const;
/** running: a record left `running` by a closed tab reads as interrupted (see `list`). */
export type SweepPhase = (typeof SWEEP_PHASES)[number] | 'interrupted';

export interface StoredSweep {
  id: string;
  createdAt: number;
  updatedAt: number;
  preset: PresetId;
  /** The sweep page's link (experiment, grid and steps): what reopening it shows. */
  link: string;
  config: ExperimentConfig;
  settings: SweepSettings;
  lr: number[];
  clip: number[];
  steps: number;
  method: SweepMethod | null;
  classifier: boolean | null;
  /** Row-major, a row per learning rate, the unclipped column last; null: not finished. */
  outcomes: (CellOutcome | null)[];
  phase: SweepPhase;
  elapsedMs: number;
  error: string | null;
}

interface SweepDB extends DBSchema {
  sweeps: { key: string; value: StoredSweep; indexes: { byCreated: number } };
}

export const SWEEP_DB_NAME = 'gradient-lab-sweeps';
const DB_VERSION = 1;

export class SweepHistory {
  private constructor(private readonly db: IDBPDatabase<SweepDB>) {}

  static async open(name = SWEEP_DB_NAME): Promise<SweepHistory> {
    if (typeof indexedDB === 'undefined') throw new Error('this browser has no IndexedDB');
    const db = await openDB<SweepDB>(name, DB_VERSION, {
      upgrade(database) {
        const sweeps = database.createObjectStore('sweeps', { keyPath: 'id' });
        sweeps.createIndex('byCreated', 'createdAt');
      },
    });
    return new SweepHistory(db);
  }

  async save(sweep: StoredSweep): Promise<void> {
    await this.db.put('sweeps', sweep);
  }

  /** Newest first; a sweep still marked running belongs to a page that closed: it reads as interrupted. */
  async list(): Promise<StoredSweep[]> {
    const all = await this.db.getAllFromIndex('sweeps', 'byCreated');
    return all.reverse().map((s) => (s.phase === 'running' ? { ...s, phase: 'interrupted' } : s));
  }

  async get(id: string): Promise<StoredSweep | null> {
    return (await this.db.get('sweeps', id)) ?? null;
  }

  async delete(id: string): Promise<void> {
    await this.db.delete('sweeps', id);
  }

  close(): void {
    this.db.close();
  }
}
