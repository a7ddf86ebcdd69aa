// probeTarget against the SRS fleet simulator: paging fetches every stream, bounded and counted; SRS error codes fail.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startFleetSimulator, type FleetSimulator } from '../../bench/simulator/fleet-simulator.js';
import { parseConfig } from '../../src/config/index.js';
import { createHotPath } from '../../src/pool/create-hot-path.js';
import { createInlineHotPath, type HotPath } from '../../src/pool/hot-path.js';
import { probeTarget, type ProbeOutcome } from '../../src/scrape/probe-target.js';
import { closePreparedConfig, prepareConfig, type PreparedConfig } from '../../src/scrape/prepared-config.js';

const CONFIG = `modules:
  streams: { preset: srs_streams }
  clients: { preset: srs_clients }
  small:
    preset: srs_streams
    paging: { items: '{.streams}', max_items: 100 }
`;

// Both hot paths: inline, and the Piscina pool with every body sent to a worker (paging cuts and error codes
// must hold where the pool parses too).
const hotPaths: Array<[string, () => HotPath]> = [
  ['inline', createInlineHotPath],
  ['worker pool', () => createHotPath({ workers: 1, maxQueue: 16, inlineMaxBytes: 0 })],
];

for (const [hotPathName, makeHotPath] of hotPaths)
  describe(`probeTarget with the SRS presets (${hotPathName})`, () => {
    let simulator: FleetSimulator;
    let prepared: PreparedConfig;
    const hotPath = makeHotPath();

    before(async () => {
      simulator = await startFleetSimulator({ servers: 2, streamsPerServer: 500, seed: 11 });
      prepared = prepareConfig(parseConfig(CONFIG, 'probe.yml'));
    });
    after(async () => {
      await closePreparedConfig(prepared);
      await hotPath.close();
      await simulator.close();
    });

    function probe(moduleName: string, target: string): Promise<ProbeOutcome> {
      const module = prepared.modules.get(moduleName);
      assert.ok(module);
      return probeTarget({
        module,
        hotPath,
        target,
        targetLabels: {},
        formats: ['text'],
        params: {},
        timeoutMs: 10_000,
        maxBodyBytes: 32 << 20,
      });
    }

    function seriesCount(outcome: ProbeOutcome, family: string): number {
      assert.ok(outcome.ok, JSON.stringify(outcome));
      const text = outcome.families.text?.find((f) => f.name === family)?.text ?? '';
      return text === '' ? 0 : text.trimEnd().split('\n').length;
    }

    test('a server with 500 streams gives 500 stream series in one request (SRS pages by 10 by default)', async () => {
      const before = simulator.requestCount(0);
      const outcome = await probe('streams', simulator.urls[0] as string);
      assert.equal(seriesCount(outcome, 'srs_stream_clients'), 500);
      assert.equal(simulator.requestCount(0) - before, 1);
      assert.ok(outcome.ok);
      assert.deepEqual(outcome.problemCounts, {});
    });

    test('every client is counted, not the first page of 10', async () => {
      const outcome = await probe('clients', `http://${simulator.addresses[1]}/api/v1/clients/`);
      assert.ok(outcome.ok);
      const text = outcome.families.text?.find((f) => f.name === 'srs_client_connections')?.text ?? '';
      const counted = text
        .trimEnd()
        .split('\n')
        .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
      assert.equal(counted, simulator.expectedTotals().servers[1]?.clients);
    });

    test('more streams than max_items: cut at max_items and counted as items_truncated', async () => {
      const outcome = await probe('small', simulator.urls[1] as string);
      assert.equal(seriesCount(outcome, 'srs_stream_clients'), 100);
      assert.ok(outcome.ok);
      assert.deepEqual(outcome.problemCounts, { items_truncated: 1 });
    });

    test('an SRS answer with code 2048 is a failure with reason api_error, not an empty success', async () => {
      simulator.setFault(0, 'code_2048');
      try {
        const outcome = await probe('streams', simulator.urls[0] as string);
        assert.equal(outcome.ok, false);
        assert.ok(!outcome.ok);
        assert.equal(outcome.reason, 'api_error');
        assert.match(
          outcome.message,
          /^http:\/\/127\.0\.0\.1:\d+\/api\/v1\/streams\/: the API answered code 2048 \(\{\.code\}\)/,
        );
      } finally {
        simulator.setFault(0, undefined);
      }
    });
  });
