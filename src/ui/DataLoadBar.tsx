/**
 * The MNIST download's progress bar: while a run's data arrives (the first time an experiment on MNIST trains),
 * "Loading MNIST digits: 3.1 of 11 MB" over a <progress> driven by the bytes received, laid over the top of the
 * empty charts (so nothing moves); gone once the runs are ready. A download that fails stops the run, and its card
 * says why.
 */
import { useShallow } from 'zustand/react/shallow';
import { dataLoadLabel, pageLoad, type ByteProgress } from '../present/dataLoad.ts';
import { useLab } from '../store/labStore.ts';
import { ByteProgressBar } from '../widgets/ByteProgressBar.tsx';
import './dataLoad.css';

export function DataLoadNotice({ load }: { load: ByteProgress | null }) {
  if (!load) return null;
  return <ByteProgressBar label={dataLoadLabel(load)} loadedBytes={load.loadedBytes} totalBytes={load.totalBytes} />;
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
