import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfigFile, parseConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/config/errors.js';
import type { Config, HttpClientConfig } from '../../src/config/types.js';
import { fixturePath, readFixture } from '../helpers/fixtures.js';

const DEFAULT_HTTP: HttpClientConfig = {
  tlsConfig: { insecureSkipVerify: false },
  proxyFromEnvironment: false,
  proxyConnectHeader: {},
  followRedirects: true,
  connectTimeoutMs: 10_000,
  timeoutMs: 10_000,
};

test('the reference SRS config loads with json_exporter defaults filled in', () => {
  const config = parseConfig(readFixture('config', 'srs-reference.yml'), 'srs-reference.yml', 7);
  const expected: Config = {
    generation: 7,
    source: 'srs-reference.yml',
    modules: {
      default: {
        name: 'default',
        headers: { 'X-Dummy': 'my-test-header' },
        httpClientConfig: DEFAULT_HTTP,
        validStatusCodes: [],
        seriesLimit: 0,
        invalidUtf8: 'fail',
        metrics: [
          {
            name: 'server',
            path: '{ .server}',
            type: 'value',
            help: 'server',
            valuetype: 'untyped',
            labels: {},
            values: {},
            valueconverter: {},
            allowMissingKey: false,
          },
          {
            name: 'stream_clients',
            path: '{.streams[?(@.name!="")]}',
            type: 'object',
            help: 'Example of sub-level value scrapes from a json',
            valuetype: 'untyped',
            labels: { name: '{.name}' },
            values: {
              clients: '{.clients}',
              send_bytes: '{.send_bytes}',
              recv_bytes: '{.recv_bytes}',
              frames: '{.frames}',
              publish: '{.publish.active}',
            },
            valueconverter: {},
            allowMissingKey: false,
          },
        ],
      },
    },
  };
  assert.deepStrictEqual(config, expected);
});

test('a loaded config is deeply frozen', () => {
  const config = parseConfig(readFixture('config', 'srs-reference.yml'), 'srs-reference.yml');
  const module = config.modules['default'];
  assert.ok(module);
  assert.ok(Object.isFrozen(config));
  assert.ok(Object.isFrozen(config.modules));
  assert.ok(Object.isFrozen(module.metrics));
  assert.ok(Object.isFrozen(module.metrics[1]?.values));
  assert.ok(Object.isFrozen(module.httpClientConfig.tlsConfig));
  assert.throws(() => {
    (module.headers as Record<string, string>)['X-Other'] = 'x';
  }, TypeError);
});

test('labels and values keep the order written in the file', () => {
  const config = parseConfig(
    "modules:\n  m:\n    metrics:\n    - name: s\n      type: object\n      path: '{.s[*]}'\n      labels: { z: a, a: b, m: c }\n      values: { zz: '{.z}', aa: '{.a}' }\n",
    'order.yml',
  );
  const metric = config.modules['m']?.metrics[0];
  assert.deepStrictEqual(Object.keys(metric?.labels ?? {}), ['z', 'a', 'm']);
  assert.deepStrictEqual(Object.keys(metric?.values ?? {}), ['zz', 'aa']);
});

test('each load without an explicit generation gets a higher generation', () => {
  const text = readFixture('config', 'srs-reference.yml');
  const first = parseConfig(text, 'a.yml');
  const second = parseConfig(text, 'a.yml');
  assert.ok(second.generation > first.generation);
  const explicit = parseConfig(text, 'a.yml', 1000);
  assert.equal(explicit.generation, 1000);
  assert.equal(parseConfig(text, 'a.yml').generation, 1001);
});

test('a failed load does not use up a generation', () => {
  const text = readFixture('config', 'srs-reference.yml');
  const before = parseConfig(text, 'a.yml').generation;
  assert.throws(() => parseConfig('modules: {}\n', 'bad.yml'), ConfigError);
  assert.equal(parseConfig(text, 'a.yml').generation, before + 1);
});

test("json_exporter's example config loads; literal values such as `active: 1` become strings", () => {
  const config = parseConfig(readFixture('config', 'json-exporter-example.yml'), 'example.yml');
  assert.deepStrictEqual(Object.keys(config.modules), ['default', 'animals']);
  const metrics = config.modules['default']?.metrics ?? [];
  assert.equal(metrics.length, 4);
  assert.deepStrictEqual(metrics[2]?.values, { active: '1', count: '{.count}', boolean: '{.some_boolean}' });
  assert.deepStrictEqual(metrics[0]?.labels, { environment: 'beta', location: 'planet-{.location}' });
  assert.equal(metrics[1]?.epochTimestamp, '{ .timestamp }');
  assert.equal(metrics[3]?.allowMissingKey, true);
  assert.equal(
    metrics[3]?.help,
    'Example of allowing a missing key. This metric will not be reported if the path .missing_value is not present, and an error message will not be generated.',
  );
  assert.equal(metrics[0]?.epochTimestamp, undefined);
  assert.ok(!('epochTimestamp' in (metrics[0] ?? {})), 'an unset optional key is absent, not undefined');
});

