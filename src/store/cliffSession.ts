/**
 * Keeps the cliff lesson's pictures current. Whenever the window or T change, the page itself draws a first
 * sketch of the surface at once (PAGE_SURFACE_CELLS a side, plain arithmetic, a few milliseconds) and asks the
 * worker for the sharper ones; the two descents (start, learning rate, steps, clipping or T) are computed on
 * the page too, in well under a millisecond a step. So the lesson is drawn, and a click answered, from the
 * first second, however long the worker takes to load tfjs and start a backend. The worker is started the
 * first time the lesson is shown; a worker that dies is reported and a new one is started on the next change.
 */
import type { CliffConfig } from '../experiment/cliff.ts';
import type { CliffClip } from '../train/cliff.ts';
import { cliffSurfacePlain, descendPlain } from '../train/cliffPlain.ts';
import { createCliffClient, type WorkerPort } from '../worker/client.ts';
import { unreachable, type FromCliffWorker, type ToCliffWorker } from '../worker/protocol.ts';
import { useLab } from './labStore.ts';

/** The page's own first sketch of the surface, cells a side: 64 x 64 x T = 50 steps is about 200k sigmoids. */
export const PAGE_SURFACE_CELLS = 64;
/** Then the worker's, sharper. */
export const SURFACE_RESOLUTIONS = [128, 256];

let client: WorkerPort<ToCliffWorker, FromCliffWorker> | null = null;
let nextId = 1;
let surfaceRequest = { id: 0, key: '' };
/** The settings of the descents last drawn. */
let drawnPathsKey = '';

function surfaceKey(c: CliffConfig): string {
  return [c.wMin, c.wMax, c.bMin, c.bMax, c.T].join(',');
}

/** Identifies the descents' settings, so the page never shows paths of other settings as current. */
export function pathsKey(c: CliffConfig): string {
  return [c.w0, c.b0, c.lr, c.descentSteps, c.clipMode, c.threshold, c.T].join(',');
}

function onMessage(message: FromCliffWorker): void {
  switch (message.type) {
    case 'backend':
      useLab.setState({ cliffBackend: message.backend });
      break;
    case 'notice':
      useLab.setState((s) => ({ cliffNotices: [...s.cliffNotices, message.message] }));
      break;
    case 'surface': {
      if (message.id !== surfaceRequest.id) return;
      const { cliff } = useLab.getState();
      const { cols, rows, loss, elapsedMs, final } = message;
      useLab.setState({
        cliffSurface: {
          window: { wMin: cliff.wMin, wMax: cliff.wMax, bMin: cliff.bMin, bMax: cliff.bMax },
          T: cliff.T,
          cols,
          rows,
          loss,
          elapsedMs,
          final,
        },
        cliffError: null,
      });
      break;
    }
    case 'paths':
      // Not asked for: the page computes the descents itself (descendPlain), at once.
      break;
    case 'error':
      useLab.setState({ cliffError: `The cliff could not be computed: ${message.message}` });
      break;
    default:
      unreachable(message);
  }
}

function ensureClient(): WorkerPort<ToCliffWorker, FromCliffWorker> {
  client ??= createCliffClient(onMessage, (reason) => {
    client = null;
    surfaceRequest = { id: 0, key: '' };
    useLab.setState({
      cliffError: `The cliff lesson's worker stopped (${reason}). Change any setting to start it again.`,
      cliffBackend: null,
    });
  });
  return client;
}

/** Asks for whatever the current settings need and is not already computed or on its way. */
export function refreshCliff(): void {
  const { cliff } = useLab.getState();
  const port = ensureClient();
  const sKey = surfaceKey(cliff);
  if (sKey !== surfaceRequest.key) {
    surfaceRequest = { id: nextId++, key: sKey };
    const window = { wMin: cliff.wMin, wMax: cliff.wMax, bMin: cliff.bMin, bMax: cliff.bMax };
    const started = performance.now();
    const loss = cliffSurfacePlain(window, PAGE_SURFACE_CELLS, PAGE_SURFACE_CELLS, cliff.T);
    const elapsedMs = performance.now() - started;
    useLab.setState({
      cliffSurface: {
        window,
        T: cliff.T,
        cols: PAGE_SURFACE_CELLS,
        rows: PAGE_SURFACE_CELLS,
        loss,
        elapsedMs,
        final: false,
      },
    });
    port.send({ type: 'surface', id: surfaceRequest.id, window, T: cliff.T, resolutions: SURFACE_RESOLUTIONS });
  }
  const pKey = pathsKey(cliff);
  if (pKey !== drawnPathsKey) {
    drawnPathsKey = pKey;
    const clips: CliffClip[] = [
      { mode: 'none', threshold: cliff.threshold },
      { mode: cliff.clipMode, threshold: cliff.threshold },
    ];
    const [unclipped = [], clipped = []] = descendPlain({ w: cliff.w0, b: cliff.b0 }, clips, {
      T: cliff.T,
      lr: cliff.lr,
      steps: cliff.descentSteps,
    });
    useLab.setState({ cliffPaths: { key: pKey, unclipped, clipped }, cliffError: null });
  }
}

/** Keeps the lesson's pictures current while it is on screen; returns the stop function. */
export function startCliffSync(): () => void {
  refreshCliff();
  return useLab.subscribe((state, previous) => {
    if (state.cliff !== previous.cliff) refreshCliff();
  });
}
