// Accept-Encoding negotiation for gzip, including refusals with q=0.
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { test } from 'node:test';
import { acceptsGzip } from '../../src/server/respond.js';

function requestWith(acceptEncoding: string | undefined): IncomingMessage {
  return { headers: acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding } } as IncomingMessage;
}

const cases: Array<[string | undefined, boolean]> = [
  [undefined, false],
  ['', false],
  ['gzip', true],
  ['GZIP', true],
  ['deflate, gzip;q=1.0, *;q=0.5', true],
  ['gzip;q=0', false],
  ['gzip;q=0.0, identity', false],
  ['identity', false],
  ['br, deflate', false],
  ['*', true],
];

for (const [header, expected] of cases) {
  test(`Accept-Encoding ${JSON.stringify(header)} ${expected ? 'gets' : 'does not get'} gzip`, () => {
    assert.equal(acceptsGzip(requestWith(header)), expected);
  });
}
