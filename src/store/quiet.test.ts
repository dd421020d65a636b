/** The page is quiet once no run has trained for QUIET_MS: a short Pause is not quiet, Play ends quiet at once. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { useLab } from './labStore.ts';
import { QUIET_MS, onQuietChange, whenQuiet } from './quiet.ts';

beforeEach(() => {
  vi.useFakeTimers();
  useLab.setState({ playing: false });
});
afterEach(() => vi.useRealTimers());

describe('quiet', () => {
  it('is not quiet at first, and is quiet QUIET_MS after the page stopped training, not a millisecond before', () => {
    const heard: boolean[] = [];
    const stop = onQuietChange((quiet) => heard.push(quiet));
    expect(heard).toEqual([false]);
    vi.advanceTimersByTime(QUIET_MS - 1);
    expect(heard).toEqual([false]);
    vi.advanceTimersByTime(1);
    expect(heard).toEqual([false, true]);
    // Other changes of the store do not make it say so again.
    useLab.setState({ slowMotion: true });
    vi.advanceTimersByTime(2 * QUIET_MS);
    expect(heard).toEqual([false, true]);
    stop();
  });

  it('Play ends quiet at once; a Pause shorter than QUIET_MS never makes it quiet', () => {
    const heard: boolean[] = [];
    const stop = onQuietChange((quiet) => heard.push(quiet));
    vi.advanceTimersByTime(QUIET_MS);
    useLab.setState({ playing: true });
    expect(heard).toEqual([false, true, false]);
    vi.advanceTimersByTime(10 * QUIET_MS);
    useLab.setState({ playing: false });
    vi.advanceTimersByTime(QUIET_MS - 100);
    useLab.setState({ playing: true });
    vi.advanceTimersByTime(10 * QUIET_MS);
    expect(heard).toEqual([false, true, false]);
    useLab.setState({ playing: false });
    vi.advanceTimersByTime(QUIET_MS);
    expect(heard).toEqual([false, true, false, true]);
    stop();
  });

  it('whenQuiet calls once, the first time', () => {
    const then = vi.fn();
    whenQuiet(then);
    useLab.setState({ playing: true });
    vi.advanceTimersByTime(10 * QUIET_MS);
    expect(then).not.toHaveBeenCalled();
    useLab.setState({ playing: false });
    vi.advanceTimersByTime(QUIET_MS);
    expect(then).toHaveBeenCalledTimes(1);
    useLab.setState({ playing: true });
    useLab.setState({ playing: false });
    vi.advanceTimersByTime(QUIET_MS);
    expect(then).toHaveBeenCalledTimes(1);
  });
});
