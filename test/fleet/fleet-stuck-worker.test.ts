// A fleet target whose module's filter backtracks for hours (a regular expression only jsonpath-plus runs, which no
// budget check interrupts): its batch is stopped at its deadline and the worker replaced, so the next targets'
// bodies are served by the pool instead of queueing behind a worker that never comes back.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { parseConfig } from '../../src/config/load.js';
import { scrapeTargetId, type ScrapeTarget } from '../../src/discovery/target.js';
import { createFleetScrape } from '../../src/fleet/fleet-scrape.js';
import type { TargetScrapeOutcome } from '../../src/fleet/store.js';
import { createHotPath } from '../../src/pool/create-hot-path.js';
import { closePreparedConfig, prepareConfig, type PreparedConfig } from '../../src/scrape/prepared-config.js';
import { startTestServer, type TestServer } from '../helpers/http.js';
import { waitFor } from '../helpers/wait-for.js';

const CONFIG = `
modules:
  regex:
    metrics:
    - { name: matched, path: '{.items[?(@.name.match(/^(a+)+\\1$/) && @.x)].x}' }
  streams:
    metrics:
    - name: stream
      type: object
      path: '{.streams[*]}'
      labels: { name: '{.name}' }
      values: { clients: '{.clients}' }
`;

const BODIES: Record<string, string> = {
  // 40 a's then b: /^(a+)+\1$/ backtracks for hours, and the backreference keeps V8's linear engine out.
  '/regex': JSON.stringify({ items: [{ name: `${'a'.repeat(40)}b`, x: 1 }] }),
  '/streams': JSON.stringify({ streams: [{ name: 'live', clients: 3 }] }),
};

let server: TestServer;
let prepared: PreparedConfig;
const hotPath = createHotPath({ workers: 1, maxQueue: 4, inlineMaxBytes: 0 });

before(async () => {
  server = await startTestServer((req, res) => {
    const body = BODIES[req.url ?? ''];
    if (body === undefined) res.writeHead(404).end();
    else res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  prepared = prepareConfig(parseConfig(CONFIG, '<fleet-stuck-worker>', 1));
});

after(async () => {
  await Promise.all([server.close(), hotPath.close(), closePreparedConfig(prepared)]);
});

function targetFor(path: string, module: string, timeoutMs: number): ScrapeTarget {
  const url = `${server.url}${path}`;
  return {
    id: scrapeTargetId('srs', url),
    job: 'srs',
    url,
    module,
    labels: { job: 'srs', instance: new URL(server.url).host },
    intervalMs: 15_000,
    timeoutMs,
    source: 'static',
  };
}

/** One scrape as the scheduler runs it: its signal aborts at the target's timeout. */
async function scrapeOnce(target: ScrapeTarget): Promise<TargetScrapeOutcome> {
  const scrape = createFleetScrape({ prepared: () => prepared, hotPath, maxBodyBytes: 1 << 20 });
  const controller = new AbortController();
  const deadline = setTimeout(() => controller.abort(new Error('deadline')), target.timeoutMs);
  try {
    return await scrape(target, controller.signal);
  } finally {
    clearTimeout(deadline);
  }
}

test(
  'a batch stuck in a backtracking filter has its worker replaced; the next target is served',
  {
    timeout: 120_000,
  },
  async () => {
    const pool = hotPath.pool;
    assert.ok(pool !== undefined, 'a pool with one worker');
    await waitFor('the worker to start', async () => (pool.startedWorkers > 0 ? true : undefined), 60_000);
    const stuck = await scrapeOnce(targetFor('/regex', 'regex', 1500));
    assert.equal(
      stuck.ok ? 'ok' : stuck.reason,
      'aborted',
      'the scrape ends at its deadline, as the scheduler aborts it',
    );
    // Queued behind the stuck batch on the one worker: served once that worker is replaced, well before its own
    // deadline (without the replacement it would wait the full 20 s and end aborted).
    const next = await scrapeOnce(targetFor('/streams', 'streams', 20_000));
    assert.equal(next.ok ? 'ok' : `${next.reason}: ${next.message}`, 'ok');
    assert.equal(next.ok ? next.sampleCount : 0, 1);
    assert.equal(pool.stuckWorkersReplaced, 1);
    assert.equal(pool.stats.threads, 1, 'the replacement worker took its place');
  },
);
