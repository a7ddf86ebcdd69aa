// The fleet scheduler on a manual clock: slots, no overlap, the concurrency bound, deadlines, churn, stop.
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, test } from 'node:test';
import { scrapeTargetId, type ScrapeTarget } from '../../src/discovery/target.js';
import { nextSlotMs, SCRAPE_TICK_MS, scrapeOffsetMs } from '../../src/fleet/scheduler-clock.js';
import { Scheduler } from '../../src/fleet/scheduler.js';
import { SLOT_GROUP_MS, TargetStore, type TargetScrapeOutcome } from '../../src/fleet/store.js';
import { ManualClock, settle } from '../helpers/manual-clock.js';

const INTERVAL = 15_000;
const START = 1_700_000_000_000;

function makeTarget(n: number, overrides: Partial<ScrapeTarget> = {}): ScrapeTarget {
  const url = `http://127.0.0.1:${10_000 + n}/api/v1/streams/`;
  return {
    id: scrapeTargetId('srs', url),
    job: 'srs',
    url,
    module: 'default',
    labels: { job: 'srs', instance: `127.0.0.1:${10_000 + n}` },
    intervalMs: INTERVAL,
    timeoutMs: 10_000,
    source: 'static',
    ...overrides,
  };
}

/** The target's first slot after START. */
function slotOf(target: ScrapeTarget): number {
  return nextSlotMs(START, target.intervalMs, scrapeOffsetMs(target.id, target.intervalMs));
}

function success(target: ScrapeTarget): TargetScrapeOutcome {
  const text = `srs_clients{instance="${target.labels.instance}"} 1\n`;
  return {
    ok: true,
    families: { text: [{ name: 'srs_clients', help: 'clients', type: 'gauge', text }], openmetrics: [] },
    sampleCount: 1,
  };
}

/** Targets answering only when the test says so: every call waits for resolve(). */
class HeldTargets {
  readonly calls: Array<{
    target: ScrapeTarget;
    signal: AbortSignal;
    resolve: (outcome: TargetScrapeOutcome) => void;
  }> = [];
  running = 0;
  maxRunning = 0;
  readonly scrape = (target: ScrapeTarget, signal: AbortSignal): Promise<TargetScrapeOutcome> =>
    new Promise((resolve) => {
      this.running++;
      this.maxRunning = Math.max(this.maxRunning, this.running);
      // Like undici: an aborted request ends with an 'aborted' failure, and the listener goes when the request ends
      // (a target's next scrape may get the same signal).
      const onAbort = (): void => done({ ok: false, reason: 'aborted', message: 'aborted' });
      let ended = false;
      const done = (outcome: TargetScrapeOutcome): void => {
        if (ended) return;
        ended = true;
        signal.removeEventListener('abort', onAbort);
        this.running--;
        resolve(outcome);
      };
      this.calls.push({ target, signal, resolve: done });
      signal.addEventListener('abort', onAbort, { once: true });
    });

  callsFor(target: ScrapeTarget): number {
    return this.calls.filter((call) => call.target.id === target.id).length;
  }
}

function setup(concurrency = 100): {
  clock: ManualClock;
  store: TargetStore;
  targets: HeldTargets;
  scheduler: Scheduler;
  lags: number[];
  skipped: string[];
} {
  const clock = new ManualClock(START);
  const store = new TargetStore();
  const targets = new HeldTargets();
  const lags: number[] = [];
  const skipped: string[] = [];
  const scheduler = new Scheduler({
    scrape: targets.scrape,
    store,
    concurrency,
    clock,
    observeLag: (lag) => lags.push(lag),
    onSkipped: (target) => skipped.push(target.id),
  });
  return { clock, store, targets, scheduler, lags, skipped };
}

