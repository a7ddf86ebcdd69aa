// The HTTP/1.1 response parser on its own: framing read back whatever way the bytes are split across reads.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ResponseParser, type ResponseHead } from '../../src/fetch/http1-response-parser.js';

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
