/**
 * The browser's MNIST asset: each split cut into chunks of CHUNK_IMAGES
 * digits, each chunk the labels idx followed by the images idx, gzipped.
 * A page fetches only the chunks its train subset needs (a 10k subset is two
 * chunks, about 1.6 MB) and gunzips them with the browser's DecompressionStream.
 */
import { parseIdx } from './idx.ts';
import { concatSplits, mnistSplitFromIdx, type MnistSplit } from './mnist.ts';

export const CHUNK_IMAGES = 5000;

export interface MnistManifest {
  version: 1;
  chunkImages: number;
  /**
   * `bytes`: each chunk's size as served, in the order of `chunks`, so the page's progress bar knows the whole
   * download before it starts (absent from manifests written before it was added).
   */
  splits: Record<'train' | 'test', { count: number; chunks: string[]; bytes?: number[] }>;
}

/** Reads one gunzipped chunk: labels idx then images idx. */
export function parseChunk(bytes: Uint8Array): MnistSplit {
  const labels = parseIdx(bytes);
  const labelsLength = 8 + labels.data.length;
  return mnistSplitFromIdx(bytes.subarray(labelsLength), bytes.subarray(0, labelsLength));
}

export function chunksFor(manifest: MnistManifest, split: 'train' | 'test', count: number): string[] {
  const info = manifest.splits[split];
  if (count > info.count) throw new Error(`MNIST ${split} has ${info.count} images; ${count} were asked for`);
  return info.chunks.slice(0, Math.ceil(count / manifest.chunkImages));
}

/** The chunks `chunksFor` names, each with its size in bytes (null where the manifest does not give sizes). */
export function sizedChunksFor(
  manifest: MnistManifest,
  split: 'train' | 'test',
  count: number,
): { name: string; bytes: number | null }[] {
  const sizes = manifest.splits[split].bytes;
  return chunksFor(manifest, split, count).map((name, k) => ({ name, bytes: sizes?.[k] ?? null }));
}

export function joinChunks(parts: MnistSplit[], count: number): MnistSplit {
  return concatSplits(parts, count);
}
