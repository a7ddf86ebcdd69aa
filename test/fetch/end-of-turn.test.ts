// atEndOfTurn: tasks of one turn of the event loop run together at its end, in order, after the turn's microtasks.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { atEndOfTurn } from '../../src/fetch/end-of-turn.js';

test('tasks queued in one turn run at its end, in order, after its microtasks, never synchronously', async () => {
  const ran: string[] = [];
  const done = new Promise<void>((resolve) => {
    atEndOfTurn(() => ran.push('first'));
    atEndOfTurn(() => ran.push('second'));
    atEndOfTurn(() => {
      ran.push('third');
      resolve();
    });
  });
  assert.equal(ran.length, 0);
  await Promise.resolve();
  ran.push('microtask');
  await done;
  assert.deepEqual(ran, ['microtask', 'first', 'second', 'third']);
});

test('a task queued by a running task runs too, after the tasks already queued', async () => {
  const ran: string[] = [];
  await new Promise<void>((resolve) => {
    atEndOfTurn(() => {
      ran.push('outer');
      atEndOfTurn(() => {
        ran.push('inner');
        resolve();
      });
    });
    atEndOfTurn(() => ran.push('sibling'));
  });
  assert.deepEqual(ran, ['outer', 'sibling', 'inner']);
});