describe('slots', () => {
  test('a target id always gets the same offset, and the offsets of many targets spread over the interval', () => {
    const first = makeTarget(1);
    assert.equal(scrapeOffsetMs(first.id, INTERVAL), scrapeOffsetMs(makeTarget(1).id, INTERVAL));
    const buckets = new Array<number>(10).fill(0);
    for (let n = 0; n < 2000; n++) {
      const offset = scrapeOffsetMs(makeTarget(n).id, INTERVAL);
      assert.ok(offset >= 0 && offset < INTERVAL);
      buckets[Math.floor(offset / (INTERVAL / 10))]! += 1;
    }
    // 200 expected per tenth of the interval: no tenth may hold a herd or be empty.
    for (const count of buckets) assert.ok(count > 120 && count < 280, `uneven spread: ${buckets.join(',')}`);
  });

  test('the next slot is on the offset grid, at or after now, within one interval', () => {
    for (const now of [START, START + 1, START + 7_777, START + INTERVAL - 1]) {
      const slot = nextSlotMs(now, INTERVAL, 1234);
      assert.equal((slot - 1234) % INTERVAL, 0);
      assert.ok(slot >= now && slot < now + INTERVAL);
    }
    assert.equal(nextSlotMs(START - (START % INTERVAL) + 1234, INTERVAL, 1234), START - (START % INTERVAL) + 1234);
  });

  test('a target is first scraped at its slot, then every interval, with no lag on an idle scheduler', async () => {
    const { clock, targets, scheduler, lags } = setup();
    const target = makeTarget(7);
    scheduler.setTargets([target]);
    await clock.advance(slotOf(target) - START - 1);
    assert.equal(targets.calls.length, 0);
    await clock.advance(1);
    assert.equal(targets.calls.length, 1);
    targets.calls[0]!.resolve(success(target));
    await clock.advance(INTERVAL);
    assert.equal(targets.calls.length, 2);
    assert.deepEqual(lags, [0, 0]);
    await scheduler.stop();
  });
});

describe('one timer, starts gathered on the tick grid', () => {
  test('every offset is on the tick grid, and the targets of one tick start from one timer callback', async () => {
    for (let n = 0; n < 500; n++) assert.equal(scrapeOffsetMs(makeTarget(n).id, INTERVAL) % SCRAPE_TICK_MS, 0);
    // A tick within a slot group: moving an offset down to its tick never moves the target to another group.
    assert.equal(SLOT_GROUP_MS % SCRAPE_TICK_MS, 0);
    const clock = new ManualClock(START);
    let timersSet = 0;
    const setTimer = clock.setTimer.bind(clock);
    clock.setTimer = (callback, ms) => {
      timersSet++;
      return setTimer(callback, ms);
    };
    const interval = 10 * SCRAPE_TICK_MS;
    const started = new Map<string, number[]>();
    const scheduler = new Scheduler({
      scrape: (target) => {
        started.set(target.id, [...(started.get(target.id) ?? []), clock.now()]);
        return Promise.resolve(success(target));
      },
      store: new TargetStore(),
      concurrency: 1000,
      clock,
    });
    // 300 targets on 10 ticks: a timer per target (or per scrape) would be set 300 times an interval.
    const many = Array.from({ length: 300 }, (_, n) => makeTarget(n, { intervalMs: interval, timeoutMs: 50 }));
    scheduler.setTargets(many);
    assert.equal(clock.pendingTimers, 1);
    await clock.advance(interval);
    timersSet = 0;
    await clock.advance(2 * interval);
    assert.ok(timersSet <= 2 * 10 + 2, `${timersSet} timers set in two intervals of 10 ticks`);
    assert.equal(clock.pendingTimers, 1);
    for (const target of many) {
      // Three intervals went by (four starts for a target whose slot was START itself).
      const starts = started.get(target.id) ?? [];
      assert.ok(starts.length === 3 || starts.length === 4, `${target.id} started ${starts.length} times`);
      // Each start on the target's own offset of the grid: gaps of exactly one interval.
      for (const [i, at] of starts.entries()) {
        assert.equal((at - scrapeOffsetMs(target.id, interval)) % interval, 0);
        if (i > 0) assert.equal(at - (starts[i - 1] as number), interval);
      }
    }
    await scheduler.stop();
    assert.equal(clock.pendingTimers, 0);
  });

  test('a scrape that starts between ticks (a concurrency slot freed) is still aborted at its own deadline', async () => {
    const { clock, targets, scheduler } = setup(1);
    const [early, late] = [makeTarget(1), makeTarget(2)].sort((a, b) => slotOf(a) - slotOf(b)) as [
      ScrapeTarget,
      ScrapeTarget,
    ];
    // The first holds the only slot past the second's slot; the second has a short deadline.
    const first = { ...early, timeoutMs: 10 * INTERVAL };
    const second = { ...late, timeoutMs: 3_000 };
    scheduler.setTargets([first, second]);
    await clock.advance(slotOf(second) - START);
    assert.equal(targets.calls.length, 1);
    // 7 ms after the second's slot, off the grid: the first answers and the second starts.
    await clock.advance(7);
    targets.calls[0]!.resolve(success(first));
    await settle();
    assert.equal(targets.calls.length, 2);
    await clock.advance(2_999);
    assert.equal(targets.calls[1]!.signal.aborted, false);
    await clock.advance(1);
    assert.equal(targets.calls[1]!.signal.aborted, true);
    await scheduler.stop();
  });
});

