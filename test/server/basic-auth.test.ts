// Basic auth: header parsing as Go reads it, bcrypt verification with real hashes, and the verification cache.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import bcrypt from 'bcryptjs';
import { BasicAuthVerifier, parseBasicAuth } from '../../src/server/basic-auth.js';

function basic(userAndPassword: string): string {
  return `Basic ${Buffer.from(userAndPassword).toString('base64')}`;
}

test('parseBasicAuth splits at the first colon and takes the scheme in any case', () => {
  assert.deepEqual(parseBasicAuth(basic('alice:pa:ss')), { user: 'alice', password: 'pa:ss' });
  assert.deepEqual(parseBasicAuth(`bAsIc ${Buffer.from('bob:').toString('base64')}`), { user: 'bob', password: '' });
});

test('parseBasicAuth returns undefined for a missing header, another scheme or no colon', () => {
  assert.equal(parseBasicAuth(undefined), undefined);
  assert.equal(parseBasicAuth('Bearer abc'), undefined);
  assert.equal(parseBasicAuth(basic('alice')), undefined);
});

test("the right password verifies; a wrong password, an unknown user and another user's password do not", async () => {
  // Cost 4 (bcrypt's minimum) keeps the test quick; the verifier reads the cost from the hash.
  const verifier = new BasicAuthVerifier({
    alice: await bcrypt.hash('wonderland', 4),
    bob: await bcrypt.hash('builder', 4),
  });
  after(() => verifier.close());
  assert.equal(await verifier.verify({ user: 'alice', password: 'wonderland' }), 'ok');
  assert.equal(await verifier.verify({ user: 'alice', password: 'Wonderland' }), 'denied');
  assert.equal(await verifier.verify({ user: 'alice', password: 'builder' }), 'denied');
  assert.equal(await verifier.verify({ user: 'carol', password: 'wonderland' }), 'denied');
  // The fixed hash for unknown users is exporter-toolkit's "fakepassword": knowing it must not let anyone in.
  assert.equal(await verifier.verify({ user: 'carol', password: 'fakepassword' }), 'denied');
  assert.equal(await verifier.verify({ user: '__proto__', password: 'x' }), 'denied');
});

test('concurrent and repeated checks of the same credentials share one bcrypt comparison', async () => {
  const verifier = new BasicAuthVerifier({ alice: await bcrypt.hash('wonderland', 4) });
  after(() => verifier.close());
  const first = verifier.verify({ user: 'alice', password: 'wonderland' });
  const second = verifier.verify({ user: 'alice', password: 'wonderland' });
  assert.equal(first, second, "the second check reuses the first one's pending outcome");
  assert.equal(await first, 'ok');
  assert.equal(await verifier.verify({ user: 'alice', password: 'wonderland' }), 'ok');
  assert.equal(verifier.comparisons, 1);
  assert.equal(await verifier.verify({ user: 'alice', password: 'other' }), 'denied');
  assert.equal(verifier.comparisons, 2);
});

test('checks beyond the pending bound are refused at once as overloaded, not queued', async () => {
  const verifier = new BasicAuthVerifier({ alice: await bcrypt.hash('wonderland', 4) }, { maxPendingChecks: 3 });
  after(() => verifier.close());
  const verdicts = await Promise.all(
    Array.from({ length: 10 }, (_, i) => verifier.verify({ user: 'alice', password: `wrong-${i}` })),
  );
  assert.deepEqual(verdicts.slice(0, 3), ['denied', 'denied', 'denied']);
  assert.deepEqual(new Set(verdicts.slice(3)), new Set(['overloaded']));
  assert.equal(verifier.comparisons, 3);
  // Once the flood has drained, checks run again.
  assert.equal(await verifier.verify({ user: 'alice', password: 'wonderland' }), 'ok');
});

test('a flood of distinct wrong passwords does not evict verified credentials', async () => {
  const verifier = new BasicAuthVerifier({ alice: await bcrypt.hash('wonderland', 4) }, { maxPendingChecks: 400 });
  after(() => verifier.close());
  assert.equal(await verifier.verify({ user: 'alice', password: 'wonderland' }), 'ok');
  const flood = await Promise.all(
    Array.from({ length: 300 }, (_, i) => verifier.verify({ user: 'alice', password: `wrong-${i}` })),
  );
  assert.ok(flood.every((verdict) => verdict === 'denied'));
  const comparisons = verifier.comparisons;
  assert.equal(await verifier.verify({ user: 'alice', password: 'wonderland' }), 'ok');
  assert.equal(verifier.comparisons, comparisons, 'the verified credentials were answered from the cache');
  // The refused set stays bounded: the oldest wrong password is compared again.
  assert.equal(await verifier.verify({ user: 'alice', password: 'wrong-0' }), 'denied');
  assert.equal(verifier.comparisons, comparisons + 1);
});
