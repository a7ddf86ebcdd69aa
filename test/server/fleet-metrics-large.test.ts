// A fleet /metrics body of several MB over real HTTP: the plain writer's two reused buffers and its direct writes of
// large pieces give exactly the plan's bytes, in order, whatever the socket's pace.
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { scrapeTargetId, type ScrapeTarget } from '../../src/discovery/target.js';
import type { RenderedFamily } from '../../src/exposition/types.js';
import { planFleetExposition } from '../../src/fleet/fleet-exposition.js';
import { TargetStore } from '../../src/fleet/store.js';
import { handleFleetMetrics, writeBuffers } from '../../src/server/fleet-metrics-route.js';
import { createSelfMetrics } from '../../src/telemetry/self-metrics.js';
import { httpGet, startTestServer, type TestServer } from '../helpers/http.js';
import { countLoopTurns } from '../helpers/loop-turns.js';
import { within } from '../helpers/wait-for.js';

function makeTarget(i: number): ScrapeTarget {
  const url = `http://10.1.${i >> 8}.${i & 255}:1985/api/v1/streams/`;
  return {
    id: scrapeTargetId('srs', url),
    job: 'srs',
    url,
    module: 'default',
    labels: { job: 'srs', instance: `10.1.${i >> 8}.${i & 255}:1985` },
    intervalMs: 15_000,
    timeoutMs: 10_000,
    source: 'static',
  };
}

/** Series lines of one family for one target: `lines` lines, each naming the target and its line number. */
function family(name: string, target: ScrapeTarget, lines: number, add = 0): RenderedFamily {
  let text = '';
  for (let line = 0; line < lines; line++) {
    text += `${name}{job="srs",instance="${target.labels.instance}",line="${line}"} ${line + add}\n`;
  }
  return { name, help: `${name} help`, type: 'gauge', text };
}

let server: TestServer;
const store = new TargetStore();
const metrics = createSelfMetrics();

before(async () => {
  for (let i = 0; i < 400; i++) {
    const target = makeTarget(i);
    store.upsertTarget(target);
    // Target 7 has one piece of ~450 KB (written as it is); the rest ~10 KB pieces (gathered into the buffers).
    const families = [family('a', target, i === 7 ? 6_000 : 120), family('b', target, 20)];
    store.record(target, { ok: true, families: { text: families }, sampleCount: 0 }, { startedMs: 0, durationMs: 1 });
  }
  server = await startTestServer((req, res) => {
    void handleFleetMetrics(req, res, { store, metrics });
  });
});

after(async () => {
  await server.close();
});