describe('one scrape per target at a time', () => {
  test('a slot that comes while the previous scrape runs is skipped, not stacked', async () => {
    const { clock, targets, scheduler, skipped } = setup();
    const target = makeTarget(1, { timeoutMs: 10 * INTERVAL });
    scheduler.setTargets([target]);
    await clock.advance(INTERVAL * 3);
    assert.equal(targets.calls.length, 1);
    assert.deepEqual(skipped, [target.id, target.id]);
    targets.calls[0]!.resolve(success(target));
    await clock.advance(INTERVAL);
    assert.equal(targets.calls.length, 2);
    await scheduler.stop();
  });
});

describe('concurrency bound', () => {
  test('never more scrapes in flight than the bound; the rest wait in order and their lag says how long', async () => {
    const { clock, targets, scheduler, lags } = setup(2);
    const all = Array.from({ length: 6 }, (_, n) => makeTarget(n, { timeoutMs: 10 * INTERVAL }));
    scheduler.setTargets(all);
    // Up to the last of the six slots: all are due, two run.
    await clock.advance(Math.max(...all.map(slotOf)) - START);
    assert.equal(targets.maxRunning, 2);
    assert.equal(scheduler.active, 2);
    assert.equal(scheduler.queued, 4);
    // Release in turns, 10 ms apart on the clock: each release starts exactly one waiting scrape.
    for (let released = 0; released < 6; released++) {
      await clock.advance(10);
      targets.calls[released]!.resolve(success(targets.calls[released]!.target));
      await settle();
      assert.ok(scheduler.active <= 2);
    }
    assert.equal(targets.maxRunning, 2);
    assert.equal(targets.calls.length, 6);
    // The last two waited for releases: their lag is positive, and none is negative.
    assert.ok(lags.every((lag) => lag >= 0));
    assert.ok(lags.filter((lag) => lag > 0).length >= 4, `lags: ${lags.join(',')}`);
    await scheduler.stop();
  });
});

