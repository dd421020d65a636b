import { describe, expect, it } from 'vitest';
import { DownloadTally } from './downloadTally.ts';
import type { DataProgress } from './protocol.ts';

function tally(everyMs = 100) {
  const reports: DataProgress[] = [];
  let nowMs = 0;
  const t = new DownloadTally(
    (p) => reports.push(p),
    () => nowMs,
    everyMs,
  );
  return { t, reports, at: (ms: number) => (nowMs = ms) };
}

describe('DownloadTally', () => {
  it('sums the expected sizes and the bytes received', () => {
    const { t } = tally();
    t.expect(806_763);
    t.expect(786_278);
    t.receive(65_536);
    t.receive(65_536);
    expect(t.progress()).toEqual({ loadedBytes: 131_072, totalBytes: 1_593_041 });
  });

  it('reports at most every 100 ms, and always the last byte', () => {
    const { t, reports, at } = tally();
    t.expect(1000);
    at(0);
    t.receive(100); // the first read is reported at once
    at(50);
    t.receive(100); // 50 ms later: held back
    at(99);
    t.receive(100);
    at(100);
    t.receive(100); // 100 ms after the last report
    at(120);
    t.receive(600); // complete: reported although only 20 ms passed
    expect(reports).toEqual([
      { loadedBytes: 100, totalBytes: 1000 },
      { loadedBytes: 400, totalBytes: 1000 },
      { loadedBytes: 1000, totalBytes: 1000 },
    ]);
  });

  it('has no total once any expected size is unknown (a manifest without sizes)', () => {
    const { t } = tally();
    t.expect(500);
    t.expect(null);
    t.expect(500);
    t.receive(10);
    expect(t.progress()).toEqual({ loadedBytes: 10, totalBytes: null });
  });
});
