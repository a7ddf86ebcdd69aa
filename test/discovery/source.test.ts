// A target source's rounds: the refresh timer (mock timers), coalesced on-demand rounds, last good list on failure, stop.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, mock, test } from 'node:test';
import { TargetSource, type DiscoveredTarget } from '../../src/discovery/source.js';
import { quietLogger } from '../helpers/discovery.js';

const target = (address: string): DiscoveredTarget => ({ address, labels: {}, source: 'test' });

/** A refresh function whose answers the test scripts, counting calls. */
function scripted(answers: Array<() => Promise<DiscoveredTarget[]>>) {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    refresh: () => {
      const answer = answers[Math.min(calls, answers.length - 1)];
      calls++;
      return answer ? answer() : Promise.resolve([]);
    },
  };
}

/** onChange for a source, and a way to await the next call made after asking. */
function changeWatcher(): { onChange: () => void; next: () => Promise<void> } {
  let resolve: (() => void) | undefined;
  return {
    onChange: () => resolve?.(),
    next: () => new Promise<void>((r) => (resolve = r)),
  };
}

beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }));
afterEach(() => mock.timers.reset());

test('a round runs at start and again each refresh interval; stop clears the timer', async () => {
  const script = scripted([() => Promise.resolve([target('a:1')]), () => Promise.resolve([target('b:1')])]);
  const source = new TargetSource({
    job: 'j',
    name: 'test',
    logger: quietLogger(),
    refreshIntervalMs: 1000,
    refresh: script.refresh,
  });
  const change = changeWatcher();
  await source.start(change.onChange);
  const changed = change.next();
  assert.equal(script.calls, 1);
  assert.deepStrictEqual(
    source.targets().map((t) => t.address),
    ['a:1'],
  );
  mock.timers.tick(999);
  assert.equal(script.calls, 1);
  mock.timers.tick(1);
  await changed;
  assert.equal(script.calls, 2);
  assert.deepStrictEqual(
    source.targets().map((t) => t.address),
    ['b:1'],
  );
  await source.stop();
  await source.stop();
  mock.timers.tick(10_000);
  assert.equal(script.calls, 2);
});

test('a failed round keeps the last good targets and records why; the next good round clears it', async () => {
  const script = scripted([
    () => Promise.resolve([target('a:1')]),
    () => Promise.reject(new Error('connection refused')),
    () => Promise.resolve([target('a:1'), target('c:1')]),
  ]);
  const source = new TargetSource({
    job: 'j',
    name: 'test',
    logger: quietLogger(),
    refreshIntervalMs: 1000,
    refresh: script.refresh,
  });
  await source.start(() => {});
  await source.refreshNow();
  assert.deepStrictEqual(
    source.targets().map((t) => t.address),
    ['a:1'],
  );
  assert.equal(source.status().lastError, 'connection refused');
  assert.equal(source.status().targetCount, 1);
  await source.refreshNow();
  assert.equal('lastError' in source.status(), false);
  assert.equal(source.status().targetCount, 2);
  await source.stop();
});

test('requests during a round coalesce into one more round after it', async () => {
  let release: () => void = () => {};
  const blocked = new Promise<void>((resolve) => (release = resolve));
  const script = scripted([
    () => Promise.resolve([]),
    () => blocked.then(() => []),
    () => Promise.resolve([target('z:1')]),
  ]);
  const source = new TargetSource({ job: 'j', name: 'test', logger: quietLogger(), refresh: script.refresh });
  await source.start(() => {});
  const first = source.refreshNow();
  const second = source.refreshNow();
  const third = source.refreshNow();
  release();
  await Promise.all([first, second, third]);
  assert.equal(script.calls, 3);
  assert.deepStrictEqual(
    source.targets().map((t) => t.address),
    ['z:1'],
  );
  await source.stop();
});

test('stop during a round waits for it, and its result is dropped without a change event', async () => {
  let release: () => void = () => {};
  const blocked = new Promise<void>((resolve) => (release = resolve));
  const script = scripted([() => Promise.resolve([]), () => blocked.then(() => [target('late:1')])]);
  const source = new TargetSource({
    job: 'j',
    name: 'test',
    logger: quietLogger(),
    refreshIntervalMs: 1000,
    refresh: script.refresh,
  });
  let changes = 0;
  await source.start(() => changes++);
  const round = source.refreshNow();
  const stopped = source.stop();
  release();
  await Promise.all([round, stopped]);
  assert.equal(changes, 0);
  assert.deepStrictEqual(source.targets(), []);
  assert.equal(await source.refreshNow(), undefined);
  assert.equal(script.calls, 2);
});
