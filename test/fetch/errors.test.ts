// The scrape area's error codes stay in step with the failure reasons.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FETCH_FAILURE_REASONS, TARGET_ERROR_CODES } from '../../src/fetch/errors.js';

test('every fetch failure reason has exactly one FJE_TARGET_* code', () => {
  assert.deepEqual(Object.keys(TARGET_ERROR_CODES).sort(), [...FETCH_FAILURE_REASONS].sort());
  for (const [reason, code] of Object.entries(TARGET_ERROR_CODES)) {
    assert.equal(code, `FJE_TARGET_${reason.toUpperCase()}`);
  }
});
