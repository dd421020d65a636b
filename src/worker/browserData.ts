/**
 * Data for the browser: the build-time MNIST chunks and the tutorial CSV,
 * fetched from this site (public/), gunzipped with DecompressionStream.
 */
import type { DataLoader } from '../train/data/trainingData.ts';
import { chunksFor, joinChunks, parseChunk, type MnistManifest } from '../train/data/mnistChunks.ts';

function assetUrl(file: string): string {
  return new URL(`${import.meta.env.BASE_URL}${file}`, self.location.href).href;
}

async function fetchOk(file: string): Promise<Response> {
  const response = await fetch(assetUrl(file));
  if (!response.ok) throw new Error(`could not load ${file} (HTTP ${response.status})`);
  return response;
}

async function gunzip(response: Response): Promise<Uint8Array> {
  if (!response.body) throw new Error('empty response');
  const stream = response.body.pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export const browserDataLoader: DataLoader = {
  regressionCsv: async () => (await fetchOk('data/make_regression_rs1.csv')).text(),
  async mnist(split, count) {
    const manifest = (await (await fetchOk('mnist/manifest.json')).json()) as MnistManifest;
    const names = chunksFor(manifest, split, count);
    const parts = await Promise.all(
      names.map(async (name) => parseChunk(await gunzip(await fetchOk(`mnist/${name}`)))),
    );
    return joinChunks(parts, count);
  },
};
