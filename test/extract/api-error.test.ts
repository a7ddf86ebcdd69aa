// error_code: which codes make a body an error.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../src/config/index.js';
import { findApiError } from '../../src/extract/api-error.js';
import { compileModule } from '../../src/extract/compile-module.js';

const withCode = compileModule(
  parseConfig(
    "modules:\n  m:\n    error_code: { path: '{.code}' }\n    metrics: [{ name: x, path: '{.x}' }]\n",
    'm.yml',
  ).modules.m!,
);
const without = compileModule(
  parseConfig("modules:\n  m:\n    metrics: [{ name: x, path: '{.x}' }]\n", 'm.yml').modules.m!,
);

test('code 0 (number or text) and an absent code are data', () => {
  for (const doc of [{ code: 0 }, { code: '0' }, {}, { code: null }])
    assert.equal(findApiError(withCode, doc), undefined, JSON.stringify(doc));
});

test('any other code is an error naming the code and where it was read', () => {
  assert.equal(
    findApiError(withCode, { code: 2048 }),
    'the API answered code 2048 ({.code}), an error rather than data',
  );
  assert.equal(
    findApiError(withCode, { code: 'denied' }),
    'the API answered code "denied" ({.code}), an error rather than data',
  );
  assert.equal(findApiError(withCode, { code: -1 }), 'the API answered code -1 ({.code}), an error rather than data');
});

test('a module without error_code never fails on a code', () => {
  assert.equal(findApiError(without, { code: 2048 }), undefined);
});
