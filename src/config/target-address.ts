// What a fleet target may be written as: an absolute http(s) URL, or a `host:port` that the job's `target_url` expands.

/** The `target_url` used when a job sets none: a discovered `host:port` is scraped at its root. */
export const DEFAULT_TARGET_URL = 'http://{{address}}/';
export const ADDRESS_PLACEHOLDER = '{{address}}';

export type TargetAddress =
  | { readonly kind: 'url'; readonly url: string }
  | { readonly kind: 'address'; readonly address: string };

/** `host:port` or `[ipv6]:port`; the host is a DNS name or an IP address. */
const HOST_PORT = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?):(\d{1,5})$/;

/** Classifies a target as written; returns the reason when it is neither a usable URL nor host:port. */
export function parseTargetAddress(text: string): TargetAddress | { readonly problem: string } {
  if (text.includes('://')) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return { problem: `${JSON.stringify(text)} is not a valid URL` };
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      return { problem: `${JSON.stringify(text)} must use http or https (got ${url.protocol.slice(0, -1)})` };
    if (url.hostname === '') return { problem: `${JSON.stringify(text)} has no host` };
    // Kept as written: the URL is what hashmod hashes, and Prometheus hashes the text it is given.
    return { kind: 'url', url: text };
  }
  const match = HOST_PORT.exec(text);
  const port = Number(match?.[3]);
  if (match === null || port < 1 || port > 65535) {
    return { problem: `${JSON.stringify(text)} is neither an absolute http(s) URL nor host:port (e.g. 10.0.0.7:1985)` };
  }
  return { kind: 'address', address: text };
}

/** The URL a discovered `host:port` is scraped at. */
export function expandTargetUrl(targetUrl: string | undefined, address: string): string {
  return (targetUrl ?? DEFAULT_TARGET_URL).replaceAll(ADDRESS_PLACEHOLDER, address);
}

/** Why a `target_url` cannot be used, or undefined when it can. */
export function targetUrlProblem(targetUrl: string): string | undefined {
  if (!targetUrl.includes(ADDRESS_PLACEHOLDER))
    return `must contain ${ADDRESS_PLACEHOLDER}, where a discovered host:port goes (e.g. http://{{address}}/api/v1/streams/)`;
  const sample = parseTargetAddress(expandTargetUrl(targetUrl, 'example.com:1985'));
  if ('problem' in sample || sample.kind !== 'url')
    return `must be an absolute http(s) URL once ${ADDRESS_PLACEHOLDER} is replaced (got ${JSON.stringify(targetUrl)})`;
  return undefined;
}
