// Reads a target's response body under the size limit, decoding its Content-Encoding (gzip, deflate, br) on the
// way: the limit applies to the DECODED bytes, so a small compressed body that inflates past it (a decompression
// bomb) is stopped as soon as the limit is passed, never buffered whole.
import type { Readable, Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate, createInflateRaw } from 'node:zlib';
import type { Dispatcher } from 'undici';
import type { FetchFailureReason } from './errors.js';

/** Sent unless the module sets its own Accept-Encoding. */
export const ACCEPT_ENCODING = 'gzip, deflate, br';

/** More codings than this in one Content-Encoding header is no real server: refused rather than chained. */
const MAX_CODINGS = 2;

export type BodyRead =
  | { readonly ok: true; readonly body: Uint8Array }
  | {
      readonly ok: false;
      readonly reason: Extract<FetchFailureReason, 'body_too_large' | 'invalid_encoding'>;
      readonly message: string;
    };

/** undici's body, or a plain Readable (the lean HTTP/1.1 client's encoded bodies). */
type ResponseBody = Dispatcher.ResponseData['body'] | Readable;

/** The codings of a Content-Encoding header in the order they were applied; `identity` dropped. */
function parseCodings(header: string | string[] | undefined): string[] {
  if (header === undefined) return [];
  const text = Array.isArray(header) ? header.join(',') : header;
  return text
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity');
}

/**
 * HTTP's `deflate` is zlib-wrapped (RFC 9110), but some servers send raw deflate: a zlib stream starts with a
 * header whose 16-bit value is a multiple of 31 and whose method is 8. Decided on the first chunk.
 */
/** `first`: the body's first bytes when this decoder reads the body itself; inside a chain, zlib as RFC 9110 says. */
function createDeflateDecoder(first: Uint8Array | undefined): Transform {
  if (first === undefined) return createInflate();
  const cmf = first[0] ?? 0;
  const flg = first[1] ?? 0;
  return (cmf & 0x0f) === 8 && (cmf * 256 + flg) % 31 === 0 ? createInflate() : createInflateRaw();
}

function createDecoder(coding: string, first: Uint8Array | undefined): Transform | undefined {
  switch (coding) {
    case 'gzip':
    case 'x-gzip':
      return createGunzip();
    case 'deflate':
      return createDeflateDecoder(first);
    case 'br':
      return createBrotliDecompress();
    default:
      return undefined;
  }
}

/**
 * Reads the whole body into one Uint8Array that owns its ArrayBuffer (so it can be transferred to a worker). An
 * endless or inflating body never buffers more than the limit plus one chunk: reading stops as soon as the decoded
 * total passes the limit, and the connection and decoders are destroyed.
 */
export async function readBodyWithLimit(
  body: ResponseBody,
  contentEncoding: string | string[] | undefined,
  limit: number,
): Promise<BodyRead> {
  const codings = parseCodings(contentEncoding);
  if (codings.length > MAX_CODINGS) {
    discard(body);
    return {
      ok: false,
      reason: 'invalid_encoding',
      message: `Content-Encoding "${codings.join(', ')}" chains more than ${MAX_CODINGS} codings`,
    };
  }
  const iterator = (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  const firstStep = await iterator.next();
  const first: Uint8Array | undefined = firstStep.done === true ? undefined : firstStep.value;
  if (codings.length === 0 || first === undefined) {
    // An empty body with a Content-Encoding is an empty body (a HEAD-like answer), as Go's transport reads it.
    return collect(first, iterator, limit, () => discard(body), undefined);
  }
  const decoders: Transform[] = [];
  // Applied in order, so decoded in reverse: the last coding listed is undone first.
  for (const [i, coding] of [...codings].reverse().entries()) {
    // Only the first decoder reads the body's own bytes: raw-or-zlib deflate is told from them.
    const decoder = createDecoder(coding, i === 0 ? first : undefined);
    if (decoder === undefined) {
      discard(body);
      return {
        ok: false,
        reason: 'invalid_encoding',
        message: `unsupported Content-Encoding "${coding}" (supported: gzip, deflate, br)`,
      };
    }
    decoders.push(decoder);
  }
  let bodyError: unknown;
  const head = decoders[0] as Transform;
  const tail = decoders.at(-1) as Transform;
  for (let i = 1; i < decoders.length; i++) (decoders[i - 1] as Transform).pipe(decoders[i] as Transform);
  for (let i = 0; i < decoders.length - 1; i++) {
    // pipe() does not forward errors: a failing inner decoder fails the chain.
    (decoders[i] as Transform).once('error', (err) => tail.destroy(err));
  }
  (body as Readable).once('error', (err) => {
    bodyError = err;
    tail.destroy(err);
  });
  head.write(first);
  // The rest of the compressed body, with backpressure from the decoders.
  const feed = (async () => {
    for (let step = await iterator.next(); step.done !== true; step = await iterator.next()) {
      if (!head.write(step.value)) {
        await new Promise<void>((resolve) => {
          head.once('drain', resolve);
          head.once('close', resolve);
        });
      }
      if (tail.destroyed) return;
    }
    head.end();
  })();
  feed.catch((err: unknown) => {
    bodyError ??= err;
    tail.destroy(err as Error);
  });
  const stop = (): void => {
    for (const decoder of decoders) decoder.destroy();
    discard(body);
  };
  try {
    return await collect(undefined, tail[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>, limit, stop, codings);
  } catch (err) {
    // The connection's failure (a timeout, a reset) is the caller's to classify; anything else is the decoder's.
    if (bodyError !== undefined) throw bodyError;
    stop();
    const detail = err instanceof Error ? err.message : String(err);
    return {
      ok: false,
      reason: 'invalid_encoding',
      message: `cannot decode the ${codings.join(', ')} body: ${detail}`,
    };
  }
}

async function collect(
  first: Uint8Array | undefined,
  rest: AsyncIterator<Uint8Array>,
  limit: number,
  stop: () => void,
  codings: readonly string[] | undefined,
): Promise<BodyRead> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (let chunk = first; ; ) {
    if (chunk !== undefined) {
      total += chunk.byteLength;
      if (total > limit) {
        stop();
        return bodyTooLarge(limit, codings);
      }
      chunks.push(chunk);
    }
    const step = await rest.next();
    if (step.done === true) break;
    chunk = step.value;
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { ok: true, body: bytes };
}

/** The failure of a body whose (decoded, when `codings` are given) bytes passed the limit. */
export function bodyTooLarge(limit: number, codings?: readonly string[]): BodyRead {
  return {
    ok: false,
    reason: 'body_too_large',
    message:
      codings === undefined
        ? `body exceeds the limit of ${limit} bytes`
        : `body decoded from ${codings.join(', ')} exceeds the limit of ${limit} bytes (decompression stopped there)`,
  };
}

/** Closes a body we will not read; the abort error it emits has nobody to tell. */
export function discard(body: ResponseBody): void {
  body.on('error', () => undefined);
  body.destroy();
}
