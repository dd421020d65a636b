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
