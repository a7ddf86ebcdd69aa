// file_sd: Prometheus target-group files (YAML and JSON) by glob, relative to the config folder, watched for edits.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createFileSdSource, watchedFolder } from '../../src/discovery/file-sd-source.js';
import { createDiscovery } from '../../src/discovery/manager.js';
import { fleetConfig, quietLogger, urlsOf, waitForTargets } from '../helpers/discovery.js';

const root = mkdtempSync(join(tmpdir(), 'fje-file-sd-'));
after(() => rmSync(root, { recursive: true, force: true }));

let folders = 0;
/** A fresh config folder with a targets/ subfolder. */
function configFolder(): string {
  const dir = join(root, `config-${folders++}`);
  mkdirSync(join(dir, 'targets'), { recursive: true });
  return dir;
}

// Refresh 1h: within a test only the folder watch can deliver an edit.
const FLEET = `fleet:
  jobs:
  - name: edge
    module: default
    labels: { cluster: prod }
    target_url: "http://{{address}}/api/v1/streams/"
    file_sd: ["targets/*.yml", "targets/*.json"]
    file_sd_refresh_interval: 1h
`;

function discoveryIn(dir: string) {
  return createDiscovery(fleetConfig(FLEET), { logger: quietLogger(), shard: { total: 1, index: 0 }, configDir: dir });
}

test('YAML and JSON files matched by globs relative to the config folder give targets with their group labels', async () => {
  const dir = configFolder();
  writeFileSync(
    join(dir, 'targets', 'a.yml'),
    '- targets: ["10.0.0.1:1985", "http://10.0.0.9:8080/streams"]\n  labels: { zone: a, __meta_x: dropped }\n',
  );
  writeFileSync(
    join(dir, 'targets', 'b.json'),
    JSON.stringify([{ targets: ['10.0.0.2:1985'], labels: { zone: 'b', instance: 'edge-b' } }]),
  );
  writeFileSync(join(dir, 'targets', 'ignored.txt'), 'not matched');
  const discovery = discoveryIn(dir);
  await discovery.start();
  assert.deepStrictEqual(
    discovery.targets().map((t) => [t.url, t.labels, t.source]),
    [
      [
        'http://10.0.0.1:1985/api/v1/streams/',
        { job: 'edge', instance: '10.0.0.1:1985', cluster: 'prod', zone: 'a' },
        'file_sd:targets/a.yml',
      ],
      [
        'http://10.0.0.2:1985/api/v1/streams/',
        { job: 'edge', instance: 'edge-b', cluster: 'prod', zone: 'b' },
        'file_sd:targets/b.json',
      ],
      [
        'http://10.0.0.9:8080/streams',
        { job: 'edge', instance: '10.0.0.9:8080', cluster: 'prod', zone: 'a' },
        'file_sd:targets/a.yml',
      ],
    ],
  );
  assert.deepStrictEqual(
    discovery.sources().map((s) => [s.source, s.targetCount, s.lastError]),
    [
      ['file_sd:targets/*.yml', 2, undefined],
      ['file_sd:targets/*.json', 1, undefined],
    ],
  );
  await discovery.stop();
});

test('editing a file changes the targets (the folder is watched)', async () => {
  const dir = configFolder();
  const file = join(dir, 'targets', 'edge.yml');
  writeFileSync(file, '- targets: ["10.0.0.1:1985"]\n');
  const discovery = discoveryIn(dir);
  await discovery.start();
  assert.deepStrictEqual(urlsOf(discovery.targets()), ['http://10.0.0.1:1985/api/v1/streams/']);
  const changed = waitForTargets(discovery, (targets) => targets.length === 2);
  writeFileSync(file, '- targets: ["10.0.0.1:1985", "10.0.0.3:1985"]\n');
  assert.deepStrictEqual(urlsOf(await changed), [
    'http://10.0.0.1:1985/api/v1/streams/',
    'http://10.0.0.3:1985/api/v1/streams/',
  ]);
  await discovery.stop();
});

test('a new file matching the glob adds targets; a deleted file takes its targets away', async () => {
  const dir = configFolder();
  writeFileSync(join(dir, 'targets', 'one.yml'), '- targets: ["10.0.0.1:1985"]\n');
  const discovery = discoveryIn(dir);
  await discovery.start();
  const added = waitForTargets(discovery, (targets) => targets.length === 2);
  writeFileSync(join(dir, 'targets', 'two.yml'), '- targets: ["10.0.0.2:1985"]\n');
  await added;
  const removed = waitForTargets(discovery, (targets) => targets.length === 1);
  unlinkSync(join(dir, 'targets', 'one.yml'));
  assert.deepStrictEqual(urlsOf(await removed), ['http://10.0.0.2:1985/api/v1/streams/']);
  await discovery.stop();
});

test('a broken file keeps its last good targets and records the error until it is fixed', async () => {
  const dir = configFolder();
  const file = join(dir, 'targets', 'edge.yml');
  writeFileSync(file, '- targets: ["10.0.0.1:1985"]\n');
  writeFileSync(join(dir, 'targets', 'other.yml'), '- targets: ["10.0.0.2:1985"]\n');
  const job = fleetConfig(FLEET).fleet?.jobs[0];
  assert.ok(job);
  const source = createFileSdSource(job, 'targets/*.yml', dir, quietLogger());
  await source.start(() => {});
  writeFileSync(file, '- targets: ["10.0.0.1"]\n');
  await source.refreshNow();
  assert.deepStrictEqual(
    source.targets().map((t) => t.address),
    ['10.0.0.1:1985', '10.0.0.2:1985'],
  );
  assert.equal(
    source.status().lastError,
    'targets/edge.yml: target group 0: "10.0.0.1" is neither an absolute http(s) URL nor host:port (e.g. 10.0.0.7:1985)',
  );
  writeFileSync(file, '{ not yaml');
  await source.refreshNow();
  assert.match(source.status().lastError ?? '', /^targets\/edge\.yml: /);
  writeFileSync(file, '- targets: ["10.0.0.5:1985"]\n  labels: { "bad-name": x }\n');
  await source.refreshNow();
  assert.equal(
    source.status().lastError,
    'targets/edge.yml: target group 0: "bad-name" is not a valid label name; use letters, digits and _, not starting with a digit',
  );
  writeFileSync(file, '- targets: ["10.0.0.5:1985"]\n');
  await source.refreshNow();
  assert.equal(source.status().lastError, undefined);
  assert.deepStrictEqual(
    source.targets().map((t) => t.address),
    ['10.0.0.5:1985', '10.0.0.2:1985'],
  );
  await source.stop();
});

test('an empty file has no targets; a folder that does not exist yet is no error', async () => {
  const dir = configFolder();
  writeFileSync(join(dir, 'targets', 'empty.yml'), '');
  const discovery = createDiscovery(
    fleetConfig('fleet:\n  jobs:\n  - { name: e, module: default, file_sd: ["targets/*.yml", "later/*.yml"] }\n'),
    { logger: quietLogger(), shard: { total: 1, index: 0 }, configDir: dir },
  );
  await discovery.start();
  assert.deepStrictEqual(discovery.targets(), []);
  assert.deepStrictEqual(
    discovery.sources().map((s) => s.lastError),
    [undefined, undefined],
  );
  await discovery.stop();
});

test('the watched folder is the pattern’s part before the first glob', () => {
  assert.equal(watchedFolder('/etc/fje/targets/*.yml'), '/etc/fje/targets');
  assert.equal(watchedFolder('/etc/fje/*/edge.yml'), '/etc/fje');
  assert.equal(watchedFolder('/etc/fje/targets/edge.json'), '/etc/fje/targets');
});
