// The HTTP/1.1 response parser on its own: framing read back whatever way the bytes are split across reads.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ResponseParser, type ResponseHead, scanHead, splitHead } from '../../src/fetch/http1-response-parser.js';

interface Parsed {
  head?: ResponseHead;
  body: Buffer[];
  ended?: boolean;
  extra?: boolean;
  error?: string;
}

function parse(pieces: readonly Buffer[], endOfInput = false): Parsed {
  const parsed: Parsed = { body: [] };
  const parser = new ResponseParser({
    head: (head) => {
      parsed.head = head;
    },
    data: (chunk) => parsed.body.push(Buffer.from(chunk)),
    end: (extra) => {
      parsed.ended = true;
      parsed.extra = extra;
    },
    error: (error) => {
      parsed.error = error.message;
    },
  });
  for (const piece of pieces) parser.execute(piece);
  if (endOfInput) parser.endOfInput();
  return parsed;
}

/** The bytes cut at the given (sorted, deduplicated) offsets. */
function split(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let from = 0;
  for (const point of points) {
    pieces.push(bytes.subarray(from, point));
    from = point;
  }
  pieces.push(bytes.subarray(from));
  return pieces;
}

function chunked(body: Buffer, sizes: readonly number[]): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  for (const size of sizes) {
    if (offset >= body.length) break;
    const piece = body.subarray(offset, offset + Math.max(1, size));
    parts.push(Buffer.from(`${piece.length.toString(16)};ext=1\r\n`), piece, Buffer.from('\r\n'));
    offset += piece.length;
  }
  if (offset < body.length) {
    const rest = body.subarray(offset);
    parts.push(Buffer.from(`${rest.length.toString(16)}\r\n`), rest, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from('0\r\nx-trailer: yes\r\n\r\n'));
  return Buffer.concat(parts);
}

test('a chunked body with extensions and trailers reads back the same bytes however the reads are split', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 300 }),
      fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 10 }),
      fc.array(fc.nat(), { maxLength: 12 }),
      (bytes, sizes, cuts) => {
        const body = Buffer.from(bytes);
        const message = Buffer.concat([
          Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\ncontent-type: application/json\r\n\r\n'),
          chunked(body, sizes),
        ]);
        const parsed = parse(split(message, cuts));
        assert.equal(parsed.error, undefined);
        assert.equal(parsed.ended, true);
        assert.equal(parsed.extra, false);
        assert.equal(parsed.head?.keepAlive, true);
        assert.equal(parsed.head?.contentType, 'application/json');
        assert.deepEqual(Buffer.concat(parsed.body), body);
      },
    ),
  );
});

