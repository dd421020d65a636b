/**
 * The Content-Security-Policy of the built page (see docs/SECURITY.md): only
 * what the app needs. Scripts and workers from this site, WebAssembly
 * compilation for tfjs's WASM backend, data from this site, images from blobs
 * and data URLs (chart PNG export), inline style attributes (React and
 * recharts set them). No inline or remote script, no eval, no plugins, no forms.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data: blob:",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/**
 * Who may show the lab in a frame: any site (a course page, Moodle or Canvas, reveal.js slides), since embedding
 * (`embed=1`) is the point, and a page opened from disk (`file:`, a slide deck; `*` matches only network schemes).
 * Browsers ignore `frame-ancestors` in a `<meta>` policy, so it is sent as a header only; a host that knows its
 * course sites can list them instead (docs/EMBEDDING.md).
 */
export const FRAME_ANCESTORS = 'frame-ancestors * file:';

/** The policy a server sends as a `Content-Security-Policy` header: the page's, and who may frame it. */
export const CONTENT_SECURITY_POLICY_HEADER = `${CONTENT_SECURITY_POLICY}; ${FRAME_ANCESTORS}`;

/**
 * The built site's `_headers` file, read by static hosts that take headers from one (Netlify, Cloudflare Pages):
 * the header policy on every path, workers included (a module worker takes its policy from its own response).
 */
export const STATIC_HOST_HEADERS = `/*\n  Content-Security-Policy: ${CONTENT_SECURITY_POLICY_HEADER}\n`;
