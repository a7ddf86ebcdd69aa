// Large bodies in the pool (issue 17): they take turns, one in the workers at a time, and their worker is asked to
// collect its garbage before answering; small bodies pass them.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BroadcastChannel } from 'node:worker_threads';
import type { HotPathResult } from '../../src/pool/hot-path.js';
import { DEFAULT_LARGE_BODY_BYTES, WorkerPool } from '../../src/pool/worker-pool.js';
import { waitFor, within } from '../helpers/wait-for.js';
import { HOLD_CHANNEL } from './controlled-worker.js';
import {
  bytesOf,
  controlledWorkerUrl,
  HOLD_WAIT_MS,
  referenceBody,
  referenceModule,
  taskFor,
} from './pool-fixtures.js';

const module = referenceModule();
/** Large for these pools: the hold bodies below are padded past it, the reference body (550 bytes) is not. */
const LARGE = 4096;
const largeHold = (): Uint8Array => bytesOf('{"hold":0}' + ' '.repeat(LARGE));
const largeBody = (): Uint8Array => bytesOf(`${new TextDecoder().decode(referenceBody())}${' '.repeat(LARGE)}`);

/**
 * Counts the controlled worker's "held" announcements; `release()` lets every held task finish. Open it in `before`,
 * not in the describe's body: a channel opened at collection would also count the holds of the describes that run
 * before its own, and a `held(1)` that resolves before its task reached hold() lets the release pass it unseen (the
 * task then holds forever: a CI run hung on it).
 */
function holdChannel(): { held(count: number): Promise<void>; release(): void; close(): void; readonly count: number } {
  const channel = new BroadcastChannel(HOLD_CHANNEL);
  let count = 0;
  let waiters: Array<{ count: number; resolve: () => void }> = [];
  channel.onmessage = (event) => {
    if ((event as MessageEvent).data !== 'held') return;
    count++;
    const ready = waiters.filter((waiter) => waiter.count <= count);
    waiters = waiters.filter((waiter) => waiter.count > count);
    for (const waiter of ready) waiter.resolve();
  };
  return {
    // Bounded: a hold task that never reaches hold() (refused, or its worker never started) fails the wait by name.
    held: (wanted) =>
      wanted <= count
        ? Promise.resolve()
        : within(
            `hold announcement ${wanted} (${count} seen)`,
            new Promise((resolve) => waiters.push({ count: wanted, resolve })),
            HOLD_WAIT_MS,
          ),
    release: () => channel.postMessage('release'),
    close: () => channel.close(),
    get count() {
      return count;
    },
  };
}

/**
 * A held task's answer, or the next one queued behind it, bounded: a release that was missed (the task never saw it)
 * fails the test naming the task, instead of holding it until the runner's timeout.
 */
function answered<T>(what: string, running: Promise<T>): Promise<T> {
  return within(`${what} to answer (was its release missed?)`, running, HOLD_WAIT_MS);
}

describe('large bodies take turns', () => {
  const pool = new WorkerPool({ threads: 2, maxQueue: 4, workerUrl: controlledWorkerUrl, largeBodyBytes: LARGE });
  let channel: ReturnType<typeof holdChannel>;
  before(() => {
    channel = holdChannel();
  });
  after(async () => {
    // A test that failed between a hold and its release leaves a task held: release it, so close() need not wait.
    channel.release();
    channel.close();
    await pool.close();
  });

  test('a second large body waits while the first runs, though a worker is free; a small body passes it', async () => {
    const first = pool.run(taskFor(module, largeHold()));
    await channel.held(1);
    const second = pool.run(taskFor(module, largeHold()));
    assert.equal(pool.largeBodiesWaiting, 1);
    assert.equal(pool.stats.queued, 1, 'the waiting large body counts as queued');
    // The second worker is free: a small body runs on it while the large one keeps waiting.
    const small = await pool.run(taskFor(module, referenceBody()));
    assert.equal(small.ok, true);
    assert.equal(pool.largeBodiesWaiting, 1);
    assert.equal(channel.count, 1, 'the second large body has not started');
    channel.release();
    assert.equal((await answered('the first large body', first)).ok, true);
    // Its turn comes once the first has answered.
    await channel.held(2);
    assert.equal(pool.largeBodiesWaiting, 0);
    channel.release();
    assert.equal((await answered('the second large body', second)).ok, true);
    assert.equal(pool.inFlight, 0);
  });

  test('a large body cancelled while it waits answers aborted at once, frees its slot and leaves the line', async () => {
    const heldBefore = channel.count;
    const first = pool.run(taskFor(module, largeHold()));
    await channel.held(heldBefore + 1);
    const cancel = new AbortController();
    const waiting = pool.run({ ...taskFor(module, largeBody()), signal: cancel.signal });
    assert.equal(pool.largeBodiesWaiting, 1);
    cancel.abort();
    const cancelled = await waiting;
    assert.equal(cancelled.ok ? 'ok' : cancelled.reason, 'aborted');
    assert.equal(pool.largeBodiesWaiting, 0);
    assert.equal(pool.inFlight, 1, 'only the running large body holds a slot');
    channel.release();
    assert.equal((await answered('the held large body', first)).ok, true);
    // The line is free: the next large body runs at once and renders.
    const next = await answered('the next large body', pool.run(taskFor(module, largeBody())));
    assert.equal(next.ok, true);
    assert.equal(next.ok ? next.sampleCount > 0 : false, true);
    assert.equal(pool.inFlight, 0);
  });

  test('a large body whose deadline passes while it waits fails with timeout, and the line moves on', async () => {
    const heldBefore = channel.count;
    const first = pool.run(taskFor(module, largeHold()));
    await channel.held(heldBefore + 1);
    const late = await pool.run({ ...taskFor(module, largeBody()), deadline: Date.now() + 50 });
    assert.equal(late.ok ? 'ok' : late.reason, 'timeout');
    assert.match(late.ok ? '' : late.message, /waited for a worker/);
    assert.equal(pool.largeBodiesWaiting, 0);
    channel.release();
    assert.equal((await answered('the held large body', first)).ok, true);
    assert.equal((await answered('the next large body', pool.run(taskFor(module, largeBody())))).ok, true);
  });
});

