// Property test of the config loader: generated YAML, valid or not, gives a Config or a ConfigError, never a crash.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { parseConfig } from '../../src/config/load.js';
import { FjeError } from '../../src/errors.js';

/** Keys of the real schema mixed with others, so generated documents reach deep into the validation. */
const key = fc.constantFrom(
  'modules',
  'default',
  'metrics',
  'name',
  'path',
  'type',
  'labels',
  'values',
  'valuetype',
  'help',
  'headers',
  'http_client_config',
  'basic_auth',
  'username',
  'password',
  'tls_config',
  'body',
  'content',
  'templatize',
  'valid_status_codes',
  'error_code',
  'paging',
  'items',
  'max_items',
  'series_limit',
  'invalid_utf8',
  'preset',
  'fleet',
  'jobs',
  'static_targets',
  'scrape_interval',
  'scrape_timeout',
  'shard',
  'valueconverter',
  'object',
  'epochTimestamp',
  'allow_missing_key',
  'x',
);
const leaf = fc.oneof(
  fc.constantFrom('{.a}', '{..a..a}', '{.items[*]}', 'srs_streams', 'value', 'object', 'gauge', '15s', '{{ .x }}'),
  fc.string({ maxLength: 12 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
);
const { node } = fc.letrec<{ node: unknown }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('node'), { maxLength: 3 }),
    fc.dictionary(key, tie('node'), { maxKeys: 4 }),
  ),
}));
const yamlText = fc.oneof(
  fc.dictionary(key, node, { maxKeys: 3 }).map((doc) => stringify(doc)),
  fc.string({ maxLength: 80 }),
  fc.string({
    unit: fc.constantFrom('{', '}', '[', ']', ':', '-', ' ', '\n', '"', "'", '&a', '*a', '!!str', '#', 'x'),
  }),
);

test('the config loader returns a config or throws an FjeError with a code, whatever the YAML', () => {
  fc.assert(
    fc.property(yamlText, (text) => {
      try {
        const config = parseConfig(text, '<generated>', 1);
        assert.ok(Object.keys(config.modules).length > 0);
      } catch (err) {
        assert.ok(err instanceof FjeError, `${JSON.stringify(text)}: ${String(err)}`);
        assert.match(err.code, /^FJE_/);
      }
    }),
    { numRuns: 1500 },
  );
});
