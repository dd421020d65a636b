/**
 * A link the page writes (Copy link, Link for students, Embed, Open in Gradient Lab) is the page's own address with
 * the experiment as its hash: the lab may be served from a host's root or from any sub-path, and a link must lead
 * back to the same copy of it, never to the root of the host.
 */

/** `pageHref` (the page's full address) with its query and hash replaced by `#query`. */
export function pageLink(pageHref: string, query: string): string {
  const url = new URL(pageHref);
  // The query goes: a `?v=1&...` link has been read into the hash, and the experiment is written once.
  url.search = '';
  url.hash = query;
  return url.href;
}
