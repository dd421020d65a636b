/**
 * Data for the browser: the build-time MNIST chunks and the tutorial CSV,
 * fetched from this site (public/), gunzipped with DecompressionStream.
 */
import type { DataLoader } from '../train/data/trainingData.ts';
import { chunksFor, joinChunks, parseChunk, type MnistManifest } from '../train/data/mnistChunks.ts';

/*
 * Vite writes these public files' URLs relative to the built chunk (`base: './'`), so one build finds its data
 * from a host's root or any sub-path. A worker's own `location` is in `assets/`, and a root-absolute `/mnist/...`
 * fetch would leave the sub-path.
 */
const MNIST_MANIFEST_URL = new URL('/mnist/manifest.json', import.meta.url).href;
const REGRESSION_CSV_URL = new URL('/data/make_regression_rs1.csv', import.meta.url).href;

async function fetchOk(url: string): Promise<Response> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`could not load ${url} (HTTP ${response.status})`);
  return response;
}

async function gunzip(response: Response): Promise<Uint8Array> {
  if (!response.body) throw new Error('empty response');
  const stream = response.body.pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export const browserDataLoader: DataLoader = {
  regressionCsv: async () => (await fetchOk(REGRESSION_CSV_URL)).text(),
  async mnist(split, count) {
    const manifest = (await (await fetchOk(MNIST_MANIFEST_URL)).json()) as MnistManifest;
    const names = chunksFor(manifest, split, count);
    const parts = await Promise.all(
      names.map(async (name) => parseChunk(await gunzip(await fetchOk(new URL(name, MNIST_MANIFEST_URL).href)))),
    );
    return joinChunks(parts, count);
  },
};
