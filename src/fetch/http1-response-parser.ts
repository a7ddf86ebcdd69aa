// An incremental, strict HTTP/1.1 response parser for the lean fleet client (lean-http1.ts): status line, headers,
// and the body framed by Content-Length, chunked Transfer-Encoding (extensions and trailers read and dropped) or the
// connection's close. No I/O: the client feeds it socket bytes and reacts to its events.

/** Status line and header section together, and a chunk-size line or the trailer section, may not pass this. */
export const MAX_HEAD_BYTES = 64 * 1024;

/** What the client needs of a response head; other headers are not kept. */
export interface ResponseHead {
  readonly status: number;
  readonly statusText: string;
  readonly contentType: string | undefined;
  /** Every Content-Encoding header, joined with ", " (read-body.ts splits them). */
  readonly contentEncoding: string | undefined;
  /** -1 when the body is chunked, close-delimited or absent. */
  readonly contentLength: number;
  /** The connection may carry another request after this response. */
  readonly keepAlive: boolean;
  /** The server's `Keep-Alive: timeout=` in seconds, when it gave one. */
  readonly keepAliveHintSeconds: number | undefined;
  /** The response has a Location header (a 3xx without one is not a redirect). */
  readonly hasLocation: boolean;
  /** Set when the response uses a transfer-coding other than chunked alone: its body cannot be read here. */
  readonly unsupportedTransferCoding: string | undefined;
}

export interface ResponseParserEvents {
  /** The final (non-1xx) head. The body's bytes follow as `data`, then `end` (at once for a body-less status). */
  head(head: ResponseHead): void;
  data(chunk: Buffer): void;
  /** The message is complete; `extra` is true when bytes followed it (the connection cannot be reused). */
  end(extra: boolean): void;
  error(error: ResponseParseError): void;
}

/** A response that is not HTTP/1.1 as we read it: reported as a `network` failure naming what was wrong. */
export class ResponseParseError extends Error {}

const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');
const STATUS_LINE = /^HTTP\/1\.([01]) ([1-9]\d\d)(?: ([^\r\n]*))?$/;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const DIGITS = /^\d{1,15}$/;
const CHUNK_SIZE = /^([0-9A-Fa-f]{1,12})[ \t]*(?:;.*)?$/;

type State = 'head' | 'length' | 'chunk-size' | 'chunk-data' | 'chunk-crlf' | 'trailers' | 'close' | 'done';

export class ResponseParser {
  private state: State = 'head';
  /** Bytes of a head, chunk-size line or trailer section not yet complete. */
  private pending: Buffer | undefined;
  private remaining = 0;
  private failed = false;
  private chunked = false;
  private trailerBytes = 0;

  constructor(private readonly events: ResponseParserEvents) {}

  /**
   * Feeds the socket's bytes in order. `input` may be a view of a buffer the next read overwrites: what the parser
   * keeps past this call (a partial head or line) it copies, and each `data` chunk is valid only during its event.
   */
  execute(input: Buffer): void {
    let chunk = input;
    while (!this.failed) {
      if (this.state === 'done') {
        if (chunk.length > 0) this.events.end(true);
        return;
      }
      if (chunk.length === 0 && this.state !== 'head') return;
      switch (this.state) {
        case 'head': {
          const rest = this.readHead(chunk);
          if (rest === undefined) return;
          chunk = rest;
          break;
        }
        case 'length': {
          const take = Math.min(this.remaining, chunk.length);
          this.events.data(chunk.subarray(0, take));
          this.remaining -= take;
          chunk = chunk.subarray(take);
          if (this.remaining === 0) this.finish(chunk.length > 0);
          if (this.isDone()) return;
          break;
        }
        case 'close':
          this.events.data(chunk);
          return;
        case 'chunk-data': {
          const take = Math.min(this.remaining, chunk.length);
          this.events.data(chunk.subarray(0, take));
          this.remaining -= take;
          chunk = chunk.subarray(take);
          if (this.remaining === 0) {
            this.state = 'chunk-crlf';
            this.remaining = 2;
          }
          break;
        }
        case 'chunk-crlf': {
          // The CRLF after a chunk's data, possibly split across reads.
          const expected = CRLF[2 - this.remaining] as number;
          if (chunk[0] !== expected) {
            this.fail('chunk data not followed by CRLF');
            return;
          }
          chunk = chunk.subarray(1);
          if (--this.remaining === 0) this.state = 'chunk-size';
          break;
        }
        case 'chunk-size': {
          const line = this.readLine(chunk, 'chunk-size line');
          if (line === undefined) return;
          chunk = line.rest;
          const match = CHUNK_SIZE.exec(line.text);
          if (match === null) {
            this.fail(`invalid chunk-size line "${line.text.slice(0, 40)}"`);
            return;
          }
          this.remaining = Number.parseInt(match[1] as string, 16);
          this.state = this.remaining === 0 ? 'trailers' : 'chunk-data';
          break;
        }
        case 'trailers': {
          const line = this.readLine(chunk, 'trailer section');
          if (line === undefined) return;
          chunk = line.rest;
          if (line.text === '') this.finish(chunk.length > 0);
          else if (line.text.indexOf(':') <= 0) {
            this.fail('invalid trailer field');
            return;
          } else this.trailerBytes += line.text.length + 2;
          if (this.trailerBytes > MAX_HEAD_BYTES) {
            this.fail(`trailer section over ${MAX_HEAD_BYTES} bytes`);
            return;
          }
          if (this.isDone()) return;
          break;
        }
      }
    }
  }

  /** A method, not a comparison in place: TypeScript keeps `state` narrowed to the case being handled. */
  private isDone(): boolean {
    return this.state === 'done';
  }

