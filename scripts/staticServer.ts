/**
 * A plain static server for the built lab, as a school's web server or GitHub Pages would be: files of `root` under
 * one path `prefix` (e.g. `/gradient-lab/`), with their MIME types and no special headers (no
 * Content-Security-Policy header: the page's own <meta> policy applies). Anything outside the prefix is a 404 and
 * is recorded, so a root-absolute URL in the build fails the test that asks for it. With `gzip`, text goes out
 * compressed to a client that accepts it, as a real host sends it (the Lighthouse bench); the browser tests keep it
 * off, so the bytes they count are the files'.
 */
import { readFile, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.csv': 'text/csv; charset=utf-8',
  '.bin': 'application/octet-stream',
};

export interface StaticSite {
  /** The site's address, ending in the prefix: `http://127.0.0.1:PORT/gradient-lab/`. */
  url: string;
  /** Paths asked for outside the prefix (each answered 404). */
  outside: string[];
  /** Every path asked for under the prefix, in order (relative to it). */
  served: string[];
  /** Paths under the prefix that are not in the build (each answered 404). */
  missing: string[];
  /** Files served instead of the built ones, by path relative to the prefix (e.g. a changed `sw.js`). */
  overrides: Map<string, string | Uint8Array>;
  /** Paths answered 503, as a failing host would. */
  failing: Set<string>;
  /** Files whose path matches are sent at this many bytes a second, in 16 kB pieces (a slow school network). */
  throttle: { pattern: RegExp; bytesPerSecond: number } | null;
  close(): Promise<void>;
}

/** Text compresses; the MNIST chunks and the WASM binaries are sent as they are. */
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.json', '.webmanifest', '.svg', '.csv']);

export async function serveStatic(root: string, prefix = '/', options: { gzip?: boolean } = {}): Promise<StaticSite> {
  if (!prefix.startsWith('/') || !prefix.endsWith('/')) throw new Error(`prefix ${prefix} must start and end with /`);
  const outside: string[] = [];
  const served: string[] = [];
  const missing: string[] = [];
  const overrides = new Map<string, string | Uint8Array>();
  const failing = new Set<string>();
  const site = { throttle: null as StaticSite['throttle'] };
  const rootDir = path.resolve(root);
  const server: Server = createServer((request, response) => {
    void (async () => {
      const pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
      if (!pathname.startsWith(prefix)) {
        outside.push(pathname);
        response.writeHead(404, { 'Content-Type': 'text/plain' }).end(`${pathname} is outside ${prefix}`);
        return;
      }
      let relative = pathname.slice(prefix.length);
      if (relative === '' || relative.endsWith('/')) relative += 'index.html';
      served.push(relative);
      const file = path.join(rootDir, relative);
      const type = MIME[path.extname(file)] ?? 'application/octet-stream';
      if (failing.has(relative)) {
        response.writeHead(503, { 'Content-Type': 'text/plain' }).end('unavailable');
        return;
      }
      const override = overrides.get(relative);
      if (override !== undefined) {
        response.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-cache' }).end(override);
        return;
      }
      if (!file.startsWith(rootDir + path.sep) || !(await stat(file).catch(() => null))?.isFile()) {
        missing.push(relative);
        response.writeHead(404, { 'Content-Type': 'text/plain' }).end(`${relative} not found`);
        return;
      }
      const body = await readFile(file);
      const throttle = site.throttle;
      if (!throttle?.pattern.test(relative)) {
        const accepts = /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
        if (options.gzip && accepts && COMPRESSIBLE.has(path.extname(file))) {
          const packed = gzipSync(body);
          const headers = { 'Content-Type': type, 'Cache-Control': 'no-cache', 'Content-Encoding': 'gzip' };
          response.writeHead(200, headers).end(packed);
          return;
        }
        response.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-cache' }).end(body);
        return;
      }
      response.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-cache', 'Content-Length': body.length });
      const piece = 16 * 1024;
      for (let at = 0; at < body.length && !response.destroyed; at += piece) {
        response.write(body.subarray(at, at + piece));
        await new Promise((resolve) => setTimeout(resolve, (piece / throttle.bytesPerSecond) * 1000));
      }
      response.end();
    })().catch((error: unknown) => {
      response.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${prefix}`,
    outside,
    served,
    missing,
    overrides,
    failing,
    get throttle() {
      return site.throttle;
    },
    set throttle(value) {
      site.throttle = value;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        // Keep-alive connections and throttled bodies would hold close() open.
        server.closeAllConnections();
      }),
  };
}
