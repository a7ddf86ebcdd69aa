// Writes HTTP responses: plain-text errors, and bodies gzipped when the client accepts it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { atEndOfTurn } from '../fetch/end-of-turn.js';
import { gzipAnswer } from '../exposition/gzip-codec.js';

/** True when Accept-Encoding lists gzip with a non-zero quality. */
export function acceptsGzip(request: IncomingMessage): boolean {
  const header = request.headers['accept-encoding'];
  if (header === undefined) return false;
  for (const part of header.split(',')) {
    const [coding = '', ...params] = part.split(';').map((s) => s.trim());
    if (coding.toLowerCase() !== 'gzip' && coding !== '*') continue;
    const q = params.find((p) => p.startsWith('q='));
    return q === undefined || Number.parseFloat(q.slice(2)) > 0;
  }
  return false;
}

export function sendText(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'x-content-type-options': 'nosniff',
  });
  response.end(text);
}

/**
 * Writes a 200 answer at the end of this turn of the event loop, with the other answers finished in it: one write
 * among many costs a third of a lone one (fetch/end-of-turn.ts). Settles once written: after `await`, the headers are
 * sent, or the promise rejected with what the write threw.
 */
function writeAtEndOfTurn(write: () => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    atEndOfTurn(() => {
      try {
        write();
        resolve();
      } catch (err) {
        reject(err);
      }
    });
  });
}

/** Below ~1 KiB gzip's framing costs more than it saves: such bodies go plain whatever the client accepts. */
const GZIP_MIN_BYTES = 1024;

/** A gzipped body with its headers (HEAD: the headers only). */
function sendGzipped(
  request: IncomingMessage,
  response: ServerResponse,
  headers: Record<string, string | number>,
  payload: Buffer,
): Promise<void> {
  headers['content-encoding'] = 'gzip';
  headers['content-length'] = payload.byteLength;
  return writeAtEndOfTurn(() => {
    response.writeHead(200, headers);
    response.end(request.method === 'HEAD' ? undefined : payload);
  });
}

/** Sends a body with its content type, compressed (gzip) when the client asked for it and it is worth it. */
export async function sendBody(
  request: IncomingMessage,
  response: ServerResponse,
  contentType: string,
  body: string,
): Promise<void> {
  const headers: Record<string, string | number> = { 'content-type': contentType, vary: 'Accept-Encoding' };
  const bytes = Buffer.byteLength(body, 'utf8');
  if (bytes >= GZIP_MIN_BYTES && acceptsGzip(request)) {
    await sendGzipped(request, response, headers, await gzipAnswer(Buffer.from(body, 'utf8')));
    return;
  }
  // The string goes to the socket as it is (encoded once, by the socket write): a Buffer.from copy of every
  // probe's text first was ~4 % of the main thread at 50 concurrent probes (issue 16).
  headers['content-length'] = bytes;
  await writeAtEndOfTurn(() => {
    response.writeHead(200, headers);
    response.end(request.method === 'HEAD' ? undefined : body, 'utf8');
  });
}

/**
 * Sends a body already encoded as UTF-8, given as pieces (an exposition's headers and its families' lines): written
 * as they are, corked into one write, so a large answer is never copied or re-encoded on the main thread; gzipped
 * (joined first) when the client asks for it.
 */
export async function sendBytes(
  request: IncomingMessage,
  response: ServerResponse,
  contentType: string,
  pieces: readonly Uint8Array[],
): Promise<void> {
  const headers: Record<string, string | number> = { 'content-type': contentType, vary: 'Accept-Encoding' };
  let bytes = 0;
  for (const piece of pieces) bytes += piece.byteLength;
  if (bytes >= GZIP_MIN_BYTES && acceptsGzip(request)) {
    await sendGzipped(request, response, headers, await gzipAnswer(Buffer.concat(pieces, bytes)));
    return;
  }
  headers['content-length'] = bytes;
  await writeAtEndOfTurn(() => {
    response.writeHead(200, headers);
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    response.cork();
    for (const piece of pieces) if (piece.byteLength > 0) response.write(piece);
    // end() uncorks: the pieces leave in one writev.
    response.end();
  });
}
