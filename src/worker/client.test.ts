/**
 * A worker is made once the page has painted its first content (or after FIRST_PAINT_WAIT_MS) and then settled (an
 * idle period of SETTLED_IDLE_MS, or SETTLE_WAIT_MS), or at once when training is asked for: what the page sends
 * before waits, in order. Node has no Worker, paint entries or idle callbacks: all are stand-ins here (without idle
 * callbacks the page counts as settled at once).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { WorkerPort as Port } from './client.ts';

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

/** The idle callbacks the page would get: `idle(ms)` runs the waiting ones with that much idle time left. */
function stubIdleCallbacks() {
  let waiting: { callback: IdleRequestCallback; timeout: number | undefined }[] = [];
  vi.stubGlobal('requestIdleCallback', (callback: IdleRequestCallback, options?: IdleRequestOptions) => {
    waiting.push({ callback, timeout: options?.timeout });
    return waiting.length;
  });
  const run = (deadline: IdleDeadline) => {
    const now = waiting;
    waiting = [];
    for (const { callback } of now) callback(deadline);
  };
  return {
    idle: (ms: number) => run({ didTimeout: false, timeRemaining: () => ms }),
    timedOut: () => run({ didTimeout: true, timeRemaining: () => 0 }),
    timeouts: () => waiting.map((w) => w.timeout),
  };
}

describe('a worker waits for the page to settle after its paint', () => {
  const port = (WorkerPort: typeof Port) =>
    new WorkerPort(
      () => new FakeWorker() as unknown as Worker,
      () => {},
      () => {},
    );

  it('is made at the first idle period of SETTLED_IDLE_MS, not at a shorter one', async () => {
    const idle = stubIdleCallbacks();
    const { WorkerPort, SETTLED_IDLE_MS, SETTLE_WAIT_MS } = await freshClient();
    port(WorkerPort).send('init');
    paint();
    await flush();
    expect(idle.timeouts()).toEqual([SETTLE_WAIT_MS]);
    idle.idle(SETTLED_IDLE_MS - 1); // a frame's leftover: the page is still drawing
    await flush();
    expect(FakeWorker.made).toHaveLength(0);
    expect(idle.timeouts()).toHaveLength(1); // asked again, within what is left of SETTLE_WAIT_MS
    expect(idle.timeouts()[0]).toBeLessThanOrEqual(SETTLE_WAIT_MS);
    idle.idle(SETTLED_IDLE_MS);
    await flush();
    expect(FakeWorker.made.map((w) => w.posted)).toEqual([['init']]);
  });

  it('is made when the idle callback times out on a page that never idles', async () => {
    const idle = stubIdleCallbacks();
    const { WorkerPort } = await freshClient();
    port(WorkerPort);
    paint();
    await flush();
    idle.timedOut();
    await flush();
    expect(FakeWorker.made).toHaveLength(1);
  });

  it('is made at once, before the paint, when training is asked for', async () => {
    stubIdleCallbacks();
    const { WorkerPort, startWorkersNow } = await freshClient();
    const asked = port(WorkerPort);
    asked.send('init');
    asked.send('advance');
    startWorkersNow();
    await flush();
    expect(FakeWorker.made.map((w) => w.posted)).toEqual([['init', 'advance']]);
    // A port made later does not wait either: the page has started.
    port(WorkerPort);
    await flush();
    expect(FakeWorker.made).toHaveLength(2);
  });
});
