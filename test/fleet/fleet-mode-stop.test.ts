// FleetMode.stop while a reload's discovery is still in its first round: the round is aborted, not waited for.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createInlineHotPath } from '../../src/pool/hot-path.js';
import { FleetMode } from '../../src/fleet/fleet-mode.js';
import { createSelfMetrics } from '../../src/telemetry/self-metrics.js';
import { fleetConfig, quietLogger } from '../helpers/discovery.js';
import { startTestServer, type TestServer } from '../helpers/http.js';
import { ScrapeOutcomeRecorder } from '../../src/scrape/record-outcome.js';

let sd: TestServer;
let sdRequested: () => void;
const requested = new Promise<void>((resolve) => {
  sdRequested = resolve;
});
let sdClosedByClient: () => void;
/** Resolves when the exporter ends the SD request (the server sees its socket close). */
const sdClosed = new Promise<void>((resolve) => {
  sdClosedByClient = resolve;
});

before(async () => {
  // Never answers: only the exporter can end the request (its own timeout is 30 s with a 1 h refresh interval).
  sd = await startTestServer((req) => {
    req.on('close', () => sdClosedByClient());
    sdRequested();
  });
});

after(async () => {
  await sd.close();
});

// The deadline guards against the bug this checks for: stop() waiting out the SD request's 30 s timeout.
test(
  'stop during the first round of a discovery aborts that round and stops without installing it',
  { timeout: 20_000 },
  async () => {
    const metrics = createSelfMetrics();
    const fleet = new FleetMode({
      prepared: () => {
        throw new Error('no scrape expected');
      },
      hotPath: createInlineHotPath(),
      metrics,
      recorder: new ScrapeOutcomeRecorder(metrics),
      logger: quietLogger(),
      maxBodyBytes: 1 << 20,
      shardFlags: {},
      configDir: process.cwd(),
    });
    const config = fleetConfig(
      `fleet:\n  jobs:\n  - name: edge\n    module: default\n    http_sd: { url: "${sd.url}/sd", refresh_interval: 1h }\n`,
    );
    const applied = fleet.apply(config);
    await requested;
    await fleet.stop();
    await applied;
    // Within the deadline: the request was aborted, not left to its 30 s timeout.
    await sdClosed;
    assert.equal(fleet.active, false, 'a discovery stopped during its first round was installed');
    assert.deepEqual(fleet.scheduler.targets(), []);
  },
);
