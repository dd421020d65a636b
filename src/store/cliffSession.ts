/**
 * Drives the cliff lesson's worker: whenever the lesson's settings change,
 * asks for the surface (if the window or T changed) and the two descents (if
 * the start, learning rate, steps, clipping or T changed). The worker is
 * started the first time the lesson is shown; a worker that dies is reported
 * and a new one is started on the next change.
 */
import type { CliffConfig } from '../experiment/cliff.ts';
import type { CliffClip } from '../train/cliff.ts';
import { createCliffClient, type WorkerPort } from '../worker/client.ts';
import { unreachable, type FromCliffWorker, type ToCliffWorker } from '../worker/protocol.ts';
import { useLab } from './labStore.ts';

/** Coarse first, so the picture appears at once; then sharper. */
export const SURFACE_RESOLUTIONS = [32, 96, 256];

let client: WorkerPort<ToCliffWorker, FromCliffWorker> | null = null;
let nextId = 1;
let surfaceRequest = { id: 0, key: '' };
let pathsRequest = { id: 0, key: '' };

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
    case 'paths': {
      if (message.id !== pathsRequest.id) return;
      // The worker answers the two descents in this order (the protocol types them as DescentStep[][]).
      const [unclipped, clipped] = message.paths;
      if (!unclipped || !clipped) {
        const count = message.paths.length;
        useLab.setState({ cliffError: `The cliff could not be computed: the worker sent ${count} descents, not 2` });
        break;
      }
      useLab.setState({ cliffPaths: { key: pathsRequest.key, unclipped, clipped }, cliffError: null });
      break;
    }
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
    pathsRequest = { id: 0, key: '' };
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
    port.send({
      type: 'surface',
      id: surfaceRequest.id,
      window: { wMin: cliff.wMin, wMax: cliff.wMax, bMin: cliff.bMin, bMax: cliff.bMax },
      T: cliff.T,
      resolutions: SURFACE_RESOLUTIONS,
    });
  }
  const pKey = pathsKey(cliff);
  if (pKey !== pathsRequest.key) {
    pathsRequest = { id: nextId++, key: pKey };
    const clips: CliffClip[] = [
      { mode: 'none', threshold: cliff.threshold },
      { mode: cliff.clipMode, threshold: cliff.threshold },
    ];
    port.send({
      type: 'descend',
      id: pathsRequest.id,
      start: { w: cliff.w0, b: cliff.b0 },
      clips,
      options: { T: cliff.T, lr: cliff.lr, steps: cliff.descentSteps },
    });
  }
}

/** Keeps the lesson's pictures current while it is on screen; returns the stop function. */
export function startCliffSync(): () => void {
  refreshCliff();
  return useLab.subscribe((state, previous) => {
    if (state.cliff !== previous.cliff) refreshCliff();
  });
}
