import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/config/index.js';
import type { ModuleConfig } from '../../src/config/types.js';
import { compileModule } from '../../src/extract/compile-module.js';
import { ModuleCompileError } from '../../src/extract/errors.js';
import { readFixture } from '../helpers/fixtures.js';

function moduleFrom(yaml: string, name = 'default'): ModuleConfig {
  const module = parseConfig(yaml, 'inline.yml').modules[name];
  assert.ok(module, `module ${name} in the inline config`);
  return module;
}

test('the reference SRS config compiles to one family per value key plus server, sorted by name', () => {
  const compiled = compileModule(moduleFrom(readFixture('config', 'srs-reference.yml')));
  assert.equal(compiled.name, 'default');
  assert.deepEqual(
    compiled.families.map((f) => f.name),
    [
      'server',
      'stream_clients_clients',
      'stream_clients_frames',
      'stream_clients_publish',
      'stream_clients_recv_bytes',
      'stream_clients_send_bytes',
    ],
  );
  const clients = compiled.families.find((f) => f.name === 'stream_clients_clients');
  assert.deepEqual(clients, {
    name: 'stream_clients_clients',
    help: 'Example of sub-level value scrapes from a json',
    type: 'untyped',
    labelNames: ['name'],
  });
  assert.deepEqual(compiled.families[0], { name: 'server', help: 'server', type: 'untyped', labelNames: [] });
});

test('each value of a metric points at its family by position in the sorted list', () => {
  const compiled = compileModule(moduleFrom(readFixture('config', 'srs-reference.yml')));
  const streams = compiled.metrics[1];
  assert.ok(streams);
  assert.equal(streams.type, 'object');
  assert.equal(streams.elements?.text, '{.streams[?(@.name!="")]}');
  for (const value of streams.values) {
    const family = compiled.families[value.family];
    assert.ok(family);
    const key = family.name.slice('stream_clients_'.length);
    const expected: Record<string, string> = {
      clients: '{.clients}',
      send_bytes: '{.send_bytes}',
      recv_bytes: '{.recv_bytes}',
      frames: '{.frames}',
      publish: '{.publish.active}',
    };
    assert.equal(value.template.text, expected[key], family.name);
  }
  assert.equal(compiled.metrics[0]?.elements, undefined, 'type: value selects no elements');
});

test('label names are sorted and label templates follow that order', () => {
  const compiled = compileModule(
    moduleFrom(`
modules:
  default:
    metrics:
    - name: m
      path: '{.v}'
      labels:
        zone: '{.z}'
        app: live
        name: '{.n}'
`),
  );
  assert.deepEqual(compiled.families[0]?.labelNames, ['app', 'name', 'zone']);
  assert.deepEqual(
    compiled.metrics[0]?.labels.map((t) => t.text),
    ['live', '{.n}', '{.z}'],
  );
});

test('families of several metrics are sorted by name across metrics, not in config order', () => {
  const compiled = compileModule(
    moduleFrom(`
modules:
  default:
    metrics:
    - name: zeta
      path: '{.z}'
    - name: alpha
      type: object
      path: '{.items[*]}'
      values: {z_last: '{.a}', a_first: '{.b}'}
    - name: mid
      path: '{.m}'
`),
  );
  assert.deepEqual(
    compiled.families.map((f) => f.name),
    ['alpha_a_first', 'alpha_z_last', 'mid', 'zeta'],
  );
  assert.deepEqual(
    compiled.metrics.map((m) => m.name),
    ['zeta', 'alpha', 'mid'],
    'metrics keep config order',
  );
});

test('one family name with two different label sets is a ModuleCompileError naming module, family and labels', () => {
  const module = moduleFrom(
    `
modules:
  srs:
    metrics:
    - name: stream_clients
      path: '{.total}'
      labels: {server: '{.server}'}
    - name: stream
      type: object
      path: '{.streams[*]}'
      labels: {name: '{.name}'}
      values: {clients: '{.clients}'}
`,
    'srs',
  );
  assert.throws(
    () => compileModule(module),
    (err: unknown) => {
      assert.ok(err instanceof ModuleCompileError);
      assert.equal(err.code, 'FJE_MODULE_INCONSISTENT_FAMILY');
      assert.match(err.message, /module "srs"/);
      assert.match(err.message, /"stream_clients"/);
      assert.match(err.message, /\[server\] and \[name\]/);
      return true;
    },
  );
});

