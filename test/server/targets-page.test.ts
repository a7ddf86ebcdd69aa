// The /targets page in a real browser (headless Chromium): rows per job, states, errors, escaping, the page's script.
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { configLoader } from '../../src/commands/load-config.js';
import { scrapeTargetId, type ScrapeTarget } from '../../src/discovery/target.js';
import { TargetStore } from '../../src/fleet/store.js';
import { ConfigReloader } from '../../src/server/config-reloader.js';
import { createExporterServer, type ExporterServer } from '../../src/server/http-server.js';
import { createInlineHotPath } from '../../src/pool/hot-path.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { createSelfMetrics } from '../../src/telemetry/self-metrics.js';
import { dumpDom, screenshot } from '../helpers/chromium.js';
import { ScrapeOutcomeRecorder } from '../../src/scrape/record-outcome.js';

const HOSTILE = '<img src=x onerror="document.title=\'pwned\'">';
let server: ExporterServer;
let reloader: ConfigReloader;
const hotPath = createInlineHotPath();
let base: string;

function makeTarget(job: string, host: string, labels: Record<string, string> = {}): ScrapeTarget {
  const url = `http://${host}/api/v1/streams/`;
  return {
    id: scrapeTargetId(job, url),
    job,
    url,
    module: 'default',
    labels: { job, instance: host, ...labels },
    intervalMs: 15_000,
    timeoutMs: 10_000,
    source: 'file_sd:targets/edge.yml',
  };
}

before(async () => {
  const store = new TargetStore();
  const now = Date.now();
  const up = makeTarget('srs-edge', '10.0.0.1:1985', { cluster: 'prod' });
  const down = makeTarget('srs-edge', '10.0.0.2:1985', { cluster: 'prod', note: HOSTILE });
  const waiting = makeTarget('srs-origin', '10.0.1.1:1985');
  for (const target of [up, down, waiting]) store.upsertTarget(target);
  store.record(
    up,
    { ok: true, families: { text: [], openmetrics: [] }, sampleCount: 250 },
    { startedMs: now - 3_000, durationMs: 42 },
  );
  store.record(
    down,
    { ok: false, reason: 'connection_refused', message: `GET ${down.url}: connect ECONNREFUSED ${HOSTILE}` },
    { startedMs: now - 5_000, durationMs: 2 },
  );
  const metrics = createSelfMetrics();
  const logger = createLogger('error');
  reloader = new ConfigReloader(configLoader(undefined), metrics, logger);
  server = createExporterServer({
    hotPath,
    reloader,
    metrics,
    recorder: new ScrapeOutcomeRecorder(metrics),
    logger,
    telemetryPath: '/metrics',
    maxBodyBytes: 1 << 20,
    timeoutOffsetMs: 500,
    fleet: () => ({
      store,
      metrics,
      shard: { total: 3, index: 1 },
      sources: () => [
        { job: 'srs-edge', source: 'file_sd:targets/*.yml', lastRefresh: now - 1_000, targetCount: 2 },
        {
          job: 'srs-origin',
          source: 'http_sd:http://sd.example/targets',
          lastRefresh: now - 2_000,
          lastError: 'GET http://sd.example/targets: connect ECONNREFUSED',
          targetCount: 1,
        },
      ],
    }),
  });
  base = `http://127.0.0.1:${(await server.listen(0, '127.0.0.1')).port}`;
});

after(async () => {
  await server.close();
  await reloader.close();
});

/** The rendered rows: state, URL and the text of each cell, from Chromium's DOM. */
function rows(dom: string): Array<{ state: string; url: string; cells: string[] }> {
  return [...dom.matchAll(/<tr class="target" data-state="(\w+)" data-url="([^"]+)"[^>]*>([\s\S]*?)<\/tr>/g)].map(
    (m) => ({
      state: m[1]!,
      url: m[2]!,
      cells: [...m[3]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => c[1]!),
    }),
  );
}

describe('/targets in headless Chromium', () => {
  test('rows grouped by job, state coloured, last scrape age, duration, samples, labels, error', async () => {
    const dom = await dumpDom(`${base}/targets`);
    assert.match(dom, /<body[^>]*data-ready="1"/, 'the page script did not run');
    assert.match(dom, /<title>Targets · Fleet JSON Exporter<\/title>/);
    assert.match(dom, /Shard 2 of 3 · 3 targets/);
    const sections = [
      ...dom.matchAll(
        /<section class="job" data-job="([^"]+)"><h2>[^<]*<span class="(count-\w+)">\((\d+)\/(\d+) up\)/g,
      ),
    ].map((m) => m.slice(1));
    assert.deepEqual(sections, [
      ['srs-edge', 'count-down', '1', '2'],
      ['srs-origin', 'count-down', '0', '1'],
    ]);
    const all = rows(dom);
    assert.deepEqual(
      all.map((r) => [r.state, r.url]),
      [
        ['up', 'http://10.0.0.1:1985/api/v1/streams/'],
        ['down', 'http://10.0.0.2:1985/api/v1/streams/'],
        ['unknown', 'http://10.0.1.1:1985/api/v1/streams/'],
      ],
    );
    const [upRow, downRow, waitingRow] = all;
    assert.match(upRow!.cells[1]!, /class="state state-up">UP</);
    assert.match(upRow!.cells[3]!, /\d+\.\ds ago/, 'the age is computed in the browser');
    assert.equal(upRow!.cells[4], '42.0ms');
    assert.equal(upRow!.cells[5], '250');
    assert.match(upRow!.cells[2]!, /cluster="prod"/);
    assert.match(downRow!.cells[1]!, /state-down">DOWN</);
    assert.match(
      downRow!.cells[6]!,
      /<span class="reason">connection_refused<\/span> GET http:\/\/10\.0\.0\.2:1985\/api\/v1\/streams\/: connect ECONNREFUSED/,
    );
    assert.equal(waitingRow!.cells[3], 'never');
    // Hostile text stays text: no element was created from it and its handler never ran.
    assert.ok(!dom.includes('<img'), 'a label value became markup');
    assert.ok(dom.includes('&lt;img src=x onerror="document.title=\'pwned\'"&gt;'));
    assert.ok(!dom.includes('pwned</title>'));
    // Discovery sources: open because one fails, its error shown.
    assert.match(dom, /<details class="sources" open=""><summary>Discovery: 2 sources/);
    const sources = [
      ...dom.matchAll(/<tr class="source" data-failing="(\w+)"><td>([^<]+)<\/td><td>([^<]+)<\/td><td>(\d+)<\/td>/g),
    ].map((m) => m.slice(1));
    assert.deepEqual(sources, [
      ['no', 'srs-edge', 'file_sd:targets/*.yml', '2'],
      ['yes', 'srs-origin', 'http_sd:http://sd.example/targets', '1'],
    ]);
    assert.match(dom, /<td class="error">GET http:\/\/sd\.example\/targets: connect ECONNREFUSED<\/td>/);
  });

  test('a screenshot of the page is saved in test-artifacts/', async () => {
    const path = await screenshot(`${base}/targets`, 'targets-page.png');
    assert.ok(existsSync(path) && statSync(path).size > 10_000, `no screenshot at ${path}`);
  });
});
