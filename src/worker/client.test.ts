/**
 * A worker is made once the page has painted its first content (or after FIRST_PAINT_WAIT_MS): what the page sends
 * before waits, in order. Node has neither Worker nor paint entries: both are stand-ins here.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

class FakeWorker {
  static made: FakeWorker[] = [];
  posted: unknown[] = [];
  terminated = false;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onerror: unknown = null;
  onmessageerror: unknown = null;
  constructor() {
    FakeWorker.made.push(this);
  }
  postMessage(message: unknown): void {
    this.posted.push(message);
  }
  terminate(): void {
    this.terminated = true;
  }
}

/** The paint observer the page would have: `paint()` reports the first contentful paint to it. */
let paint: () => void = () => {};
class FakePaintObserver {
  static supportedEntryTypes = ['paint'];
  constructor(callback: (list: { getEntries: () => { name: string }[] }) => void) {
    paint = () => callback({ getEntries: () => [{ name: 'first-paint' }, { name: 'first-contentful-paint' }] });
  }
  observe(): void {}
  disconnect(): void {
    paint = () => {};
  }
}

async function freshClient() {
  vi.resetModules();
  return import('./client.ts');
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

beforeEach(() => {
  FakeWorker.made = [];
  vi.stubGlobal('PerformanceObserver', FakePaintObserver);
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe("a worker waits for the page's first paint", () => {
  it('is made at the first contentful paint, and gets what was sent before it, in order', async () => {
    const { WorkerPort } = await freshClient();
    const port = new WorkerPort(
      () => new FakeWorker() as unknown as Worker,
      () => {},
      () => {},
    );
    port.send('init');
    port.send('advance');
    await flush();
    expect(FakeWorker.made).toHaveLength(0);
    paint();
    await flush();
    expect(FakeWorker.made).toHaveLength(1);
    expect(FakeWorker.made[0]?.posted).toEqual(['init', 'advance']);
    port.send('pause');
    expect(FakeWorker.made[0]?.posted).toEqual(['init', 'advance', 'pause']);
  });

  it('is made after FIRST_PAINT_WAIT_MS when no paint comes (a tab opened in the background)', async () => {
    vi.useFakeTimers();
    const { WorkerPort, FIRST_PAINT_WAIT_MS } = await freshClient();
    const port = new WorkerPort(
      () => new FakeWorker() as unknown as Worker,
      () => {},
      () => {},
    );
    port.send('init');
    await vi.advanceTimersByTimeAsync(FIRST_PAINT_WAIT_MS - 1);
    expect(FakeWorker.made).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeWorker.made.map((w) => w.posted)).toEqual([['init']]);
  });

  it('is never made once terminated, and a worker made later is not waited for again', async () => {
    const { WorkerPort } = await freshClient();
    const gone = new WorkerPort(
      () => new FakeWorker() as unknown as Worker,
      () => {},
      () => {},
    );
    gone.send('init');
    gone.terminate();
    paint();
    await flush();
    expect(FakeWorker.made).toHaveLength(0);
    const later = new WorkerPort(
      () => new FakeWorker() as unknown as Worker,
      () => {},
      () => {},
    );
    await flush();
    expect(FakeWorker.made).toHaveLength(1);
    later.terminate();
    expect(FakeWorker.made[0]?.terminated).toBe(true);
  });

  it('passes the worker’s messages on while alive', async () => {
    const { WorkerPort } = await freshClient();
    const got: unknown[] = [];
    const port = new WorkerPort(
      () => new FakeWorker() as unknown as Worker,
      (m) => got.push(m),
      () => {},
    );
    paint();
    await flush();
    FakeWorker.made[0]?.onmessage?.({ data: 'metrics' });
    port.terminate();
    FakeWorker.made[0]?.onmessage?.({ data: 'late' });
    expect(got).toEqual(['metrics']);
  });
});