describe('deadlines', () => {
  test('a scrape past its timeout is aborted and the target is down with reason timeout', async () => {
    const { clock, store, targets, scheduler } = setup();
    const target = makeTarget(3, { timeoutMs: 2_000 });
    scheduler.setTargets([target]);
    await clock.advance(slotOf(target) - START);
    assert.equal(targets.calls.length, 1);
    await clock.advance(1_999);
    assert.equal(targets.calls[0]!.signal.aborted, false);
    assert.equal(store.get(target.id)!.meta.state, 'unknown');
    await clock.advance(1);
    assert.equal(targets.calls[0]!.signal.aborted, true);
    const meta = store.get(target.id)!.meta;
    assert.equal(meta.state, 'down');
    assert.equal(meta.lastError?.reason, 'timeout');
    assert.match(meta.lastError?.message ?? '', /timeout of 2s/);
    assert.equal(meta.errorsByReason.get('timeout'), 1);
    await scheduler.stop();
  });

  test('a finished scrape passes its signal on to a later one; an aborted signal is never handed out again', async () => {
    const { clock, targets, scheduler } = setup();
    const target = makeTarget(3, { timeoutMs: 2_000 });
    scheduler.setTargets([target]);
    await clock.advance(slotOf(target) - START);
    targets.calls[0]!.resolve(success(target));
    await clock.advance(INTERVAL);
    targets.calls[1]!.resolve(success(target));
    const first = targets.calls[0]!.signal;
    assert.equal(targets.calls[1]!.signal, first, "the second scrape got the first one's signal");
    // The scrape's own listener is gone; the scheduler's keeps the signal's listener map from emptying (scheduler.ts).
    assert.equal(getEventListeners(first, 'abort').length, 1, "only the scheduler's own listener left behind");
    // The third scrape runs past its timeout: aborted, so the fourth gets a new signal.
    await clock.advance(INTERVAL + 2_000);
    assert.equal(targets.calls[2]!.signal, first);
    assert.equal(first.aborted, true);
    await clock.advance(INTERVAL - 2_000);
    const fourth = targets.calls[3]!.signal;
    assert.notEqual(fourth, first);
    assert.equal(fourth.aborted, false);
    await scheduler.stop();
  });

  test("every scrape's signal holds one listener of the scheduler's for good, a new signal as well", async () => {
    const { clock, targets, scheduler } = setup();
    const target = makeTarget(4, { timeoutMs: 2_000 });
    scheduler.setTargets([target]);
    await clock.advance(slotOf(target) - START);
    const signal = targets.calls[0]!.signal;
    // While the scrape runs: the scheduler's listener and the scrape's own.
    assert.equal(getEventListeners(signal, 'abort').length, 2);
    const [keeper] = getEventListeners(signal, 'abort');
    targets.calls[0]!.resolve(success(target));
    await settle();
    assert.deepEqual(getEventListeners(signal, 'abort'), [keeper], "the scheduler's stays once the scrape's is gone");
    // A timed-out scrape's signal is not handed out again: the next one is new, and holds the same kind of listener.
    await clock.advance(INTERVAL + 2_000);
    assert.equal(signal.aborted, true);
    await clock.advance(INTERVAL - 2_000);
    const fresh = targets.calls[2]!.signal;
    assert.notEqual(fresh, signal);
    assert.equal(getEventListeners(fresh, 'abort')[0], keeper);
    await scheduler.stop();
  });

  test('scrapes running at once never share a signal', async () => {
    const { clock, targets, scheduler } = setup();
    const many = Array.from({ length: 20 }, (_, i) => makeTarget(i));
    scheduler.setTargets(many);
    await clock.advance(INTERVAL);
    for (const call of targets.calls) call.resolve(success(call.target));
    // The second round: every target again, none answering, so the 20 run at once: each its own signal.
    await clock.advance(INTERVAL);
    const running = targets.calls.slice(20);
    assert.equal(running.length, 20);
    assert.equal(new Set(running.map((call) => call.signal)).size, 20);
    const reused = running.filter((call) =>
      targets.calls.slice(0, 20).some((earlier) => earlier.signal === call.signal),
    );
    assert.ok(reused.length > 0, 'signals of the first round were handed out again');
    await scheduler.stop();
  });

  test('a scrape function that throws marks the target down (reason internal) and scheduling goes on', async () => {
    const clock = new ManualClock(START);
    const store = new TargetStore();
    let calls = 0;
    const scheduler = new Scheduler({
      scrape: () => {
        calls++;
        return Promise.reject(new Error('bug'));
      },
      store,
      concurrency: 1,
      clock,
    });
    const target = makeTarget(4);
    scheduler.setTargets([target]);
    await clock.advance(INTERVAL * 2);
    assert.equal(calls, 2);
    assert.equal(store.get(target.id)!.meta.lastError?.reason, 'internal');
    await scheduler.stop();
  });
  test('a scrape listener that throws neither rejects into the void nor holds up the scrapes waiting for a slot', async () => {
    const { clock, targets, scheduler } = setup(1);
    const [first, second] = [
      makeTarget(1, { timeoutMs: 10 * INTERVAL }),
      makeTarget(2, { timeoutMs: 10 * INTERVAL }),
    ].sort((a, b) => slotOf(a) - slotOf(b)) as [ScrapeTarget, ScrapeTarget];
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', onUnhandled);
    try {
      scheduler.onScrape(() => {
        throw new Error('listener bug');
      });
      scheduler.setTargets([first, second]);
      await clock.advance(slotOf(second) - START);
      // The first runs, the second waits for the only slot.
      assert.equal(targets.calls.length, 1);
      assert.equal(scheduler.queued, 1);
      targets.calls[0]!.resolve(success(first));
      await settle();
      assert.equal(targets.calls.length, 2, 'the waiting scrape did not start when the slot freed');
      assert.equal(targets.calls[1]!.target.id, second.id);
      assert.equal(unhandled.length, 0, `unhandled rejection: ${String(unhandled[0])}`);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await scheduler.stop();
    }
  });
});