test('a Content-Length body reads back the same bytes however the reads are split; bytes after it are reported', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.array(fc.nat(), { maxLength: 12 }), (bytes, cuts) => {
      const body = Buffer.from(bytes);
      const message = Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`), body]);
      const parsed = parse(split(message, cuts));
      assert.equal(parsed.ended, true);
      assert.equal(parsed.extra, false);
      assert.deepEqual(Buffer.concat(parsed.body), body);
      assert.equal(parse([Buffer.concat([message, Buffer.from('X')])]).extra, true);
    }),
  );
});

test('the head decides keep-alive, the Keep-Alive hint, and what cannot be read', () => {
  const head = (text: string): ResponseHead | undefined => parse([Buffer.from(`${text}\r\n\r\n`)]).head;
  assert.equal(head('HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close')?.keepAlive, false);
  assert.equal(head('HTTP/1.0 200 OK\r\nContent-Length: 0')?.keepAlive, false);
  assert.equal(head('HTTP/1.1 200 OK')?.keepAlive, false, 'close-delimited');
  assert.equal(head('HTTP/1.1 204 No Content')?.keepAlive, true);
  assert.equal(head('HTTP/1.1 200 OK\r\nContent-Length: 0\r\nKeep-Alive: timeout=5, max=100')?.keepAliveHintSeconds, 5);
  assert.equal(head('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked')?.unsupportedTransferCoding, 'gzip, chunked');
  assert.equal(
    head('HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Encoding: br\r\nContent-Length: 0')?.contentEncoding,
    'gzip, br',
  );
  const conflicting = parse([Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n')]);
  assert.match(conflicting.error ?? '', /conflicting Content-Length/);
  const folded = parse([Buffer.from('HTTP/1.1 200 OK\r\nx-a: 1\r\n folded\r\n\r\n')]);
  assert.match(folded.error ?? '', /invalid header line/);
  const badChunk = parse([Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n')]);
  assert.match(badChunk.error ?? '', /invalid chunk-size line "zz"/);
  const closeDelimited = parse([Buffer.from('HTTP/1.1 200 OK\r\n\r\nall of it')], true);
  assert.equal(closeDelimited.ended, true);
  assert.equal(Buffer.concat(closeDelimited.body).toString(), 'all of it');
});

/** The head's text as readHead passes it: the bytes before the blank line, which follows them. */
function headBytes(text: string): Buffer {
  return Buffer.from(`${text}\r\n\r\n`, 'latin1');
}

test('the byte scan of a head gives what splitting it into lines gives, or declines and leaves it to the split', () => {
  const nodeHead =
    'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nDate: Mon, 07 Dec 2026 00:00:00 GMT\r\n' +
    'Connection: keep-alive\r\nKeep-Alive: timeout=5\r\nContent-Length: 5123';
  const srsHead =
    'HTTP/1.1 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 412\r\nContent-Type: application/json\r\n' +
    'Server: SRS/6.0.134(Hang)';
  const chunkedHead = 'HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\nContent-Encoding: gzip\r\nLocation: /x';
  for (const text of [nodeHead, srsHead, chunkedHead, 'HTTP/1.0 204', 'HTTP/1.1 200 \r\nconnection:  close \t']) {
    const scanned = scanHead(headBytes(text), text.length);
    assert.notEqual(scanned, undefined, text);
    assert.deepEqual(scanned, splitHead(text), text);
  }
  assert.deepEqual(
    { ...(scanHead(headBytes(nodeHead), nodeHead.length) as object) },
    {
      http11: true,
      status: 200,
      statusText: 'OK',
      contentType: 'application/json',
      contentEncoding: undefined,
      contentLength: 5123,
      transferEncoding: undefined,
      connection: ',keep-alive',
      keepAliveHintSeconds: 5,
      hasLocation: false,
    },
  );

  // Lines built from the pieces that matter: the headers read, in any case, values with the bytes trim() drops,
  // lone CR and LF, colons, digits; and lines that are not headers.
  const name = fc.oneof(
    {
      weight: 8,
      arbitrary: fc.constantFrom(
        ...['Content-Length', 'content-length', 'CONTENT-LENGTH', 'Transfer-Encoding', 'Connection', 'Keep-Alive'],
        ...['Content-Type', 'Location', 'content-encoding', 'X-Other', 'Server'],
      ),
    },
    { weight: 1, arbitrary: fc.constantFrom('', 'Content Length', 'Conten\u00e9-Type', ' Connection', 'Date\t') },
  );
  const piece = fc.oneof(
    {
      weight: 8,
      arbitrary: fc.constantFrom(
        ...['0', '12', '5123', '999999999999999', '1234567890123456', '-1', '0x1', 'chunked', 'gzip', 'close'],
        ...['keep-alive', 'Keep-Alive', 'timeout=5', 'max=100', ', ', ' ', '\t', '\u00a0', '\u000b', ':'],
        ...['application/json', '\u00c0\u00ff', '\u0000', 'OK'],
      ),
    },
    { weight: 1, arbitrary: fc.constantFrom('\r', '\n') },
  );
  const value = fc.array(piece, { maxLength: 5 }).map((pieces) => pieces.join(''));
  const separator = fc.oneof({ weight: 8, arbitrary: fc.constantFrom(':', ': ') }, fc.constantFrom(' :', ''));
  const header = fc.tuple(name, separator, value).map(([n, colon, v]) => `${n}${colon}${v}`);
  const statusLine = fc.oneof(
    {
      weight: 4,
      arbitrary: fc.constantFrom(
        'HTTP/1.1 200 OK',
        'HTTP/1.0 200 OK',
        'HTTP/1.1 204',
        'HTTP/1.1 301 Moved',
        'HTTP/1.1 200',
      ),
    },
    fc.constantFrom('HTTP/1.1 100 Continue', 'HTTP/1.1 200 ', 'HTTP/2.0 200 OK', 'HTTP/1.1 099 x', 'HTTP/1.1 20 OK'),
    fc.constantFrom('http/1.1 200', 'HTTP/1.1 200 O\rK', 'HTTP/1.1 200\tOK', 'HTTP/1.1 2000', 'HTTP/1.1 200 \u00e9'),
  );
  let scanned = 0;
  let runs = 0;
  fc.assert(
    fc.property(statusLine, fc.array(header, { maxLength: 6 }), (status, headers) => {
      let text = [status, ...headers].join('\r\n');
      // readHead passes the bytes before the first blank line.
      const blank = text.indexOf('\r\n\r\n');
      if (blank >= 0) text = text.slice(0, blank);
      runs++;
      const fields = scanHead(headBytes(text), text.length);
      if (fields === undefined) return;
      scanned++;
      assert.deepEqual(fields, splitHead(text));
    }),
    { numRuns: 2000 },
  );
  // The property is not empty: about a fifth of the generated heads are scanned (~400 of 2,000), not left to the
  // split; the bound sits far below that, so no seed fails it.
  assert.ok(scanned > runs / 20, `${scanned} of ${runs} heads scanned`);
});
