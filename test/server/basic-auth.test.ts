// Basic auth: header parsing as Go reads it, bcrypt verification with real hashes, and the verification cache.
import assert from 'node:assert/strict';
import { test } from 'node:test';
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
  assert.equal(await verifier.verify({ user: 'alice', password: 'wonderland' }), true);
  assert.equal(await verifier.verify({ user: 'alice', password: 'Wonderland' }), false);
  assert.equal(await verifier.verify({ user: 'alice', password: 'builder' }), false);
  assert.equal(await verifier.verify({ user: 'carol', password: 'wonderland' }), false);
  // The fixed hash for unknown users is exporter-toolkit's "fakepassword": knowing it must not let anyone in.
  assert.equal(await verifier.verify({ user: 'carol', password: 'fakepassword' }), false);
  assert.equal(await verifier.verify({ user: '__proto__', password: 'x' }), false);
});

test('concurrent and repeated checks of the same credentials share one bcrypt comparison', async () => {
  const verifier = new BasicAuthVerifier({ alice: await bcrypt.hash('wonderland', 4) });
  const first = verifier.verify({ user: 'alice', password: 'wonderland' });
  const second = verifier.verify({ user: 'alice', password: 'wonderland' });
  assert.equal(first, second, "the second check reuses the first one's pending outcome");
  assert.equal(await first, true);
  assert.equal(verifier.verify({ user: 'alice', password: 'wonderland' }), first);
  assert.notEqual(verifier.verify({ user: 'alice', password: 'other' }), first);
});

test('the cache stays bounded: after 150 distinct wrong passwords the first one is compared again', async () => {
  const verifier = new BasicAuthVerifier({ alice: await bcrypt.hash('wonderland', 4) });
  const first = verifier.verify({ user: 'alice', password: 'wrong-0' });
  const outcomes = [first];
  for (let i = 1; i < 150; i++) outcomes.push(verifier.verify({ user: 'alice', password: `wrong-${i}` }));
  assert.ok((await Promise.all(outcomes)).every((outcome) => outcome === false));
  assert.notEqual(verifier.verify({ user: 'alice', password: 'wrong-0' }), first, 'the oldest entry was evicted');
});
