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
    const head = this.parseHead(data, end);
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

  /** The head's fields (the byte scan, or the string split when the scan declines), or undefined after a failure. */
  private parseHead(data: Buffer, end: number): ResponseHead | undefined {
    const fields = scanHead(data, end) ?? splitHead(data.toString('latin1', 0, end));
    if (typeof fields === 'string') return void this.fail(fields);
    let { contentLength } = fields;
    const { transferEncoding, connection } = fields;
    let unsupportedTransferCoding: string | undefined;
    // Most heads say keep-alive or nothing: those need no search for `close`.
    let keepAlive = fields.http11 && (connection === '' || connection === ',keep-alive' || !CLOSE.test(connection));
    this.chunked = false;
    if (transferEncoding !== undefined) {
      // Transfer-Encoding overrides Content-Length (RFC 9112 §6.3); a message with both is not reused.
      if (contentLength >= 0) keepAlive = false;
      contentLength = -1;
      if (transferEncoding.toLowerCase() === 'chunked') this.chunked = true;
      else unsupportedTransferCoding = transferEncoding;
    }
    const code = fields.status;
    const bodyless = code < 200 || code === 204 || code === 304;
    if (contentLength < 0 && !this.chunked && !bodyless) keepAlive = false; // close-delimited
    return {
      status: code,
      statusText: fields.statusText,
      contentType: fields.contentType,
      contentEncoding: fields.contentEncoding,
      contentLength,
      keepAlive,
      keepAliveHintSeconds: fields.keepAliveHintSeconds,
      hasLocation: fields.hasLocation,
      unsupportedTransferCoding,
    };
  }
}

/** What a head says, before the framing is decided (ResponseParser.parseHead); both readers below give this. */
export interface HeadFields {
  /** HTTP/1.1 (not 1.0). */
  readonly http11: boolean;
  readonly status: number;
  readonly statusText: string;
  readonly contentType: string | undefined;
  readonly contentEncoding: string | undefined;
  /** -1 when absent. */
  readonly contentLength: number;
  readonly transferEncoding: string | undefined;
  /** Every Connection header's value lowercased, each after a comma. */
  readonly connection: string;
  readonly keepAliveHintSeconds: number | undefined;
  readonly hasLocation: boolean;
}

const CLOSE = /,\s*close\s*(?:,|$)/;
const KEEP_ALIVE_TIMEOUT = /(?:^|[\s,])timeout=(\d+)/i;

/**
 * The head's text (status line and headers, without the blank line) split into lines: the fields, or the error
 * message for a head that is not HTTP/1.1 as we read it. The reference for scanHead.
 */
export function splitHead(text: string): HeadFields | string {
  const lines = text.split('\r\n');
  const status = STATUS_LINE.exec(lines[0] as string);
  if (status === null) return `invalid status line "${(lines[0] as string).slice(0, 60)}"`;
  const fields = new HeadFieldsBuilder();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon) : '';
    // No name, whitespace before the colon, or an obsolete folded line (RFC 9112 §5.2): refused.
    if (!TOKEN.test(name)) return `invalid header line "${line.slice(0, 60)}"`;
    const value = line.slice(colon + 1).trim();
    const kind = HEADER_KINDS.get(name.toLowerCase()) ?? OTHER;
    if (kind === CONTENT_LENGTH) {
      if (!DIGITS.test(value)) return `invalid Content-Length "${value.slice(0, 20)}"`;
      if (!fields.length(Number(value))) return 'conflicting Content-Length';
    } else if (kind !== OTHER) fields.header(kind, value);
  }
  return fields.finish(status[1] === '1', Number(status[2]), status[3] ?? '');
}

/**
 * The fields both readers gather header by header, by the same rules: repeated Transfer-Encoding and
 * Content-Encoding joined with ", ", every Connection kept lower-cased, the first Content-Type, the last hint.
 */
class HeadFieldsBuilder {
  private contentType: string | undefined = undefined;
  private contentEncoding: string | undefined = undefined;
  private contentLength = -1;
  private transferEncoding: string | undefined = undefined;
  private connection = '';
  private keepAliveHintSeconds: number | undefined = undefined;
  private hasLocation = false;

  /** A Content-Length; false when it conflicts with one before it. */
  length(length: number): boolean {
    if (this.contentLength >= 0 && this.contentLength !== length) return false;
    this.contentLength = length;
    return true;
  }

  /** Any other header the client reads (HEADER_KINDS), by its trimmed value. */
  header(kind: number, value: string): void {
    switch (kind) {
      case TRANSFER_ENCODING:
        this.transferEncoding = this.transferEncoding === undefined ? value : `${this.transferEncoding}, ${value}`;
        break;
      case CONNECTION:
        this.connection = `${this.connection},${value.toLowerCase()}`;
        break;
      case KEEP_ALIVE: {
        const hint = KEEP_ALIVE_TIMEOUT.exec(value);
        if (hint !== null) this.keepAliveHintSeconds = Number(hint[1]);
        break;
      }
      case CONTENT_TYPE:
        this.contentType ??= value;
        break;
      case LOCATION:
        this.hasLocation = true;
        break;
      case CONTENT_ENCODING:
        this.contentEncoding = this.contentEncoding === undefined ? value : `${this.contentEncoding}, ${value}`;
        break;
    }
  }

