// --web.listen-address parsing: Go-style addresses in, Node host/port out; bad ones named with what to write.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ListenAddressError } from '../../src/server/errors.js';
import { parseListenAddress } from '../../src/server/listen-address.js';

test('Go-style addresses become host and port; an empty host means every interface', () => {
  assert.deepEqual(parseListenAddress(':7979'), { host: undefined, port: 7979 });
  assert.deepEqual(parseListenAddress('127.0.0.1:0'), { host: '127.0.0.1', port: 0 });
  assert.deepEqual(parseListenAddress('[::1]:9000'), { host: '::1', port: 9000 });
  assert.deepEqual(parseListenAddress('localhost:65535'), { host: 'localhost', port: 65535 });
});

for (const [address, why] of [
  ['7979', 'no port'],
  ['127.0.0.1:', 'port "" is not a number from 0 to 65535'],
  [':65536', 'port "65536" is not a number from 0 to 65535'],
  [':http', 'port "http" is not a number from 0 to 65535'],
  ['::1:7979', 'an IPv6 host must be in brackets'],
] as const) {
  test(`"${address}" is refused: ${why}`, () => {
    assert.throws(
      () => parseListenAddress(address),
      (err: unknown) => {
        assert.ok(err instanceof ListenAddressError);
        assert.equal(err.code, 'FJE_LISTEN_ADDRESS');
        assert.equal(
          err.message,
          `invalid --web.listen-address "${address}": ${why} (expected host:port, e.g. ":7979" or "127.0.0.1:7979")`,
        );
        return true;
      },
    );
  });
}
