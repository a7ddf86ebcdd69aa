// Bodies and templates that used to take the exporter down or pass as healthy, each served by a real misbehaving
// HTTP server on 127.0.0.1 and scraped through probeTarget, inline (no pool) and through a worker pool.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseConfig } from '../../src/config/load.js';
import { createHotPath, type RoutedHotPath } from '../../src/pool/create-hot-path.js';
import { probeTarget, type ProbeOutcome } from '../../src/scrape/probe-target.js';
import { closePreparedConfig, prepareConfig, type PreparedConfig } from '../../src/scrape/prepared-config.js';
import { startTestServer, type TestServer } from '../helpers/http.js';

const OBJECT_METRICS = `
    metrics:
    - name: stream
      type: object
      path: '{.streams[*]}'
      labels: { name: '{.name}' }
      values: { clients: '{.clients}' }`;

const CONFIG = `
modules:
  recursive:
    metrics:
    - { name: deep, path: '{..a..a}' }
  streams:${OBJECT_METRICS}
  streams_replace_utf8:
    invalid_utf8: replace${OBJECT_METRICS}
  streams_limited:
    series_limit: 100${OBJECT_METRICS}
  top_array:
    metrics:
    - { name: first, path: '{[0].v}' }
  regex:
    metrics:
    - { name: matched, path: '{.items[?(@.name.match(/^(a+)+\\1$/) && @.x)].x}' }
  regex_linear:
    metrics:
    - { name: matched, path: '{.items[?(@.name.match(/^(a+)+$/) && @.x)].x}' }
`;

/** A chain `{"a":{"a":…1…}}` `levels` deep: `{..a..a}` matches ~levels²/2 values on it. */
const chain = (levels: number): string => '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);

const streams = (count: number): string =>
  JSON.stringify({ streams: Array.from({ length: count }, (_, i) => ({ name: `s${i}`, clients: i })) });

/** Path → body bytes the server answers with (200, application/json). */
const BODIES: Record<string, Buffer> = {
  '/chain': Buffer.from(chain(3000)),
  '/streams': Buffer.from(streams(3)),
  '/streams-500': Buffer.from(streams(500)),
  '/top-array': Buffer.from('[{"v":1},{"v":2}]'),
  '/scalar': Buffer.from('42'),
  '/deep': Buffer.from('['.repeat(200_000) + ']'.repeat(200_000)),
  '/deep-object': Buffer.from(`{"streams":[],"x":${chain(200_000)}}`),
  '/invalid-utf8': Buffer.concat([
    Buffer.from('{"streams":[{"name":"caf'),
    Buffer.from([0xe9]),
    Buffer.from('","clients":2}]}'),
  ]),
  '/overflow': Buffer.from('{"streams":[{"name":"big","clients":1e999},{"name":"ok","clients":3}]}'),
  // 40 a's then b: /^(a+)+\1$/ backtracks for hours, and the backreference keeps V8's linear engine out.
  '/regex': Buffer.from(JSON.stringify({ items: [{ name: `${'a'.repeat(40)}b`, x: 1 }] })),
};

let server: TestServer;
let prepared: PreparedConfig;
const inline = createHotPath({ workers: 0, maxQueue: 0, inlineMaxBytes: 0 });
const pooled = createHotPath({ workers: 1, maxQueue: 4, inlineMaxBytes: 0 });

