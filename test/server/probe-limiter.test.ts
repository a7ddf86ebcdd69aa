// The /probe slot limiter: slots, a FIFO queue, refusals beyond it, and waiters that leave (deadline, client gone).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProbeLimiter, type ProbeAdmission } from '../../src/server/probe-limiter.js';

const never = new AbortController().signal;

function admitted(admission: ProbeAdmission): Extract<ProbeAdmission, { admitted: true }> {
  assert.ok(admission.admitted, `expected a slot, got ${JSON.stringify(admission)}`);
  return admission;
}

test('slots are granted up to maxConcurrent, then waiters queue in order, then probes are refused', async () => {
  const limiter = new ProbeLimiter({ maxConcurrent: 1, maxQueue: 2 });
  const first = admitted(await limiter.admit(60_000, never));
  const order: string[] = [];
  const queue = (name: string) =>
    limiter.admit(60_000, never).then((admission) => {
      order.push(name);
      return admitted(admission);
    });
  const second = queue('second');
  const third = queue('third');
  assert.equal(limiter.queued, 2);
  const refused = await limiter.admit(60_000, never);
  assert.deepEqual(refused, { admitted: false, why: 'overloaded', waitedMs: 0 });
  first.release();
  first.release(); // a second release is a no-op, not a free slot
  (await second).release();
  (await third).release();
  assert.deepEqual(order, ['second', 'third']);
  assert.equal(limiter.running, 0);
  assert.equal(limiter.queued, 0);
});

test('a waiter whose deadline passes leaves the queue as expired', async () => {
  const limiter = new ProbeLimiter({ maxConcurrent: 1, maxQueue: 1 });
  const slot = admitted(await limiter.admit(60_000, never));
  const expired = await limiter.admit(0, never);
  assert.equal(expired.admitted, false);
  assert.equal(!expired.admitted && expired.why, 'expired');
  assert.equal(limiter.queued, 0);
  slot.release();
  assert.equal(limiter.running, 0, 'the expired waiter took no slot');
});

test('a waiter whose client went away leaves the queue as aborted', async () => {
  const limiter = new ProbeLimiter({ maxConcurrent: 1, maxQueue: 1 });
  const slot = admitted(await limiter.admit(60_000, never));
  const client = new AbortController();
  const waiting = limiter.admit(60_000, client.signal);
  client.abort();
  const left = await waiting;
  assert.equal(!left.admitted && left.why, 'aborted');
  slot.release();
  assert.equal(limiter.running, 0);
});