  finish(http11: boolean, status: number, statusText: string): HeadFields {
    return {
      http11,
      status,
      statusText,
      contentType: this.contentType,
      contentEncoding: this.contentEncoding,
      contentLength: this.contentLength,
      transferEncoding: this.transferEncoding,
      connection: this.connection,
      keepAliveHintSeconds: this.keepAliveHintSeconds,
      hasLocation: this.hasLocation,
    };
  }
}

/** Bytes of an RFC 9110 token (a header name). */
const TCHAR = new Uint8Array(256);
for (const char of "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
  TCHAR[char.charCodeAt(0)] = 1;
/** Bytes String.prototype.trim drops from latin1 text (tab, line breaks, space, no-break space). */
const TRIMMED = new Uint8Array(256);
for (const byte of [0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0xa0]) TRIMMED[byte] = 1;
const CR = 0x0d;
const LF = 0x0a;

/**
 * splitHead's result read from the bytes of `data` before `end`, or undefined where it declines (any error, a lone CR
 * or LF, a Content-Length that is not plain digits): the caller then asks splitHead, which words the error. Measured
 * (perf, bench:fleet 10,000 × 10, bench/README.md, twenty-fourth stop): splitting the head into strings and testing
 * each line with regular expressions was ~0.4 points of 2 cores, the largest part of the lean client's own code.
 * The tests hold it to splitHead's result on generated heads.
 */
export function scanHead(data: Buffer, end: number): HeadFields | undefined {
  // "HTTP/1.x NNN": the status line's fixed part.
  if (
    end < 12 ||
    data[0] !== 0x48 ||
    data[1] !== 0x54 ||
    data[2] !== 0x54 ||
    data[3] !== 0x50 ||
    data[4] !== 0x2f ||
    data[5] !== 0x31 ||
    data[6] !== 0x2e ||
    (data[7] !== 0x30 && data[7] !== 0x31) ||
    data[8] !== 0x20
  )
    return undefined;
  const d0 = (data[9] as number) - 0x30;
  const d1 = (data[10] as number) - 0x30;
  const d2 = (data[11] as number) - 0x30;
  if (d0 < 1 || d0 > 9 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9) return undefined;
  let at = 12;
  let statusText = '';
  if (at < end && data[at] === 0x20) {
    const from = at + 1;
    for (at = from; at < end && data[at] !== CR && data[at] !== LF; at++);
    statusText = latin1(data, from, at);
  }
  if (at < end && (data[at] !== CR || data[at + 1] !== LF)) return undefined;
  const fields = new HeadFieldsBuilder();
  while (at < end) {
    const nameStart = at + 2; // past the CRLF that ends the previous line
    let colon = nameStart;
    while (colon < end && TCHAR[data[colon] as number] === 1) colon++;
    if (colon === nameStart || colon >= end || data[colon] !== 0x3a) return undefined;
    let lineEnd = colon + 1;
    while (lineEnd < end && data[lineEnd] !== CR && data[lineEnd] !== LF) lineEnd++;
    if (lineEnd < end && (data[lineEnd] !== CR || data[lineEnd + 1] !== LF)) return undefined;
    let from = colon + 1;
    let to = lineEnd;
    while (from < to && TRIMMED[data[from] as number] === 1) from++;
    while (to > from && TRIMMED[data[to - 1] as number] === 1) to--;
    const kind = nameIs(data, nameStart, colon);
    if (kind === CONTENT_LENGTH) {
      if (to === from || to - from > 15) return undefined;
      let length = 0;
      for (let i = from; i < to; i++) {
        const digit = (data[i] as number) - 0x30;
        if (digit < 0 || digit > 9) return undefined;
        length = length * 10 + digit;
      }
      if (!fields.length(length)) return undefined;
    } else if (kind !== OTHER) fields.header(kind, latin1(data, from, to));
    at = lineEnd;
  }
  return fields.finish(data[7] === 0x31, d0 * 100 + d1 * 10 + d2, statusText);
}

function latin1(data: Buffer, from: number, to: number): string {
  return from === to ? '' : data.toString('latin1', from, to);
}

const OTHER = 0;
const CONTENT_LENGTH = 1;
const TRANSFER_ENCODING = 2;
const CONNECTION = 3;
const KEEP_ALIVE = 4;
const CONTENT_TYPE = 5;
const LOCATION = 6;
const CONTENT_ENCODING = 7;
/** The headers the client reads, by kind (HeadFieldsBuilder), lower case. */
const HEADER_KINDS = new Map<string, number>([
  ['content-length', CONTENT_LENGTH],
  ['transfer-encoding', TRANSFER_ENCODING],
  ['connection', CONNECTION],
  ['keep-alive', KEEP_ALIVE],
  ['content-type', CONTENT_TYPE],
  ['location', LOCATION],
  ['content-encoding', CONTENT_ENCODING],
]);
/** The same names as bytes, for the byte scan. */
const NAMES: readonly (readonly [number, Uint8Array])[] = [...HEADER_KINDS].map(
  ([name, id]) => [id, Buffer.from(name, 'latin1')] as const,
);

/** Which header the name between `from` and `to` is, by its bytes folded to lower case (a token is ASCII). */
function nameIs(data: Buffer, from: number, to: number): number {
  const length = to - from;
  next: for (const [id, name] of NAMES) {
    if (name.length !== length) continue;
    for (let i = 0; i < length; i++) {
      const byte = data[from + i] as number;
      if ((byte >= 0x41 && byte <= 0x5a ? byte | 0x20 : byte) !== name[i]) continue next;
    }
    return id;
  }
  return OTHER;
}
