/**
 * The MNIST download's progress bar: while a run's data arrives (the first time an experiment on MNIST trains),
 * "Loading MNIST digits: 3.1 of 11 MB" over a <progress> driven by the bytes received, laid over the top of the
 * empty charts (so nothing moves); gone once the runs are ready. A download that fails stops the run, and its card
 * says why.
 */
import { useId } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { dataLoadLabel, pageLoad, type ByteProgress } from '../present/dataLoad.ts';
import { useLab } from '../store/labStore.ts';
import './dataLoad.css';

export function DataLoadNotice({ load }: { load: ByteProgress | null }) {
  const id = useId();
  if (!load) return null;
  const total = load.totalBytes;
  return (
    <div className="data-load" data-testid="data-load">
      <label htmlFor={id}>{dataLoadLabel(load)}</label>
      {total === null ? (
        <progress id={id} />
      ) : (
        <progress id={id} max={total} value={Math.min(load.loadedBytes, total)} />
      )}
    </div>
  );
}

export function DataLoadBar() {
  // Only runs still starting: a run that is ready has its data, and one that stopped says why on its card.
  const loads = useLab(
    useShallow((s) =>
      Object.values(s.runs).flatMap((run) => (run?.phase === 'starting' ? [run.dataProgress ?? null] : [])),
    ),
  );
  return <DataLoadNotice load={pageLoad(loads)} />;
}
