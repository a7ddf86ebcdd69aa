// The serve loader refuses a fleet section this replica cannot run, at start and on reload.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { serveConfigLoader } from '../../src/commands/load-config.js';
import { startExporter, type RunningExporter } from '../../src/commands/serve.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { readFixture } from '../helpers/fixtures.js';
import { httpGet } from '../helpers/http.js';

let dir: string;
let configFile: string;

function writeFleetConfig(shard: string): void {
  writeFileSync(
    configFile,
    readFixture('config', 'srs-reference.yml') +
      `fleet:\n  shard: ${shard}\n  jobs:\n    - name: srs-edge\n      module: default\n      static_targets: ["http://127.0.0.1:9/api/v1/streams/"]\n`,
  );
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'fje-load-config-'));
  configFile = join(dir, 'config.yml');
});

after(() => rmSync(dir, { recursive: true, force: true }));

describe('serveConfigLoader', () => {
  test('a sharded fleet with no index and a hostname without an ordinal fails the load with FJE_SHARD_INDEX_UNKNOWN', () => {
    writeFleetConfig('{ total: 3 }');
    assert.throws(() => serveConfigLoader(configFile, {}, 'exporter')(), { code: 'FJE_SHARD_INDEX_UNKNOWN' });
  });

  test('the StatefulSet ordinal of the hostname makes the same config load', () => {
    writeFleetConfig('{ total: 3 }');
    assert.equal(serveConfigLoader(configFile, {}, 'srs-exporter-2')().fleet?.shard.total, 3);
  });

  test("--shard.index beyond the config's total fails the load with FJE_SHARD_INVALID", () => {
    writeFleetConfig('{ total: 2 }');
    assert.throws(() => serveConfigLoader(configFile, { index: 2 }, 'exporter')(), { code: 'FJE_SHARD_INVALID' });
  });

  test("--shard.total contradicting the file's fleet.shard fails the load with FJE_SHARD_CONFLICT", () => {
    writeFleetConfig('{ total: 1, index: 0 }');
    assert.throws(() => serveConfigLoader(configFile, { total: 3 }, 'srs-exporter-1')(), {
      code: 'FJE_SHARD_CONFLICT',
    });
  });

  test('a config without fleet: loads whatever the shard flags say', () => {
    writeFileSync(configFile, readFixture('config', 'srs-reference.yml'));
    assert.equal(serveConfigLoader(configFile, { index: 5 }, 'exporter')().fleet, undefined);
  });
});

describe('reload of a fleet section this replica cannot run', () => {
  let exporter: RunningExporter;

  before(async () => {
    writeFleetConfig('{ total: 2 }');
    exporter = await startExporter(
      {
        configFile,
        configCheck: false,
        listenAddress: '127.0.0.1:0',
        telemetryPath: '/metrics',
        logLevel: 'error',
        maxBodyBytes: 1 << 20,
        timeoutOffsetMs: 500,
        shardIndex: 1,
        workers: 0,
      },
      createLogger('error'),
    );
  });

  after(() => exporter.stop());

  test('answers 500 naming the shard problem, keeps the previous generation and reports the failed reload', async () => {
    const generation = exporter.reloader.current.config.generation;
    writeFleetConfig('{ total: 1 }');
    const reload = await httpGet(`http://127.0.0.1:${exporter.port}/-/reload`, { method: 'POST' });
    assert.equal(reload.status, 500);
    assert.match(reload.text, /shard index 1 \(from --shard\.index\) is not below the shard total 1/);
    assert.equal(exporter.reloader.current.config.generation, generation);
    assert.equal(exporter.fleet.active, true);
    assert.match(
      (await httpGet(`http://127.0.0.1:${exporter.port}/metrics`)).text,
      /^fleet_json_exporter_config_last_reload_successful 0$/m,
    );
  });
});
