// A target URL as it may be shown (pages, messages, logs, traces): its password hidden, as Go's url.Redacted does.

/** `http://user:pass@host/` → `http://user:xxxxx@host/`; a URL without a password, or text that is no URL, as given. */
export function redactUrl(url: URL | string): string {
  let parsed: URL;
  try {
    parsed = typeof url === 'string' ? new URL(url) : url;
  } catch {
    return url as string;
  }
  if (parsed.password === '') return typeof url === 'string' ? url : url.href;
  const copy = new URL(parsed.href);
  copy.password = 'xxxxx';
  return copy.href;
}
