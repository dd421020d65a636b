/**
 * What the page's progress bar says while a run's data downloads: the MNIST digits, fetched the first time an
 * experiment on MNIST trains (some 11 MB for the full set) and kept afterwards.
 */

/** Bytes received so far, of how many (null: the total is not known). */
export interface ByteProgress {
  loadedBytes: number;
  totalBytes: number | null;
}

/** Megabytes of 10^6 bytes (as the build's log counts them): one decimal below 10, whole from 10 up. */
export function megabytes(bytes: number): string {
  const mb = bytes / 1e6;
  return mb < 10 ? mb.toFixed(1) : mb.toFixed(0);
}

/** "Loading MNIST digits: 3.1 of 11 MB", or "... 3.1 MB so far" without a known total. */
export function dataLoadLabel(load: ByteProgress): string {
  if (load.totalBytes === null) return `Loading MNIST digits: ${megabytes(load.loadedBytes)} MB so far`;
  return `Loading MNIST digits: ${megabytes(Math.min(load.loadedBytes, load.totalBytes))} of ${megabytes(load.totalBytes)} MB`;
}

/** How far the download is, 0 to 1; null without a known total. */
export function loadedFraction(load: ByteProgress): number | null {
  if (load.totalBytes === null) return null;
  return load.totalBytes === 0 ? 1 : Math.min(1, load.loadedBytes / load.totalBytes);
}

/**
 * The download the bar follows when several runs load (each worker of a pair or race fetches its own copy): the
 * one furthest from done, so the bar is full only once every run has its data. One without a known total counts as
 * furthest, and among those the one with the fewest bytes. Null when none loads.
 */
export function slowestLoad(loads: readonly ByteProgress[]): ByteProgress | null {
  let slowest: ByteProgress | null = null;
  for (const load of loads) {
    if (!slowest) {
      slowest = load;
      continue;
    }
    const a = loadedFraction(load) ?? -1;
    const b = loadedFraction(slowest) ?? -1;
    if (a < b || (a === b && load.loadedBytes < slowest.loadedBytes)) slowest = load;
  }
  return slowest;
}

/**
 * What the page's bar shows, from the runs still starting: each run's download, or null for one that has not
 * reported yet. The runs of a pair or race train on the same data, so once one downloads MNIST every one will: a run
 * not heard from yet counts as nothing received of the same total. The bar then never moves back when a second run
 * reports. Null while none has reported (an experiment without MNIST never does).
 */
export function pageLoad(loads: readonly (ByteProgress | null)[]): ByteProgress | null {
  const reported = loads.filter((load): load is ByteProgress => load !== null);
  const first = reported[0];
  if (!first) return null;
  return slowestLoad(loads.map((load) => load ?? { loadedBytes: 0, totalBytes: first.totalBytes }));
}
