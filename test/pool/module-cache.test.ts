// A worker's compiled-module cache: one entry per module for the newest generation; a reload drops the old ones.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../src/config/load.js';
import type { ModuleConfig } from '../../src/config/types.js';
import { ModuleCache } from '../../src/pool/module-cache.js';
import { WorkerPool } from '../../src/pool/worker-pool.js';
import { prepareConfig } from '../../src/scrape/prepared-config.js';
import { readFixture } from '../helpers/fixtures.js';
import { referenceBody, taskFor } from './pool-fixtures.js';

const REFERENCE_YAML = readFixture('config', 'srs-reference.yml');
/** The reference config after an edit: the object metric renamed, as a reload would bring. */
const EDITED_YAML = REFERENCE_YAML.replace('name: stream_clients', 'name: srs_stream');

function modulesOf(yaml: string, generation: number): { default: ModuleConfig; other: ModuleConfig } {
  const config = parseConfig(yaml, 'test.yml', generation);
  const module = config.modules['default'];
  assert.ok(module);
  return { default: module, other: { ...module, name: 'other' } };
}

test('the second task of a module in a generation is a cache hit', () => {
  const cache = new ModuleCache();
  const { default: module } = modulesOf(REFERENCE_YAML, 1);
  assert.equal(cache.get(1, 'default', module).hit, false);
  const second = cache.get(1, 'default', module);
  assert.equal(second.hit, true);
  assert.equal(second.compiled.families[1]?.name, 'stream_clients_clients');
});

test('a newer generation drops every module compiled for older ones', () => {
  const cache = new ModuleCache();
  const first = modulesOf(REFERENCE_YAML, 1);
  cache.get(1, 'default', first.default);
  cache.get(1, 'other', first.other);
  assert.deepEqual(cache.contents, { generation: 1, names: ['default', 'other'] });

  const edited = modulesOf(EDITED_YAML, 2);
  const fresh = cache.get(2, 'default', edited.default);
  assert.equal(fresh.hit, false);
  assert.equal(fresh.compiled.families[1]?.name, 'srs_stream_clients');
  assert.deepEqual(cache.contents, { generation: 2, names: ['default'] });
});

test('a task of an older generation after a reload is compiled for itself and not cached', () => {
  const cache = new ModuleCache();
  const older = modulesOf(REFERENCE_YAML, 1);
  cache.get(2, 'default', modulesOf(EDITED_YAML, 2).default);
  const stale = cache.get(1, 'default', older.default);
  assert.equal(stale.hit, false);
  assert.equal(stale.compiled.families[1]?.name, 'stream_clients_clients');
  assert.deepEqual(cache.contents, { generation: 2, names: ['default'] });
  assert.equal(cache.get(2, 'default', modulesOf(EDITED_YAML, 2).default).hit, true);
});

test('through the pool, a reload’s generation switches a worker to the edited module', async () => {
  const generation = (yaml: string, number: number) => {
    const module = prepareConfig(parseConfig(yaml, 'test.yml', number)).modules.get('default');
    assert.ok(module);
    return module.hotPath;
  };
  const firstNames = (result: Awaited<ReturnType<WorkerPool['run']>>): string[] =>
    result.ok
      ? (result.families.text ?? []).filter((family) => family.text !== '').map((family) => family.name)
      : [result.message];
  const pool = new WorkerPool({ threads: 1, maxQueue: 4 });
  try {
    const before = await pool.run(taskFor(generation(REFERENCE_YAML, 1), referenceBody()));
    assert.ok(firstNames(before).includes('stream_clients_clients'));
    const reloaded = await pool.run(taskFor(generation(EDITED_YAML, 2), referenceBody()));
    assert.ok(firstNames(reloaded).includes('srs_stream_clients'));
    assert.ok(!firstNames(reloaded).includes('stream_clients_clients'));
    const late = await pool.run(taskFor(generation(REFERENCE_YAML, 1), referenceBody()));
    assert.ok(
      firstNames(late).includes('stream_clients_clients'),
      'a probe begun before the reload keeps its own module',
    );
  } finally {
    await pool.close();
  }
});
