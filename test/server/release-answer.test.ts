// releaseWhenWritten: a large /probe answer's buffer is given up once written, whole and unchanged on the wire.
import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { RELEASE_ANSWER_MIN_BYTES, releaseWhenWritten } from '../../src/server/release-answer.js';
import { sendBytes } from '../../src/server/respond.js';
import { waitFor } from '../helpers/wait-for.js';

describe('releaseWhenWritten', () => {
  /** The buffer each request answered with, and its size once the response finished. */
  const finished: Array<{ sent: number; afterFinish: number }> = [];
  const server = createServer((req, response) => {
    const size = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('size'));
    const bytes = new Uint8Array(size);
    for (let i = 0; i < size; i++) bytes[i] = 97 + (i % 26);
    releaseWhenWritten(response, bytes);
    // Registered after releaseWhenWritten's own listener, so it sees the buffer as that left it.
    response.once('finish', () => finished.push({ sent: size, afterFinish: bytes.buffer.byteLength }));
    void sendBytes(req, response, 'text/plain', [bytes.subarray(0, 10), bytes.subarray(10)]);
  });
  before(() => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)));
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const get = (size: number): Promise<Buffer> =>
    new Promise((resolve, reject) => {
      const { port } = server.address() as AddressInfo;
      request(`http://127.0.0.1:${port}/?size=${size}`, { agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve(Buffer.concat(chunks)));
      })
        .on('error', reject)
        .end();
    });

  test('a large answer arrives whole and unchanged, and its buffer is detached once the response finished', async () => {
    const size = RELEASE_ANSWER_MIN_BYTES + 123;
    const body = await get(size);
    assert.equal(body.byteLength, size);
    assert.equal(body.subarray(0, 30).toString(), 'abcdefghijklmnopqrstuvwxyzabcd');
    assert.equal(body[size - 1], 97 + ((size - 1) % 26));
    const seen = await waitFor(
      'the response to finish',
      async () => finished.find((one) => one.sent === size),
      10_000,
      5,
    );
    assert.deepEqual(seen, { sent: size, afterFinish: 0 });
  });

  test('a small answer keeps its buffer', async () => {
    const size = 4096;
    assert.equal((await get(size)).byteLength, size);
    const seen = await waitFor(
      'the response to finish',
      async () => finished.find((one) => one.sent === size),
      10_000,
      5,
    );
    assert.deepEqual(seen, { sent: size, afterFinish: size });
  });
});
