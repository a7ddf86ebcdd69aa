// A target URL as it may be shown (pages, messages, logs, traces): its password hidden, as Go's url.Redacted does.

/** Schemes whose URLs have an authority the WHATWG parser splits into user, password and host. */
const SPECIAL_SCHEMES = new Set(['http:', 'https:', 'ws:', 'wss:', 'ftp:', 'file:']);

/**
 * `http://user:pass@host/` → `http://user:xxxxx@host/`; a URL without a password as given. Text that does not
 * parse as a URL (`http://user:pass@host:99999/`, `user:pass@host`, a space in the host …) is redacted by its
 * shape: whatever sits between the first `:` of the user part and the last `@` is hidden, since a password may
 * hold any character and the text is shown in 503s and logs exactly where a user looks.
 */
export function redactUrl(url: URL | string, parsedAlready?: URL): string {
  let parsed: URL;
  try {
    // `parsedAlready`: `url` as a caller parsed it already (/probe does, once per probe), not parsed again here.
    parsed = parsedAlready ?? (typeof url === 'string' ? new URL(url) : url);
  } catch {
    return redactUnparsed(url as string);
  }
  if (parsed.password !== '') {
    const copy = new URL(parsed.href);
    copy.password = 'xxxxx';
    return copy.href;
  }
  const text = typeof url === 'string' ? url : url.href;
  // `user:pass@host` parses with scheme "user:" and an opaque path that holds the password.
  return SPECIAL_SCHEMES.has(parsed.protocol) ? text : redactUnparsed(text);
}

function redactUnparsed(text: string): string {
  const at = text.lastIndexOf('@');
  if (at < 0) return text;
  const schemeEnd = text.indexOf('://');
  const start = schemeEnd >= 0 && schemeEnd < at ? schemeEnd + 3 : 0;
  const colon = text.indexOf(':', start);
  if (colon < 0 || colon > at) return text;
  return `${text.slice(0, colon + 1)}xxxxx${text.slice(at)}`;
}
