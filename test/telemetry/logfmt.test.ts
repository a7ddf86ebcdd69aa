// logfmt lines from pino records: promslog's leading keys, go-logfmt quoting, one line per record.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatLogfmtLine } from '../../src/telemetry/logfmt.js';

test('time, level and msg lead; values with spaces, quotes, = or newlines are quoted and escaped on one line', () => {
  assert.equal(
    formatLogfmtLine({
      level: 'warn',
      time: '2026-12-04T17:00:00.000Z',
      service: 'fleet-json-exporter',
      target: 'http://srs:1985/api/v1/streams/',
      reason: 'connection_refused',
      detail: 'a "b"\nc=d',
      empty: '',
      count: 3,
      ok: false,
      nested: { a: 1 },
      err: { type: 'Error', message: 'boom now', stack: 'Error: boom now\n    at x' },
      msg: 'probe failed',
    }),
    'time=2026-12-04T17:00:00.000Z level=warn msg="probe failed" service=fleet-json-exporter ' +
      'target=http://srs:1985/api/v1/streams/ reason=connection_refused detail="a \\"b\\"\\nc=d" empty="" count=3 ' +
      'ok=false nested="{\\"a\\":1}" err="boom now"\n',
  );
});