describe('fleet /metrics, plain, several MB', () => {
  test('the body is the plan, byte for byte, followed by the self metrics', async () => {
    const plan = planFleetExposition(store, 'text', new Set());
    const expected = Buffer.concat(
      plan.families.flatMap((f) => [Buffer.from(f.header), ...f.pieces.map((piece) => Buffer.from(piece))]),
    );
    assert.ok(expected.byteLength > 3 * 1024 * 1024, `body of ${expected.byteLength} bytes crosses many buffers`);
    const response = await httpGet(`${server.url}/metrics`, { headers: { accept: 'text/plain' } });
    assert.equal(response.status, 200);
    assert.ok(response.body.subarray(0, expected.byteLength).equals(expected), 'fleet part differs from the plan');
    assert.match(response.body.subarray(expected.byteLength).toString(), /^# HELP /);
  });

  test('two requests at once each get the whole body (each writer has its own buffers)', async () => {
    const [left, right] = await Promise.all([
      httpGet(`${server.url}/metrics`, { headers: { accept: 'text/plain' } }),
      httpGet(`${server.url}/metrics`, { headers: { accept: 'text/plain' } }),
    ]);
    const fleetPart = (body: Buffer): string => body.toString().split('# HELP process_')[0] as string;
    assert.equal(fleetPart(left.body), fleetPart(right.body));
    assert.match(fleetPart(left.body), /^a\{job="srs",instance="10\.1\.0\.7:1985",line="5999"\} 5999$/m);
  });
});

/** 200 targets of 1,500 lines each, ~24 MB: more than loopback's socket buffers hold. */
function bigStore(): { readonly store: TargetStore; readonly record: (add: number) => void } {
  const big = new TargetStore();
  const targets = Array.from({ length: 200 }, (_, i) => makeTarget(i));
  for (const target of targets) big.upsertTarget(target);
  const record = (add: number): void => {
    for (const target of targets) {
      const families = { text: [family('a', target, 1_500, add)] };
      big.record(target, { ok: true, families, sampleCount: 0 }, { startedMs: 0, durationMs: 1 });
    }
  };
  record(0);
  return { store: big, record };
}

/**
 * A plain /metrics of `big` to a reader that does not read: resolves once the writer waits for it (bounded: the
 * socket's buffers fill within milliseconds), with a `resume` that reads the rest and gives the body.
 */
async function pausedRequest(big: TargetStore): Promise<{ resume: () => Promise<Buffer>; close: () => Promise<void> }> {
  let writing: ServerResponse | undefined;
  const bigServer = await startTestServer((req, res) => {
    writing = res;
    void handleFleetMetrics(req, res, { store: big, metrics });
  });
  const socket = connect(Number(new URL(bigServer.url).port), '127.0.0.1');
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.pause();
  // HTTP/1.0: the body comes unchunked, up to the close.
  socket.write('GET /metrics HTTP/1.0\r\nHost: x\r\nAccept: text/plain\r\n\r\n');
  // Bounded by time, not by a count of sleeps: a busy machine may take seconds to fill the buffers.
  const deadline = Date.now() + 30_000;
  while (writing?.writableNeedDrain !== true && Date.now() < deadline) await sleep(10);
  try {
    assert.equal(writing?.writableNeedDrain, true, 'the writer never had to wait for the reader');
    assert.equal(writing?.writableEnded, false, 'the writer ended before the reader read anything');
  } catch (err) {
    socket.destroy();
    await bigServer.close();
    throw err;
  }
  const resume = async (): Promise<Buffer> => {
    const ended = new Promise((resolve, reject) => {
      socket.on('end', resolve);
      socket.on('error', reject);
      socket.on('close', () => reject(new Error('the socket closed before the body ended')));
    });
    socket.resume();
    await within('the end of the /metrics body', ended, 60_000);
    const raw = Buffer.concat(chunks);
    return raw.subarray(raw.indexOf('\r\n\r\n') + 4);
  };
  return {
    resume,
    close: () => {
      // A paused socket would not see the server's close: destroyed here, it cannot keep the process alive.
      socket.destroy();
      return bigServer.close();
    },
  };
}

function planBytes(big: TargetStore): Buffer {
  const plan = planFleetExposition(big, 'text', new Set());
  return Buffer.concat(
    plan.families.flatMap((f) => [Buffer.from(f.header), ...f.pieces.map((piece) => Buffer.from(piece))]),
  );
}

describe('fleet /metrics, plain, to a slow reader', () => {
  test('a reader that stops reading makes the writer wait, and then gets the whole body byte for byte', async () => {
    const { store: big } = bigStore();
    const expected = planBytes(big);
    const request = await pausedRequest(big);
    try {
      const body = await request.resume();
      assert.ok(body.subarray(0, expected.byteLength).equals(expected), 'the body differs from the plan');
      assert.match(body.subarray(expected.byteLength).toString(), /^# HELP /);
    } finally {
      await request.close();
    }
  });

  test('scrapes that land while it waits leave its bytes alone; once it is done, targets are rewritten in place', async () => {
    const { store: big, record } = bigStore();
    const expected = planBytes(big);
    const request = await pausedRequest(big);
    try {
      assert.equal(big.pinnedReaders, 1, 'the answer being written pins the store');
      record(1);
      const body = await request.resume();
      assert.ok(body.subarray(0, expected.byteLength).equals(expected), 'the body mixes bytes of two scrapes');
      assert.equal(big.pinnedReaders, 0, 'the answer released the store');
      const id = makeTarget(0).id;
      const before = big.get(id)?.families.text.bytes.buffer;
      record(2);
      assert.equal(big.get(id)?.families.text.bytes.buffer, before, 'not rewritten in place once released');
      assert.match(new TextDecoder().decode(big.get(id)?.families.text.bytes), /line="0"\} 2$/m);
    } finally {
      await request.close();
    }
  });
});

describe('writeBuffers with a sink that takes every chunk at once', () => {
  /**
   * What http's response over a loopback socket read by a fast client does: each write corks the socket for the rest of
   * the tick, so write() says false; the kernel then takes the chunk at once, and 'drain' follows on a later tick,
   * not after a loop turn.
   */
  function httpLikeSink(): { readonly sink: Writable; readonly chunks: Buffer[] } {
    const chunks: Buffer[] = [];
    const sink = new Writable({
      highWaterMark: 16 * 1024,
      write(chunk: Buffer, _encoding, done) {
        chunks.push(Buffer.from(chunk));
        done();
      },
    });
    const write = sink.write.bind(sink);
    sink.write = ((...args: Parameters<Writable['write']>) => {
      if (!sink.writableCorked) {
        sink.cork();
        process.nextTick(() => sink.uncork());
      }
      return write(...args);
    }) as Writable['write'];
    return { sink, chunks };
  }

  test('the loop still turns between writes: drains that come on a later tick are no turn', async () => {
    const { sink, chunks } = httpLikeSink();
    const pieces = Array.from({ length: 64 }, (_, i) => Buffer.alloc(64 * 1024, 97 + (i % 26)));
    const loop = countLoopTurns();
    await writeBuffers(sink, pieces, 0);
    const turns = loop.stop();
    // One write() per tick, each uncorked on its own: the sink took one chunk per write.
    const writes = chunks.length;
    assert.ok(writes >= 4, `4 MB went in ~1 MB writes (${writes})`);
    // Told to turn after every write (0 ms): one turn per write but the last, at least.
    assert.ok(turns >= writes - 1, `the loop turned ${turns} times over ${writes} writes`);
    assert.ok(Buffer.concat(chunks).equals(Buffer.concat(pieces)), 'the bytes differ from the pieces');
  });
});

describe('writeBuffers with transient pieces', () => {
  test('copies each piece before asking for the next, however large: a reused buffer reaches the sink intact', async () => {
    // A sink that takes a chunk's bytes on a later turn, as a socket hands them to the kernel after write() returns,
    // and whose room never makes write() say false (so nothing waits for a drain).
    const chunks: Buffer[] = [];
    const sink = new Writable({
      highWaterMark: 64 * 1024 * 1024,
      write(chunk: Buffer, _encoding, done) {
        setImmediate(() => {
          chunks.push(Buffer.from(chunk));
          done();
        });
      },
    });
    // One buffer rewritten for every piece (what MemberInflater's views are), pieces below and above 1 MB.
    const reused = Buffer.alloc(1_600_000);
    const sizes = [600_000, 10, 1_600_000, 300_000, 1_048_576, 5];
    const expected = sizes.map((size, i) => Buffer.alloc(size, 97 + i));
    function* pieces(): Generator<Uint8Array> {
      for (const [i, size] of sizes.entries()) {
        reused.fill(97 + i, 0, size);
        yield reused.subarray(0, size);
      }
    }
    // No loop turn between writes unless one is waited for (a turn would let the sink copy early).
    await writeBuffers(sink, pieces(), 60_000, true);
    await finished(sink);
    assert.ok(Buffer.concat(chunks).equals(Buffer.concat(expected)), 'a piece was overwritten before it was written');
  });
});

describe('writeBuffers and the borrowed write buffers', () => {
  test('gives them back only once their writes are done: the next answer never overwrites bytes still being written', async () => {
    // A sink that reads a chunk's bytes only when it finishes the write, later, as a socket may; write() never says false,
    // so the writer waits for nothing but the writes themselves.
    const slowSink = (chunks: Buffer[]): Writable =>
      new Writable({
        highWaterMark: 64 * 1024 * 1024,
        write(chunk: Buffer, _encoding, done) {
          setTimeout(() => {
            chunks.push(Buffer.from(chunk));
            done();
          }, 2);
        },
      });
    const first: Buffer[] = [];
    const second: Buffer[] = [];
    const pieces = (byte: number): Buffer[] => Array.from({ length: 40 }, () => Buffer.alloc(100_000, byte));
    await writeBuffers(slowSink(first), pieces(97), 60_000);
    // The second answer borrows the same buffers at once and fills them with other bytes.
    const writing = writeBuffers(slowSink(second), pieces(98), 60_000);
    await writing;
    await sleep(20);
    assert.ok(Buffer.concat(first).equals(Buffer.concat(pieces(97))), 'the first answer was overwritten');
    assert.ok(Buffer.concat(second).equals(Buffer.concat(pieces(98))), 'the second answer differs');
  });
});
