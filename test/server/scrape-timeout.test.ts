// The probe deadline from X-Prometheus-Scrape-Timeout-Seconds: offset, module cap, floor, and bad header values.
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { test } from 'node:test';
import { scrapeTimeoutMs } from '../../src/server/scrape-timeout.js';

function requestWith(header: string | undefined): IncomingMessage {
  const headers = header === undefined ? {} : { 'x-prometheus-scrape-timeout-seconds': header };
  return { headers } as IncomingMessage;
}

test('the header less the offset is the deadline', () => {
  assert.equal(scrapeTimeoutMs(requestWith('10'), 30_000, 500), 9_500);
  assert.equal(scrapeTimeoutMs(requestWith('2.5'), 30_000, 500), 2_000);
});

test('the module timeout caps what Prometheus allows', () => {
  assert.equal(scrapeTimeoutMs(requestWith('60'), 10_000, 500), 10_000);
});

test('an offset larger than the timeout still leaves 100 ms', () => {
  assert.equal(scrapeTimeoutMs(requestWith('0.2'), 10_000, 500), 100);
});

for (const bad of [undefined, '', 'abc', '-3', '0', 'Infinity', 'NaN']) {
  test(`header ${JSON.stringify(bad)} falls back to the module timeout`, () => {
    assert.equal(scrapeTimeoutMs(requestWith(bad), 7_000, 500), 7_000);
  });
}
