// Every error code and failure reason a user can see is in the README's "Errors and failure reasons" section, and
// that section names nothing the code no longer has (fastify's errors test does the same with its docs).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { BODY_TEMPLATE_ERROR_CODES } from '../src/body-template/errors.js';
import { COMMAND_ERROR_CODES } from '../src/commands/errors.js';
import { CONFIG_ERROR_CODES } from '../src/config/errors.js';
import { DISCOVERY_ERROR_CODES } from '../src/discovery/errors.js';
import { EXPOSITION_ERROR_CODES } from '../src/exposition/errors.js';
import { EXTRACT_PROBLEM_REASONS } from '../src/extract/extract.js';
import { EXTRACT_ERROR_CODES } from '../src/extract/errors.js';
import { FETCH_ERROR_CODES, FETCH_FAILURE_REASONS, TARGET_ERROR_CODES } from '../src/fetch/errors.js';
import { FLEET_FAILURE_REASONS } from '../src/fleet/errors.js';
import { JSONPATH_ERROR_CODES } from '../src/jsonpath/errors.js';
import { HOT_PATH_FAILURE_REASONS } from '../src/pool/errors.js';
import { PROBE_FAILURE_REASONS, SERVER_ERROR_CODES } from '../src/server/errors.js';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The rows of the table under `### heading` inside the errors section: each row's cells, backticks removed. */
function tableRows(heading: string): string[][] {
  const section = README.split(/^## /m).find((part) => part.startsWith('Errors and failure reasons'));
  assert.ok(section, 'README.md has no "## Errors and failure reasons" section');
  const subsection = section.split(/^### /m).find((part) => part.startsWith(heading));
  assert.ok(subsection, `README.md's errors section has no "### ${heading}"`);
  return subsection
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) =>
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim().replace(/^`|`$/g, '')),
    );
}

function assertSameSet(documented: readonly string[], inCode: readonly string[], what: string): void {
  const missing = inCode.filter((name) => !documented.includes(name));
  const stale = documented.filter((name) => !inCode.includes(name));
  assert.deepEqual(missing, [], `${what} missing from README.md: ${missing.join(', ')}`);
  assert.deepEqual(stale, [], `README.md names ${what} the code no longer has: ${stale.join(', ')}`);
  assert.equal(new Set(documented).size, documented.length, `README.md lists a ${what} twice`);
}

describe('README error and reason tables', () => {
  const codeRows = tableRows('Error codes');
  const reasonRows = tableRows('Scrape failure reasons');

  test('every error code is documented, and every documented code exists', () => {
    const inCode = [
      ...CONFIG_ERROR_CODES,
      ...JSONPATH_ERROR_CODES,
      ...BODY_TEMPLATE_ERROR_CODES,
      ...EXTRACT_ERROR_CODES,
      ...FETCH_ERROR_CODES,
      ...DISCOVERY_ERROR_CODES,
      ...EXPOSITION_ERROR_CODES,
      ...COMMAND_ERROR_CODES,
      ...SERVER_ERROR_CODES,
    ];
    const documented = [
      ...codeRows.map((row) => row[0] ?? ''),
      ...reasonRows.map((row) => row[1] ?? '').filter((code) => code !== ''),
    ];
    assertSameSet(documented, inCode, 'error codes');
  });

  test('every scrape failure reason is documented with its code, and every documented reason exists', () => {
    const inCode = [
      ...FETCH_FAILURE_REASONS,
      ...HOT_PATH_FAILURE_REASONS,
      ...FLEET_FAILURE_REASONS,
      ...PROBE_FAILURE_REASONS,
    ];
    assertSameSet(
      reasonRows.map((row) => row[0] ?? ''),
      inCode,
      'failure reasons',
    );
    for (const [reason, code] of reasonRows) {
      const expected = (TARGET_ERROR_CODES as Readonly<Record<string, string>>)[reason ?? ''] ?? '';
      assert.equal(code, expected, `README.md gives reason ${reason} the code "${code}"`);
    }
  });

  test('every extraction problem reason is documented, and every documented reason exists', () => {
    assertSameSet(
      tableRows('Extraction problems').map((row) => row[0] ?? ''),
      EXTRACT_PROBLEM_REASONS,
      'extraction problem reasons',
    );
  });
});