before(async () => {
  server = await startTestServer((req, res) => {
    const body = BODIES[req.url ?? ''];
    if (body === undefined) res.writeHead(404).end();
    else res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  prepared = prepareConfig(parseConfig(CONFIG, '<hostile-bodies>', 1));
});

after(async () => {
  await Promise.all([server.close(), inline.close(), pooled.close(), closePreparedConfig(prepared)]);
});

function probe(hotPath: RoutedHotPath, moduleName: string, path: string, timeoutMs = 10_000): Promise<ProbeOutcome> {
  const module = prepared.modules.get(moduleName);
  assert.ok(module, moduleName);
  return probeTarget({
    module,
    hotPath,
    target: server.url + path,
    targetLabels: {},
    formats: ['text'],
    params: new Map(),
    timeoutMs,
    maxBodyBytes: 8 << 20,
  });
}

const reasonOf = (outcome: ProbeOutcome): string => (outcome.ok ? 'ok' : outcome.reason);

for (const [route, hotPath] of [
  ['inline', inline],
  ['pool', pooled],
] as const) {
  describe(`hostile bodies, ${route}`, () => {
    test('{..a..a} over a deep chain of one key fails with result_too_large; the next scrape is served', async () => {
      const outcome = await probe(hotPath, 'recursive', '/chain');
      assert.equal(reasonOf(outcome), 'result_too_large');
      assert.match(outcome.ok ? '' : outcome.message, /more than 1000000 values/);
      assert.equal(reasonOf(await probe(hotPath, 'streams', '/streams')), 'ok');
    });

    test('a top-level array or scalar where the paths read an object fails with unexpected_shape', async () => {
      const array = await probe(hotPath, 'streams', '/top-array');
      assert.equal(reasonOf(array), 'unexpected_shape');
      assert.match(array.ok ? '' : array.message, /read an object at the top of the body, which is an array/);
      assert.equal(reasonOf(await probe(hotPath, 'streams', '/scalar')), 'unexpected_shape');
      // A module whose paths start with an index reads arrays: the same body is data for it.
      const first = await probe(hotPath, 'top_array', '/top-array');
      assert.equal(reasonOf(first), 'ok');
      assert.equal(reasonOf(await probe(hotPath, 'top_array', '/streams')), 'unexpected_shape');
    });

    test('200,000 levels of nesting fail with too_deep, at the top or below a key', async () => {
      assert.equal(reasonOf(await probe(hotPath, 'streams', '/deep')), 'too_deep');
      assert.equal(reasonOf(await probe(hotPath, 'streams', '/deep-object')), 'too_deep');
    });

    test('invalid UTF-8 fails with invalid_utf8; with invalid_utf8: replace it is U+FFFD and a counted problem', async () => {
      assert.equal(reasonOf(await probe(hotPath, 'streams', '/invalid-utf8')), 'invalid_utf8');
      const replaced = await probe(hotPath, 'streams_replace_utf8', '/invalid-utf8');
      assert.ok(replaced.ok);
      assert.equal(replaced.problemCounts.invalid_utf8, 1);
      assert.match(replaced.families.text?.[0]?.text ?? '', /name="caf\ufffd"\} 2/);
    });

    test('1e999 is not exported as +Inf: that value is skipped and counted as number_out_of_range', async () => {
      const outcome = await probe(hotPath, 'streams', '/overflow');
      assert.ok(outcome.ok);
      assert.equal(outcome.problemCounts.number_out_of_range, 1);
      assert.equal(outcome.sampleCount, 1);
      assert.doesNotMatch(outcome.families.text?.[0]?.text ?? '', /Inf/);
    });

    test('more series than series_limit fail the scrape with series_limit; under it the same body is served', async () => {
      const limited = await probe(hotPath, 'streams_limited', '/streams-500');
      assert.equal(reasonOf(limited), 'series_limit');
      assert.match(limited.ok ? '' : limited.message, /more than 100 series/);
      assert.equal(reasonOf(await probe(hotPath, 'streams', '/streams-500')), 'ok');
    });

    test('a regex filter that would backtrack for minutes runs on V8’s linear engine and answers', async () => {
      const outcome = await probe(hotPath, 'regex_linear', '/regex');
      assert.equal(reasonOf(outcome), 'ok');
    });
  });
}

test('a regex V8 cannot run linearly fails with timeout at the deadline, and the stuck worker is replaced', async () => {
  const module = prepared.modules.get('regex');
  assert.ok(module?.hotPath.compiled.usesFallbackFilter, 'a jsonpath-plus filter is recognised');
  assert.equal(pooled.routeFor(10, true), 'pool', 'such a module runs in the pool even for a tiny body');
  const outcome = await probe(pooled, 'regex', '/regex', 1500);
  assert.equal(reasonOf(outcome), 'timeout');
  // The next body waits for the replacement worker, then is served: the pool healed.
  assert.equal(reasonOf(await probe(pooled, 'streams', '/streams')), 'ok');
  assert.equal(pooled.pool?.stuckWorkersReplaced, 1);
  assert.equal(pooled.pool?.stats.threads, 1);
});
