// Abort handlers on a shared, long-lived signal: one listener on the signal for good, handlers joining and leaving.
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { test } from 'node:test';
import { offAbort, onAbort } from '../../src/fetch/abort-hooks.js';

test('handlers run once, in order, when the signal aborts; one that left does not run', () => {
  const controller = new AbortController();
  const ran: string[] = [];
  const first = (): void => void ran.push('first');
  const left = (): void => void ran.push('left');
  const second = (): void => void ran.push('second');
  onAbort(controller.signal, first);
  onAbort(controller.signal, left);
  onAbort(controller.signal, second);
  offAbort(controller.signal, left);
  controller.abort();
  controller.abort();
  assert.deepEqual(ran, ['first', 'second']);
});

test('a signal reused by many requests keeps one listener, however many joined and left', () => {
  const controller = new AbortController();
  for (let i = 0; i < 100; i++) {
    const handler = (): void => assert.fail('left before the abort');
    onAbort(controller.signal, handler);
    offAbort(controller.signal, handler);
  }
  assert.equal(getEventListeners(controller.signal, 'abort').length, 1);
  let ran = 0;
  onAbort(controller.signal, () => ran++);
  controller.abort();
  assert.equal(ran, 1);
  assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
});

test('offAbort on a signal nothing waits on does nothing', () => {
  const controller = new AbortController();
  offAbort(controller.signal, () => undefined);
  assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
});
