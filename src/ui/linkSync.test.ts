/**
 * The address bar and the experiment: a link pasted into the address bar is opened, and the address is then
 * rewritten only to that link's experiment. A window of the old experiment with the new link's view in its address
 * was what a reload at that moment opened (the offline e2e test reloaded into the dense net with `tour=5`, 4 of 16
 * times, before this was one store change).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { decodeExperiment } from '../experiment/urlCodec.ts';
import { lessonLink, TOUR } from '../experiment/tour.ts';
import { setClientFactory } from '../store/session.ts';
import { useLab } from '../store/labStore.ts';
import { startLinkSync } from './linkSync.ts';

/** The part of `window` linkSync uses: the address, its rewrites in order, and the hashchange listener. */
function fakeWindow(hash: string) {
  const location = {
    pathname: '/',
    search: '',
    hash,
    get href() {
      return `http://lab.test/${this.search}${this.hash}`;
    },
  };
  const rewrites: string[] = [];
  const listeners: (() => void)[] = [];
  return {
    location,
    rewrites,
    /** The student pastes `next` into the address bar: the hash changes, then the event comes. */
    paste(next: string) {
      location.hash = next;
      for (const listener of listeners) listener();
    },
    history: {
      replaceState(_data: unknown, _unused: string, url: string) {
        const at = url.indexOf('#');
        location.hash = at < 0 ? '' : url.slice(at);
        rewrites.push(location.hash);
      },
    },
    addEventListener: (type: string, listener: () => void) => {
      if (type === 'hashchange') listeners.push(listener);
    },
    removeEventListener: () => {},
  };
}

let stop: (() => void) | null = null;

beforeEach(() => {
  // Runs get workers that hear nothing: the address is the subject here.
  setClientFactory(() => ({ send: () => {}, terminate: () => {}, dispose: () => {} }));
});

afterEach(() => {
  stop?.();
  stop = null;
  vi.unstubAllGlobals();
});

describe('the address bar holds the experiment', () => {
  it('a pasted lesson link is opened, and the address is only ever rewritten to that lesson', () => {
    const lesson = TOUR.find((l) => l.n === 5);
    if (!lesson) throw new Error('no lesson 5');
    const page = fakeWindow('#v=1&preset=dense-explode');
    vi.stubGlobal('window', page);
    stop = startLinkSync();
    expect(useLab.getState().preset).toBe('dense-explode');
    const before = page.rewrites.length;

    page.paste(`#${lessonLink(lesson)}`);

    const opened = decodeExperiment(lessonLink(lesson));
    expect(useLab.getState().preset).toBe(opened.preset);
    expect(useLab.getState().view.tour).toBe(5);
    const written = page.rewrites.slice(before).map((hash) => decodeExperiment(hash));
    // Each rewrite is the lesson: its preset, its steps and its tour step (none of the dense net's settings).
    for (const link of written) {
      expect(link.preset).toBe(opened.preset);
      expect(link.config.steps).toBe(opened.config.steps);
      expect(link.view.tour).toBe(5);
    }
    expect(decodeExperiment(page.location.hash).preset).toBe(opened.preset);
  });

  it("a rewrite of the page's own is not read back as a pasted link", () => {
    const page = fakeWindow('#v=1&preset=dense-explode');
    vi.stubGlobal('window', page);
    stop = startLinkSync();
    const steps = useLab.getState().config.steps;
    useLab.setState((s) => ({ config: { ...s.config, steps: steps + 7 } }));
    expect(decodeExperiment(page.location.hash).config.steps).toBe(steps + 7);
    // The event a rewrite does not fire, fired anyway: the settings stay as turned.
    page.paste(page.location.hash);
    expect(useLab.getState().config.steps).toBe(steps + 7);
  });
});