test('one family name with two valuetypes is a ModuleCompileError; two helps merge with the first winning', () => {
  const twoTypes = moduleFrom(
    `
modules:
  default:
    metrics:
    - {name: clients, path: '{.a}', valuetype: gauge}
    - {name: clients, path: '{.b}', valuetype: counter}
`,
    'default',
  );
  assert.throws(
    () => compileModule(twoTypes),
    /metric "clients" is defined twice with different valuetype \(gauge and counter\)/,
  );
  const twoHelps = moduleFrom(
    `
modules:
  default:
    metrics:
    - {name: clients, path: '{.a}', help: Clients now}
    - {name: clients, path: '{.b}', help: Clients then}
`,
    'default',
  );
  const merged = compileModule(twoHelps);
  assert.deepEqual(
    merged.families.map((f) => [f.name, f.help]),
    [['clients', 'Clients now']],
  );
});

test('one family name from two metrics with the same labels is one family fed by both', () => {
  const compiled = compileModule(
    moduleFrom(`
modules:
  default:
    metrics:
    - name: bytes
      type: object
      path: '{.a[*]}'
      labels: {name: '{.n}'}
      values: {total: '{.x}'}
    - name: bytes_total
      path: '{.y}'
      labels: {name: edge}
`),
  );
  assert.deepEqual(
    compiled.families.map((f) => f.name),
    ['bytes_total'],
  );
  assert.equal(compiled.metrics[0]?.values[0]?.family, 0);
  assert.equal(compiled.metrics[1]?.values[0]?.family, 0);
});

test('a valueconverter attaches to the value whose template it names, with lower-cased keys', () => {
  const compiled = compileModule(
    moduleFrom(`
modules:
  default:
    metrics:
    - name: svc
      type: object
      path: '{.items[*]}'
      values:
        state: '{.state}'
        count: '{.count}'
      valueconverter:
        '{.state}':
          ACTIVE: 1
          Inactive: 2
`),
  );
  const values = compiled.metrics[0]?.values ?? [];
  const state = values.find((v) => v.template.text === '{.state}');
  const count = values.find((v) => v.template.text === '{.count}');
  assert.ok(count && state);
  assert.equal(count.converter, undefined);
  assert.deepEqual(
    [...(state.converter ?? [])],
    [
      ['active', '1'],
      ['inactive', '2'],
    ],
  );
});

test('epochTimestamp and allow_missing_key carry over to the compiled metric', () => {
  const compiled = compileModule(moduleFrom(readFixture('config', 'json-exporter-example.yml')));
  const timestamped = compiled.metrics.find((m) => m.name === 'example_timestamped_value');
  assert.equal(timestamped?.timestamp?.text, '{ .timestamp }');
  assert.equal(timestamped?.allowMissingKey, false);
  const missing = compiled.metrics.find((m) => m.name === 'example_missing_key');
  assert.equal(missing?.timestamp, undefined);
  assert.equal(missing?.allowMissingKey, true);
});

test('a literal value compiles to a template without blocks', () => {
  const compiled = compileModule(moduleFrom(readFixture('config', 'json-exporter-example.yml')));
  const active = compiled.metrics
    .find((m) => m.name === 'example_value')
    ?.values.find((v) => compiled.families[v.family]?.name === 'example_value_active');
  assert.equal(active?.template.text, '1');
  assert.equal(active?.template.isSingleBlock, false);
});

test('a literal label or path reads nothing of the document and leaves the expected root to the templates', () => {
  const compiled = compileModule(
    moduleFrom(
      "modules:\n  default:\n    metrics:\n    - { name: up, path: '{.up}', labels: { source: srs } }\n    - { name: one, path: '1' }\n",
    ),
  );
  assert.equal(compiled.expectedRoot, 'object');
});
