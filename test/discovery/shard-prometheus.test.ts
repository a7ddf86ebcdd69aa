// hashmod agrees with a real Prometheus: it relabels 200 target URLs with `action: hashmod` and we compare shard by shard.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { after, test } from 'node:test';
import { hashmod } from '../../src/discovery/shard.js';
import { httpGet } from '../helpers/http.js';

const PROMETHEUS = '/usr/bin/prometheus';
const URLS = Array.from(
  { length: 200 },
  (_, i) => `http://srs-edge-${i}.srs.svc.cluster.local:1985/api/v1/streams/?count=1000`,
);

const dir = mkdtempSync(join(tmpdir(), 'fje-prometheus-'));
let prometheus: ChildProcess | undefined;
after(async () => {
  if (prometheus?.exitCode === null && prometheus.signalCode === null) {
    const exited = new Promise((resolve) => prometheus?.once('exit', resolve));
    prometheus.kill('SIGTERM');
    // Bounded: a Prometheus slow to stop is killed, so the file's process can end.
    const killer = setTimeout(() => prometheus?.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(killer);
  }
  rmSync(dir, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

interface ActiveTarget {
  readonly labels: Record<string, string>;
}

test(
  'Prometheus’s hashmod relabelling puts every URL in the shard we compute (modulus 3 and 7)',
  { timeout: 90_000 },
  async () => {
    // CI installs the Debian `prometheus` package (.ci/run); a missing binary fails rather than skips.
    assert.ok(
      existsSync(PROMETHEUS),
      `${PROMETHEUS} is missing: install the Debian package prometheus, as .ci/run does`,
    );
    // One group per URL, each its own unreachable address (port 1..200): Prometheus only has to discover, not scrape.
    writeFileSync(
      join(dir, 'targets.json'),
      JSON.stringify(URLS.map((url, i) => ({ targets: [`127.0.0.1:${i + 1}`], labels: { url } }))),
    );
    writeFileSync(
      join(dir, 'prometheus.yml'),
      [
        'global: { scrape_interval: 1h, scrape_timeout: 10s }',
        'scrape_configs:',
        '  - job_name: hashmod',
        `    file_sd_configs: [{ files: ["${join(dir, 'targets.json')}"] }]`,
        '    relabel_configs:',
        '      - { source_labels: [url], target_label: shard3, modulus: 3, action: hashmod }',
        '      - { source_labels: [url], target_label: shard7, modulus: 7, action: hashmod }',
        '',
      ].join('\n'),
    );
    const port = await freePort();
    prometheus = spawn(
      PROMETHEUS,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    prometheus.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));

    // Prometheus has no event to await from outside: poll its API, bounded (45 s: its start and file_sd can take a
    // while on a busy machine), until file_sd delivered all 200.
    let targets: ActiveTarget[] = [];
    const deadline = Date.now() + 45_000;
    for (let attempt = 0; attempt < 1_000 && targets.length < URLS.length && Date.now() < deadline; attempt++) {
      assert.equal(prometheus.exitCode, null, `prometheus exited: ${stderr}`);
      try {
        const response = await httpGet(`http://127.0.0.1:${port}/api/v1/targets?state=active`);
        if (response.status === 200)
          targets = (JSON.parse(response.text) as { data: { activeTargets: ActiveTarget[] } }).data.activeTargets;
      } catch {
        // Not listening yet.
      }
      if (targets.length < URLS.length) await delay(100);
    }
    assert.equal(
      targets.length,
      URLS.length,
      `Prometheus discovered ${targets.length} of ${URLS.length} targets; stderr: ${stderr}`,
    );
    for (const target of targets) {
      const url = target.labels['url'] ?? '';
      assert.equal(target.labels['shard3'], String(hashmod(url, 3)), url);
      assert.equal(target.labels['shard7'], String(hashmod(url, 7)), url);
    }
  },
);
