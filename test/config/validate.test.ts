import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/config/load.js';
import { formatKeyPath } from '../../src/config/yaml-source.js';
import { nearestKey } from '../../src/config/object-schema.js';

const METRIC = 'modules:\n  m:\n    metrics:\n    - name: up\n';

/** Small inline configs for rules the fixture table does not show on its own: [what, yaml, exact message]. */
const CASES: ReadonlyArray<readonly [string, string, string]> = [
  [
    'a JSONPath error points at the failing character of a quoted template',
    METRIC + "      path: '{.a[?(@.x ~ 1)]}'\n",
    'x.yml:5:24: modules.m.metrics[0].path: invalid JSONPath template "{.a[?(@.x ~ 1)]}": unrecognized character "~" in block',
  ],
  [
    'a key without a value is reported where the value should be',
    METRIC + "      path: '{.a}'\n      labels:\n        a:\n",
    'x.yml:7:11: modules.m.metrics[0].labels.a: must be a string (got null)',
  ],
  [
    'duplicate map entries are reported with their key path',
    METRIC + "      path: '{.a}'\n      labels:\n        a: x\n        a: y\n",
    'x.yml:8:9: modules.m.metrics[0].labels.a: duplicate key "a" (first defined at line 7); keep one of them',
  ],
  [
    'both spellings of epochTimestamp at once are a duplicate',
    METRIC + "      path: '{.a}'\n      epochTimestamp: '{.t}'\n      epochtimestamp: '{.t}'\n",
    'x.yml:7:7: modules.m.metrics[0].epochtimestamp: "epochtimestamp" repeats "epochTimestamp" (line 6); keep one of them',
  ],
  [
    'valueconverter keys that differ only in case collide',
    METRIC +
      "      type: object\n      path: '{.a}'\n      values: {s: '{.s}'}\n      valueconverter:\n        '{.s}': { ACTIVE: 1, active: 2 }\n",
    'x.yml:9:30: modules.m.metrics[0].valueconverter["{.s}"].active: "active" and "ACTIVE" are the same key here (case does not matter); keep one of them',
  ],
  [
    'a misspelt camel-case key suggests the lower-case one',
    METRIC + "      path: '{.a}'\n      valueType: gauge\n",
    'x.yml:6:7: modules.m.metrics[0].valueType: unknown key "valueType"; did you mean "valuetype"?',
  ],
  [
    'a YAML 1.2 number is not a boolean',
    METRIC + "      path: '{.a}'\n      allow_missing_key: 1\n",
    'x.yml:6:26: modules.m.metrics[0].allow_missing_key: must be true or false (got a number 1)',
  ],
  [
    'two YAML documents in one file are a syntax error',
    'modules: {}\n---\nx: 1\n',
    'x.yml:2:1: the file holds more than one YAML document (a second `---`); a config is one document',
  ],
  [
    'an empty modules map is an error',
    'modules: {}\n',
    'x.yml:1:10: modules: define at least one module, e.g. modules: { default: { metrics: [...] } }',
  ],
  [
    'a header name must be an HTTP token',
    "modules:\n  m:\n    headers: { 'bad header': x }\n    metrics: [{name: up, path: '{.up}'}]\n",
    'x.yml:3:16: modules.m.headers["bad header"]: "bad header" is not a valid HTTP header name',
  ],
  [
    'a duplicate inside an unknown key is still reported',
    METRIC + "      path: '{.a}'\n      foo:\n        a: 1\n        a: 2\n",
    '2 problems in the config:\nx.yml:6:7: modules.m.metrics[0].foo: unknown key "foo"; known keys are name, path, type, help, valuetype, labels, values, epochTimestamp, valueconverter, allow_missing_key, duplicate_series, label_number_format\nx.yml:8:9: Map keys must be unique',
  ],
];

for (const [what, yaml, message] of CASES) {
  test(what, () => {
    assert.throws(() => parseConfig(yaml, 'x.yml'), { message });
  });
}

test('a module may be called __proto__ without touching any prototype', () => {
  const config = parseConfig("modules:\n  __proto__:\n    metrics: [{name: up, path: '{.up}'}]\n", 'x.yml');
  assert.deepStrictEqual(Object.keys(config.modules), ['__proto__']);
  assert.equal(Object.getPrototypeOf(config.modules), Object.prototype);
  assert.equal(config.modules['__proto__']?.name, '__proto__');
});

test('a body is only compiled as a template when templatize is true', () => {
  const config = parseConfig(
    "modules:\n  m:\n    body: { content: '{{ not a template' }\n    metrics: [{name: up, path: '{.up}'}]\n",
    'x.yml',
  );
  assert.deepStrictEqual(config.modules['m']?.body, { content: '{{ not a template', templatize: false });
});

test('key paths quote keys that are not plain words', () => {
  assert.equal(
    formatKeyPath(['modules', 'default', 'metrics', 1, 'valuetype']),
    'modules.default.metrics[1].valuetype',
  );
  assert.equal(formatKeyPath(['valueconverter', '{.state}']), 'valueconverter["{.state}"]');
  assert.equal(formatKeyPath(['headers', 'X-Dummy']), 'headers.X-Dummy');
});

test('the nearest known key is suggested only when it is a likely typo', () => {
  assert.equal(nearestKey('lables', ['labels', 'values']), 'labels');
  assert.equal(nearestKey('http_client_conf', ['http_client_config', 'headers']), 'http_client_config');
  assert.equal(nearestKey('scrape_interval', ['headers', 'metrics', 'body']), undefined);
});