describe('a large body’s worker collects its garbage', () => {
  const pool = new WorkerPool({
    threads: 1,
    maxQueue: 4,
    largeBodyBytes: LARGE,
    workerUrl: new URL('./task-flags-worker.js', import.meta.url).href,
  });
  after(() => pool.close());
  const flags = async (body: Uint8Array): Promise<{ bytes: number; collectGarbage: boolean }> => {
    const result = await pool.run(taskFor(module, body));
    assert.ok(!result.ok);
    return JSON.parse(result.message) as { bytes: number; collectGarbage: boolean };
  };

  test('bodies of largeBodyBytes or more are sent with collectGarbage; smaller ones without', async () => {
    const large = await flags(new Uint8Array(LARGE));
    const small = await flags(new Uint8Array(LARGE - 1));
    assert.deepEqual({ ...large, thread: 0 }, { bytes: LARGE, collectGarbage: true, thread: 0 });
    assert.deepEqual({ ...small, thread: 0 }, { bytes: LARGE - 1, collectGarbage: false, thread: 0 });
  });

  test('a fleet batch whose bodies add up to a large body is marked too', async () => {
    const batch = (sizes: number[]) =>
      pool.runBatch({
        module,
        formats: ['text'],
        items: sizes.map((size) => ({ body: new Uint8Array(size), targetLabels: {} })),
      });
    // The flags worker answers each body of a batch with the batch's flags.
    const [large] = await batch([LARGE / 2, LARGE / 2]);
    const [small] = await batch([LARGE / 4, LARGE / 4]);
    assert.ok(large !== undefined && small !== undefined);
    assert.match(large.ok ? '' : large.message, /"collectGarbage":true/);
    assert.match(small.ok ? '' : small.message, /"collectGarbage":false/);
  });

  test('the default threshold keeps an SRS-sized body (1 MB) off the large-body path', () => {
    assert.ok(DEFAULT_LARGE_BODY_BYTES > 1024 * 1024);
    assert.throws(
      () => new WorkerPool({ threads: 1, maxQueue: 0, largeBodyBytes: -1 }),
      /largeBodyBytes must be a whole number ≥ 0 \(got -1\)/,
    );
  });
});

describe('large bodies keep to one worker', () => {
  const pool = new WorkerPool({
    threads: 2,
    maxQueue: 4,
    largeBodyBytes: LARGE,
    workerUrl: new URL('./task-flags-worker.js', import.meta.url).href,
  });
  let channel: ReturnType<typeof holdChannel>;
  before(() => {
    channel = holdChannel();
  });
  after(async () => {
    // A test that failed between a hold and its release leaves a task held: release it, so close() need not wait.
    channel.release();
    channel.close();
    await pool.close();
  });
  const threadOf = async (running: Promise<HotPathResult>): Promise<number> => {
    const result = await running;
    assert.ok(!result.ok);
    return (JSON.parse(result.message) as { thread: number }).thread;
  };

  test('the worker that took a large body takes the next one while it is idle, though another is idle first', async () => {
    // Both started, so Piscina's order of idle workers is settled before the first task.
    await waitFor('both workers to start', async () => (pool.startedWorkers === 2 ? true : undefined), 60_000, 5);
    // The first idle worker is busy with a small body: the large one goes to the other.
    assert.equal(channel.count, 0, 'no hold announced before this describe');
    const held = threadOf(pool.run(taskFor(module, bytesOf('{"hold":0}'))));
    await channel.held(1);
    const largeWorker = await threadOf(pool.run(taskFor(module, new Uint8Array(LARGE))));
    channel.release();
    const firstIdle = await answered('the held small body', held);
    assert.notEqual(largeWorker, firstIdle);
    // Both idle now: a small body goes to the first idle worker, as Piscina's own balancer sends it; large ones stay.
    assert.equal(await threadOf(pool.run(taskFor(module, new Uint8Array(16)))), firstIdle);
    for (let i = 0; i < 3; i++) {
      assert.equal(await threadOf(pool.run(taskFor(module, new Uint8Array(LARGE)))), largeWorker);
    }
  });
});
