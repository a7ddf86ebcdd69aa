import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { parseConfig } from '../../src/config/load.js';
import {
  CONFIG_ERROR_CODES,
  CONFIG_ERROR_DESCRIPTIONS,
  ConfigError,
  type ConfigErrorCode,
} from '../../src/config/errors.js';
import { fixturePath, readFixture } from '../helpers/fixtures.js';

interface ExpectedFailure {
  /** The ConfigError's code (its first problem's). */
  readonly code: ConfigErrorCode;
  /** The full message, one line per problem, as `fje check` prints it. */
  readonly message: string;
}

const cases = JSON.parse(readFixture('config', 'invalid-cases.json')) as Record<string, ExpectedFailure>;
const files = readdirSync(fixturePath('config'))
  .filter((name) => name.startsWith('invalid-') && name.endsWith('.yml'))
  .sort();

/** Codes tested outside this table (FJE_CONFIG_READ needs a file that is not there: see load.test.ts). */
const CODES_TESTED_ELSEWHERE: readonly ConfigErrorCode[] = ['FJE_CONFIG_READ'];

function load(name: string): ConfigError {
  try {
    parseConfig(readFixture('config', name), `test/fixtures/config/${name}`);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `${name}: expected a ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail(`${name} loaded without an error`);
}

test('every invalid-*.yml fixture has an expected message, and every expectation a fixture', () => {
  assert.deepStrictEqual(Object.keys(cases).sort(), files);
});

for (const name of files) {
  test(`${name} is rejected with its exact message`, () => {
    const expected = cases[name];
    assert.ok(expected, `add ${name} to invalid-cases.json`);
    const error = load(name);
    assert.equal(error.message, expected.message);
    assert.equal(error.code, expected.code);
    assert.equal(error.problems[0]?.code, expected.code);
  });
}

test('a file with several problems reports all of them, in file order', () => {
  const error = load('invalid-multiple.yml');
  assert.deepStrictEqual(
    error.problems.map((problem) => [problem.line, problem.column, problem.code, problem.keyPath]),
    [
      [6, 18, 'FJE_CONFIG_INVALID_VALUE', 'modules.default.metrics[0].valuetype'],
      [7, 7, 'FJE_CONFIG_REQUIRED', 'modules.default.metrics[1]'],
      [10, 7, 'FJE_CONFIG_REQUIRED', 'modules.default.metrics[2]'],
      [11, 7, 'FJE_CONFIG_UNKNOWN_KEY', 'modules.default.metrics[2].lables'],
      [13, 24, 'FJE_CONFIG_DURATION', 'modules.default.http_client_config.connect_timeout'],
    ],
  );
  assert.ok(error.problems.every((problem) => problem.file === 'test/fixtures/config/invalid-multiple.yml'));
});

test('every error code is produced by some fixture, so none is dead or undocumented', () => {
  const produced = new Set<string>(CODES_TESTED_ELSEWHERE);
  for (const name of files) for (const problem of load(name).problems) produced.add(problem.code);
  assert.deepStrictEqual([...produced].sort(), [...CONFIG_ERROR_CODES].sort());
});

test('every error code has a description for the docs, and no description is stale', () => {
  assert.deepStrictEqual(Object.keys(CONFIG_ERROR_DESCRIPTIONS).sort(), [...CONFIG_ERROR_CODES].sort());
});
