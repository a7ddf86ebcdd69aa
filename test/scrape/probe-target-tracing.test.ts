// probeTarget through the inline and pool hot paths: outcomes, failures as values, and its OpenTelemetry spans.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { loadConfigFile } from '../../src/config/load.js';
import { createHotPath } from '../../src/pool/create-hot-path.js';
import { closePreparedConfig, prepareConfig, type PreparedModule } from '../../src/scrape/prepared-config.js';
import { probeTarget, type ProbeOutcome } from '../../src/scrape/probe-target.js';
import { fixturePath, readFixture } from '../helpers/fixtures.js';
import { startTestServer, type TestServer } from '../helpers/http.js';
import { installMemoryTracer, type FinishedSpan } from '../helpers/memory-tracer.js';

const prepared = prepareConfig(loadConfigFile(fixturePath('config', 'srs-reference.yml'), 7));
const module = prepared.modules.get('default') as PreparedModule;
const inline = createHotPath({ workers: 0, maxQueue: 0, inlineMaxBytes: 0 });
const pool = createHotPath({ workers: 1, maxQueue: 2, inlineMaxBytes: 0 });
const tracer = installMemoryTracer();
let target: TestServer;

before(async () => {
  target = await startTestServer((req, res) => {
    if (req.url === '/reference')
      res.writeHead(200, { 'content-type': 'application/json' }).end(readFixture('srs', 'reference-streams.json'));
    else if (req.url === '/not-json') res.writeHead(200).end('<html>oops</html>');
    else res.writeHead(404).end();
  });
});

after(async () => {
  tracer.uninstall();
  await Promise.all([target.close(), inline.close(), pool.close(), closePreparedConfig(prepared)]);
});

beforeEach(() => {
  tracer.spans.length = 0;
});

function probe(path: string, hotPath: typeof inline, labels: Record<string, string> = {}): Promise<ProbeOutcome> {
  return probeTarget({
    module,
    hotPath,
    target: target.url + path,
    targetLabels: labels,
    formats: ['text'],
    params: new Map(),
    timeoutMs: 5000,
    maxBodyBytes: 1 << 20,
  });
}

function span(name: string): FinishedSpan {
  const found = tracer.spans.find((candidate) => candidate.name === name);
  assert.ok(found, `span ${name} recorded; got ${tracer.spans.map((s) => s.name).join(', ')}`);
  return found;
}

for (const [path, hotPath] of [
  ['inline', inline],
  ['pool', pool],
] as const) {
  describe(`through the ${path} hot path`, () => {
    test('a good body gives the rendered families, counts, fetch time and body size', async () => {
      const outcome = await probe('/reference', hotPath, { instance: 'edge-0' });
      assert.ok(outcome.ok);
      assert.equal(outcome.sampleCount, 5, 'one stream × five values; the string server is skipped');
      assert.equal(outcome.bodyBytes, Buffer.byteLength(readFixture('srs', 'reference-streams.json')));
      assert.ok(outcome.fetchMs >= 0);
      assert.deepEqual(outcome.problemCounts, { not_numeric: 1 });
      assert.match(outcome.families.text?.[1]?.text ?? '', /^stream_clients_clients\{instance="edge-0",name="/);
    });

    test('spans: fje.scrape with children fetch, parse_extract and render, all carrying target and module', async () => {
      await probe('/reference', hotPath);
      const scrape = span('fje.scrape');
      assert.equal(scrape.parentSpanId, undefined);
      assert.equal(scrape.status, undefined);
      for (const name of ['fje.fetch', 'fje.parse_extract', 'fje.render']) {
        const child = span(name);
        assert.equal(child.parentSpanId, scrape.spanId, `${name} is a child of fje.scrape`);
        assert.equal(child.attributes['fje.target'], target.url + '/reference');
        assert.equal(child.attributes['fje.module'], 'default');
        assert.equal(child.attributes['fje.config.generation'], 7);
      }
      assert.equal(span('fje.fetch').attributes['http.response.status_code'], 200);
      const parse = span('fje.parse_extract');
      const render = span('fje.render');
      assert.equal(typeof parse.startTime, 'number', 'explicit start time from the hot path’s timings');
      assert.equal(render.startTime, parse.endTime, 'render starts where parse+extract ended');
      assert.equal(parse.attributes['fje.samples'], 5);
    });

    test('a body that is not JSON fails with invalid_json naming the target; the scrape span is an error', async () => {
      const outcome = await probe('/not-json', hotPath);
      assert.equal(outcome.ok, false);
      assert.ok(!outcome.ok);
      assert.equal(outcome.reason, 'invalid_json');
      assert.match(outcome.message, new RegExp(`^${target.url}/not-json: invalid JSON`));
      assert.equal(outcome.bodyBytes, '<html>oops</html>'.length);
      const scrape = span('fje.scrape');
      assert.equal(scrape.attributes['fje.failure.reason'], 'invalid_json');
      assert.equal(scrape.status?.code, 2);
      assert.equal(
        tracer.spans.some((s) => s.name === 'fje.render'),
        false,
      );
    });
  });
}

test('a fetch failure keeps its reason and status and records no hot-path spans', async () => {
  const outcome = await probe('/missing', inline);
  assert.ok(!outcome.ok);
  assert.equal(outcome.reason, 'invalid_status');
  assert.equal(outcome.status, 404);
  assert.equal(span('fje.fetch').attributes['http.response.status_code'], 404);
  assert.deepEqual(tracer.spans.map((s) => s.name).sort(), ['fje.fetch', 'fje.scrape']);
});
