/**
 * Data for the browser: the build-time MNIST chunks and the tutorial CSV,
 * fetched from this site (public/), gunzipped with DecompressionStream.
 * MNIST is fetched only when an experiment trains on it, and its bytes are
 * counted as they arrive for the page's progress bar (`onProgress`).
 */
import type { DataLoader } from '../train/data/trainingData.ts';
import { joinChunks, parseChunk, sizedChunksFor, type MnistManifest } from '../train/data/mnistChunks.ts';
import { DownloadTally } from './downloadTally.ts';
import type { DataProgress } from './protocol.ts';

/*
 * Vite writes these public files' URLs relative to the built chunk (`base: './'`), so one build finds its data
 * from a host's root or any sub-path. A worker's own `location` is in `assets/`, and a root-absolute `/mnist/...`
 * fetch would leave the sub-path.
 */
const MNIST_MANIFEST_URL = new URL('/mnist/manifest.json', import.meta.url).href;
const REGRESSION_CSV_URL = new URL('/data/make_regression_rs1.csv', import.meta.url).href;

/** `url`, or an error that says in words what could not be loaded and why. */
async function fetchOk(url: string, what: string): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch {
    // fetch rejects with a bare "Failed to fetch": say what it was, and the likely cause.
    const offline = typeof navigator !== 'undefined' && !navigator.onLine;
    throw new Error(
      `could not download ${what}: ${offline ? 'this device is offline' : 'the network failed'}; ` +
        'connect and press Reset to try again',
    );
  }
  if (!response.ok) throw new Error(`could not download ${what}: the host answered HTTP ${response.status} for ${url}`);
  return response;
}

/** The body's bytes, each read counted by `onBytes` as it arrives (the compressed bytes, as the manifest sizes them). */
function counted(
  body: ReadableStream<Uint8Array<ArrayBuffer>>,
  onBytes: (n: number) => void,
): ReadableStream<Uint8Array<ArrayBuffer>> {
  return body.pipeThrough(
    new TransformStream<Uint8Array<ArrayBuffer>, Uint8Array<ArrayBuffer>>({
      transform(chunk, controller) {
        onBytes(chunk.byteLength);
        controller.enqueue(chunk);
      },
    }),
  );
}

async function gunzip(body: ReadableStream<Uint8Array<ArrayBuffer>>): Promise<Uint8Array> {
  const stream = body.pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** A loader for one run; `onProgress` hears the MNIST download's progress (the CSV is a few kB and is not counted). */
export function progressDataLoader(onProgress: (progress: DataProgress) => void): DataLoader {
  const tally = new DownloadTally(onProgress, () => performance.now());
  // The train and test splits ask together: one manifest for both, so the whole size is known before any chunk.
  let manifest: Promise<MnistManifest> | null = null;
  return {
    regressionCsv: async () => (await fetchOk(REGRESSION_CSV_URL, 'the regression data')).text(),
    async mnist(split, count) {
      if (!manifest) {
        const fetched = fetchOk(MNIST_MANIFEST_URL, 'the list of MNIST digits').then(
          (r) => r.json() as Promise<MnistManifest>,
        );
        // A failed list is asked for again by the next load, not remembered.
        fetched.catch(() => (manifest = null));
        manifest = fetched;
      }
      const chunks = sizedChunksFor(await manifest, split, count);
      for (const chunk of chunks) tally.expect(chunk.bytes);
      const parts = await Promise.all(
        chunks.map(async ({ name }) => {
          const response = await fetchOk(new URL(name, MNIST_MANIFEST_URL).href, `the MNIST digits (${name})`);
          if (!response.body) throw new Error(`could not download the MNIST digits (${name}): an empty response`);
          return parseChunk(await gunzip(counted(response.body, (n) => tally.receive(n))));
        }),
      );
      return joinChunks(parts, count);
    },
  };
}

/** For the benchmark's worker, which shows no download (the trainer and sweep workers report theirs). */
export const browserDataLoader: DataLoader = progressDataLoader(() => {});