  /** The socket ended: a close-delimited body is complete; anything else was cut off. */
  endOfInput(): void {
    if (this.failed || this.state === 'done') return;
    if (this.state === 'close') this.finish(false);
    else this.fail(this.state === 'head' ? 'other side closed before the response' : 'other side closed', true);
  }

  private finish(extra: boolean): void {
    this.state = 'done';
    this.events.end(extra);
  }

  /** A malformed response; `closed` for one the server cut off (its text is then the whole message). */
  private fail(message: string, closed = false): void {
    this.failed = true;
    this.events.error(new ResponseParseError(closed ? message : `invalid HTTP/1.1 response: ${message}`));
  }

  /** One CRLF-terminated line, joined across reads; undefined when it is not complete yet (or failed). */
  private readLine(chunk: Buffer, what: string): { text: string; rest: Buffer } | undefined {
    const data = this.pending === undefined ? chunk : Buffer.concat([this.pending, chunk]);
    const end = data.indexOf(CRLF);
    if (end < 0) {
      if (data.length > MAX_HEAD_BYTES) this.fail(`${what} over ${MAX_HEAD_BYTES} bytes`);
      else this.pending = data === chunk ? Buffer.from(chunk) : data;
      return undefined;
    }
    this.pending = undefined;
    return { text: data.toString('latin1', 0, end), rest: data.subarray(end + 2) };
  }

  /** Reads heads until a final one; returns the bytes after it, or undefined when more are needed. */
  private readHead(chunk: Buffer): Buffer | undefined {
    const data = this.pending === undefined ? chunk : Buffer.concat([this.pending, chunk]);
    // Searching from where the previous read stopped would save little: heads are one read in practice.
    const end = data.indexOf(HEAD_END);
    if (end < 0 || end + 4 > MAX_HEAD_BYTES) {
      if (data.length > MAX_HEAD_BYTES) this.fail(`response head over ${MAX_HEAD_BYTES} bytes`);
      else this.pending = data === chunk ? Buffer.from(chunk) : data;
      return undefined;
    }
    this.pending = undefined;
    const head = this.parseHead(data.toString('latin1', 0, end));
    if (head === undefined) return undefined;
    const rest = data.subarray(end + 4);
    if (head.status < 200) return rest; // 1xx: an interim response, the final one follows
    this.events.head(head);
    if (this.failed) return undefined;
    if (head.status === 204 || head.status === 304) this.finish(rest.length > 0);
    else if (head.unsupportedTransferCoding !== undefined) this.state = 'done';
    else if (head.contentLength === 0) this.finish(rest.length > 0);
    else if (head.contentLength > 0) {
      this.state = 'length';
      this.remaining = head.contentLength;
    } else this.state = this.chunked ? 'chunk-size' : 'close';
    return this.state === 'done' ? undefined : rest;
  }

  private parseHead(text: string): ResponseHead | undefined {
    const lines = text.split('\r\n');
    const status = STATUS_LINE.exec(lines[0] as string);
    if (status === null) return void this.fail(`invalid status line "${(lines[0] as string).slice(0, 60)}"`);
    let contentType: string | undefined;
    let contentEncoding: string | undefined;
    let contentLength = -1;
    let transferEncoding: string | undefined;
    let connection = '';
    let keepAliveHintSeconds: number | undefined;
    let hasLocation = false;
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i] as string;
      const colon = line.indexOf(':');
      const name = colon > 0 ? line.slice(0, colon) : '';
      // No name, whitespace before the colon, or an obsolete folded line (RFC 9112 §5.2): refused.
      if (!TOKEN.test(name)) return void this.fail(`invalid header line "${line.slice(0, 60)}"`);
      const value = line.slice(colon + 1).trim();
      switch (name.toLowerCase()) {
        case 'content-length': {
          if (!DIGITS.test(value)) return void this.fail(`invalid Content-Length "${value.slice(0, 20)}"`);
          const length = Number(value);
          if (contentLength >= 0 && contentLength !== length) return void this.fail('conflicting Content-Length');
          contentLength = length;
          break;
        }
        case 'transfer-encoding':
          transferEncoding = transferEncoding === undefined ? value : `${transferEncoding}, ${value}`;
          break;
        case 'connection':
          connection = `${connection},${value.toLowerCase()}`;
          break;
        case 'keep-alive': {
          const hint = /(?:^|[\s,])timeout=(\d+)/i.exec(value);
          if (hint !== null) keepAliveHintSeconds = Number(hint[1]);
          break;
        }
        case 'content-type':
          contentType ??= value;
          break;
        case 'location':
          hasLocation = true;
          break;
        case 'content-encoding':
          contentEncoding = contentEncoding === undefined ? value : `${contentEncoding}, ${value}`;
          break;
      }
    }
    let unsupportedTransferCoding: string | undefined;
    let keepAlive = status[1] === '1' && !/,\s*close\s*(?:,|$)/.test(connection);
    this.chunked = false;
    if (transferEncoding !== undefined) {
      // Transfer-Encoding overrides Content-Length (RFC 9112 §6.3); a message with both is not reused.
      if (contentLength >= 0) keepAlive = false;
      contentLength = -1;
      if (transferEncoding.toLowerCase() === 'chunked') this.chunked = true;
      else unsupportedTransferCoding = transferEncoding;
    }
    const code = Number(status[2]);
    const bodyless = code < 200 || code === 204 || code === 304;
    if (contentLength < 0 && !this.chunked && !bodyless) keepAlive = false; // close-delimited
    return {
      status: code,
      statusText: status[3] ?? '',
      contentType,
      contentEncoding,
      contentLength,
      keepAlive,
      keepAliveHintSeconds,
      hasLocation,
      unsupportedTransferCoding,
    };
  }
}