test('valueconverter source keys are lower-cased and targets kept as strings, as json_exporter does', () => {
  const config = parseConfig(readFixture('config', 'json-exporter-converter.yml'), 'converter.yml');
  const metrics = config.modules['default']?.metrics ?? [];
  assert.deepStrictEqual(metrics[0]?.valueconverter, { '{.state}': { active: '1' } });
  assert.deepStrictEqual(metrics[5]?.valueconverter, { '{.state}': { active: '1', inactive: '2' } });
  assert.deepStrictEqual(metrics[2]?.values, { state: '{.state}', active: '12' });
});

test('go-yaml spellings are accepted: anchors, merge keys, yes/no booleans, epochtimestamp', () => {
  const config = parseConfig(
    [
      'modules:',
      '  m:',
      '    metrics:',
      '    - &up',
      '      name: up',
      "      path: '{.up}'",
      '      valuetype: gauge',
      '      allow_missing_key: yes',
      "      epochtimestamp: '{.ts}'",
      '    - <<: *up',
      '      name: down',
      '',
    ].join('\n'),
    'compat.yml',
  );
  const [up, down] = config.modules['m']?.metrics ?? [];
  assert.equal(up?.allowMissingKey, true);
  assert.equal(up?.epochTimestamp, '{.ts}');
  assert.equal(down?.name, 'down');
  assert.equal(down?.path, '{.up}');
  assert.equal(down?.valuetype, 'gauge');
});

test('body, headers and status codes are read', () => {
  const config = parseConfig(
    [
      'modules:',
      '  post:',
      '    headers: { Content-Type: application/json, X-Count: 3 }',
      '    valid_status_codes: [200, 404]',
      '    body:',
      '      content: |',
      '        {"query": "streams"}',
      '    metrics:',
      "    - { name: up, path: '{.up}' }",
      '',
    ].join('\n'),
    'post.yml',
  );
  const module = config.modules['post'];
  assert.deepStrictEqual(module?.body, { content: '{"query": "streams"}\n', templatize: false });
  assert.deepStrictEqual(module?.headers, { 'Content-Type': 'application/json', 'X-Count': '3' });
  assert.deepStrictEqual(module?.validStatusCodes, [200, 404]);
});

test('an empty help falls back to the metric name', () => {
  const config = parseConfig(
    "modules:\n  m:\n    metrics:\n    - name: up\n      path: '{.up}'\n      help: ''\n",
    'help.yml',
  );
  assert.equal(config.modules['m']?.metrics[0]?.help, 'up');
});

test('loadConfigFile reads a file and names it in the result', () => {
  const path = fixturePath('config', 'srs-reference.yml');
  const config = loadConfigFile(path, 3);
  assert.equal(config.source, path);
  assert.equal(config.generation, 3);
});

test('loadConfigFile on a missing file throws FJE_CONFIG_READ naming the path', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'fje-config-')), 'missing.yml');
  assert.throws(
    () => loadConfigFile(path),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.code, 'FJE_CONFIG_READ');
      assert.equal(error.problems.length, 1);
      assert.match(
        error.message,
        /^.*missing\.yml: cannot read the config file \(ENOENT: no such file or directory, open '.*missing\.yml'\); check the path given to --config\.file$/,
      );
      assert.ok(error.cause instanceof Error);
      return true;
    },
  );
});

test('loadConfigFile reports problems with the file path', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'fje-config-')), 'bad.yml');
  writeFileSync(path, 'modules:\n  m:\n    metrics: {}\n');
  assert.throws(() => loadConfigFile(path), {
    code: 'FJE_CONFIG_TYPE',
    message: `${path}:3:14: modules.m.metrics: must be a list (got a map)`,
  });
});

test("modules without metrics load, as json_exporter's do: {}, headers only, body only, metrics: []", () => {
  for (const name of ['module-headers-only.yml', 'module-empty-metrics.yml']) {
    const config = parseConfig(readFixture('config', name), name);
    assert.deepStrictEqual(config.modules.default?.metrics, [], name);
  }
  const config = parseConfig(
    'modules:\n  default: {}\n  post:\n    body: { content: "{}" }\n  tls:\n    http_client_config: { follow_redirects: false }\n',
    'inline.yml',
  );
  assert.deepStrictEqual(
    Object.values(config.modules).map((module) => [module.name, module.metrics.length]),
    [
      ['default', 0],
      ['post', 0],
      ['tls', 0],
    ],
  );
  assert.equal(config.modules.post?.body?.content, '{}');
});