describe('target churn', () => {
  test('a vanished target leaves the store at once and its running scrape is aborted; the others keep their slot', async () => {
    const { clock, store, targets, scheduler } = setup();
    const [kept, gone] = [makeTarget(1, { timeoutMs: 10 * INTERVAL }), makeTarget(2, { timeoutMs: 10 * INTERVAL })];
    scheduler.setTargets([kept, gone]);
    await clock.advance(INTERVAL);
    const keptCall = targets.calls.find((call) => call.target.id === kept.id)!;
    keptCall.resolve(success(kept));
    await settle();
    assert.equal(store.get(kept.id)?.meta.state, 'up');
    const goneCall = targets.calls.find((call) => call.target.id === gone.id)!;

    const relabelled = { ...kept, labels: { ...kept.labels, zone: 'b' } };
    scheduler.setTargets([relabelled]);
    assert.equal(store.get(gone.id), undefined);
    assert.equal(goneCall.signal.aborted, true);
    assert.deepEqual(store.get(kept.id)?.target.labels, relabelled.labels);
    assert.equal(store.get(kept.id)?.meta.state, 'up', 'an unchanged target keeps its results');

    // The kept target is scraped once per interval still, on its old slot; the vanished one never again.
    await clock.advance(INTERVAL);
    assert.equal(targets.callsFor(kept), 2);
    assert.equal(targets.callsFor(gone), 1);
    assert.equal(targets.calls.at(-1)!.target.labels.zone, 'b');
    await scheduler.stop();
  });

  test('a target whose interval changes moves to its new grid', async () => {
    const { clock, targets, scheduler } = setup();
    const target = makeTarget(5);
    scheduler.setTargets([target]);
    scheduler.setTargets([{ ...target, intervalMs: 60_000 }]);
    await clock.advance(60_000);
    assert.equal(targets.callsFor(target), 1);
    await scheduler.stop();
  });

  test('a scrape that ends after its target vanished does not bring it back', async () => {
    const clock = new ManualClock(START);
    const store = new TargetStore();
    let finish: (() => void) | undefined;
    const target = makeTarget(6);
    // This target ignores the abort and answers later anyway.
    const scheduler = new Scheduler({
      scrape: () =>
        new Promise((resolve) => {
          finish = () => resolve(success(target));
        }),
      store,
      concurrency: 1,
      clock,
    });
    scheduler.setTargets([target]);
    await clock.advance(INTERVAL);
    scheduler.setTargets([]);
    finish!();
    await settle();
    assert.equal(store.size, 0);
    await scheduler.stop();
  });
});

describe('stop', () => {
  test('stop clears every timer and aborts what runs', async () => {
    const { clock, targets, scheduler } = setup();
    scheduler.setTargets(Array.from({ length: 5 }, (_, n) => makeTarget(n, { timeoutMs: 1_000 })));
    await clock.advance(INTERVAL - 1);
    assert.ok(clock.pendingTimers > 0);
    await scheduler.stop();
    assert.equal(clock.pendingTimers, 0);
    assert.ok(targets.calls.every((call) => call.signal.aborted));
    await clock.advance(INTERVAL * 2);
    const calls = targets.calls.length;
    assert.equal(clock.pendingTimers, 0);
    assert.equal(targets.calls.length, calls);
  });
});
