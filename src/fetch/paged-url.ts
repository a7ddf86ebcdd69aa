// `paging`: the URL that asks a paged list API for every item, up to the module's max_items, in one request.
//
// One request with count = max_items + 1 rather than start/count pages: SRS has no upper bound on `count`, and
// its pages are ordered by random ids, so pages fetched one after another shift as streams come and go (items
// skipped or repeated). One answer is one consistent snapshot. The + 1 is how the hot path knows the list was
// longer than max_items (it then cuts it and counts `items_truncated`).
import type { PagingConfig } from '../config/types.js';

export function pagedUrl(target: string, paging: PagingConfig | undefined): string {
  if (paging === undefined) return target;
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    // Not a URL: the fetch reports it with its own reason.
    return target;
  }
  url.searchParams.set(paging.countParam, String(paging.maxItems + 1));
  return url.toString();
}
