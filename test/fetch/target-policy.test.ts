// The probe target policy's rules, table-driven: prefixes (normalised), anchored regexes, CIDRs, local addresses.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TargetPolicy, type TargetPolicySettings } from '../../src/fetch/target-policy.js';

const OPEN: TargetPolicySettings = { allowPrefixes: [], allowRegexes: [], allowCidrs: [], denyLocal: false };

test('the default policy is open and allows anything', () => {
  const policy = new TargetPolicy(OPEN);
  assert.equal(policy.isOpen, true);
  assert.equal(policy.checkUrl(new URL('http://169.254.169.254/')), undefined);
});

test('a prefix is normalised like targets: http://srs:1985 does not allow http://srs:19850/', () => {
  const policy = new TargetPolicy({ ...OPEN, allowPrefixes: ['http://srs:1985'] });
  assert.equal(policy.checkUrl(new URL('http://srs:1985/api/v1/streams/')), undefined);
  assert.match(policy.checkUrl(new URL('http://srs:19850/')) ?? '', /is not an allowed target/);
  assert.match(policy.checkUrl(new URL('http://srs:1985@evil.example/')) ?? '', /is not an allowed target/);
});

test('a regex must match the whole URL', () => {
  const policy = new TargetPolicy({ ...OPEN, allowRegexes: ['http://srs-\\d+:1985/.*'] });
  assert.equal(policy.checkUrl(new URL('http://srs-3:1985/api/')), undefined);
  assert.notEqual(policy.checkUrl(new URL('http://evil.example/?http://srs-3:1985/')), undefined);
});

test('local addresses are refused in every spelling when asked', () => {
  const policy = new TargetPolicy({ ...OPEN, denyLocal: true });
  for (const url of [
    'http://127.0.0.1/',
    'http://127.1.2.3/',
    'http://2130706433/',
    'http://0x7f.1/',
    'http://[::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:169.254.169.254]/',
    'http://169.254.169.254/',
    'http://[fe80::1]/',
    'http://0.0.0.0/',
    'http://[::]/',
  ]) {
    assert.match(policy.checkUrl(new URL(url)) ?? '', /is a loopback or link-local address/, url);
  }
  for (const url of ['http://10.0.0.1/', 'http://[fd00::1]/', 'http://srs.example/']) {
    assert.equal(policy.checkUrl(new URL(url)), undefined, url);
  }
});

test('CIDRs allow only their networks, IPv4 and IPv6', () => {
  const policy = new TargetPolicy({ ...OPEN, allowCidrs: ['10.0.0.0/8', 'fd00::/8'] });
  assert.equal(policy.checkAddress('10.1.2.3'), undefined);
  assert.equal(policy.checkAddress('fd12::1'), undefined);
  assert.equal(policy.checkAddress('::ffff:10.1.2.3'), undefined);
  assert.match(policy.checkAddress('192.168.1.1') ?? '', /not in the allowed networks/);
  assert.match(policy.checkUrl(new URL('http://[2001:db8::1]/')) ?? '', /not in the allowed networks/);
  assert.equal(policy.checkUrl(new URL('http://srs.example/')), undefined, 'names are checked when resolved');
});
