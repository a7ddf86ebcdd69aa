// The fleet simulator serves what real SRS serves: the fixtures' shapes, SRS paging, the 302, faults, and a seed that replays.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startFleetSimulator, type FleetSimulator } from '../../../bench/simulator/fleet-simulator.js';
import { Prng } from '../../../bench/simulator/prng.js';
import { VirtualSrsServer } from '../../../bench/simulator/virtual-server.js';
import { readFixture } from '../../helpers/fixtures.js';
import { httpGet } from '../../helpers/http.js';

type Json = Record<string, unknown>;

/** Key paths of a JSON value (`streams[].kbps.recv_30s`), arrays folded into one element shape. */
function keyPaths(value: unknown, prefix = ''): Set<string> {
  const paths = new Set<string>();
  if (Array.isArray(value)) {
    for (const item of value) for (const p of keyPaths(item, prefix + '[]')) paths.add(p);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      paths.add(prefix + '.' + key);
      for (const p of keyPaths(child, prefix + '.' + key)) paths.add(p);
    }
  }
  return paths;
}

async function getJson(url: string): Promise<Json> {
  const response = await httpGet(url);
  assert.equal(response.status, 200, response.text);
  return JSON.parse(response.text) as Json;
}

function apiUrl(simulator: FleetSimulator, index: number, path: string): string {
  return `http://${simulator.addresses[index]}${path}`;
}

describe('fleet simulator', () => {
  let simulator: FleetSimulator;
  before(async () => {
    simulator = await startFleetSimulator({ servers: 3, streamsPerServer: 40, seed: 42, slowDelayMs: 20 });
  });
  after(() => simulator.close());

  test('one streams URL and one distinct port per virtual server', () => {
    assert.equal(simulator.urls.length, 3);
    assert.equal(new Set(simulator.addresses).size, 3);
    for (const [i, url] of simulator.urls.entries())
      assert.equal(url, `http://${simulator.addresses[i]}/api/v1/streams/`);
  });

  test('streams, clients, vhosts and summaries have exactly the keys of the real SRS 6 answers', async () => {
    const cases: Array<[string, string]> = [
      ['/api/v1/streams/?count=1000', 'streams.json'],
      ['/api/v1/clients/?count=1000', 'clients.json'],
      ['/api/v1/vhosts/', 'vhosts.json'],
      ['/api/v1/summaries', 'summaries.json'],
      ['/api/v1/versions', 'versions.json'],
    ];
    for (const [path, fixture] of cases) {
      const served = keyPaths(await getJson(apiUrl(simulator, 0, path)));
      const real = keyPaths(JSON.parse(readFixture('srs', 'srs6', fixture)));
      assert.deepEqual([...served].sort(), [...real].sort(), `${path} vs ${fixture}`);
    }
  });

  test("key order of a stream and a client is SRS's own", async () => {
    const streams = (await getJson(apiUrl(simulator, 0, '/api/v1/streams/'))).streams as Json[];
    const realStream = (JSON.parse(readFixture('srs', 'srs6', 'streams.json')) as { streams: Json[] })
      .streams[2] as Json;
    assert.deepEqual(Object.keys(streams[0] as Json), Object.keys(realStream));
    const clients = (await getJson(apiUrl(simulator, 0, '/api/v1/clients/'))).clients as Json[];
    const realClient = (JSON.parse(readFixture('srs', 'srs6', 'clients.json')) as { clients: Json[] })
      .clients[0] as Json;
    assert.deepEqual(Object.keys(clients[0] as Json), Object.keys(realClient));
  });

  test('video and audio are null where a stream has none, and unpublished streams have no cid', async () => {
    const streams = (await getJson(apiUrl(simulator, 0, '/api/v1/streams/?count=1000'))).streams as Json[];
    assert.ok(
      streams.some((s) => s.video === null),
      'some stream without video',
    );
    assert.ok(
      streams.some((s) => s.audio === null),
      'some stream without audio',
    );
    for (const stream of streams) {
      const publish = stream.publish as Json;
      assert.equal('cid' in publish, publish.active === true, JSON.stringify(stream));
    }
  });

  test('paging as SRS: default 10 items, count = max(10, count), start offsets, ordered by id', async () => {
    const all = (await getJson(apiUrl(simulator, 1, '/api/v1/streams/?count=1000'))).streams as Json[];
    assert.equal(all.length, 40);
    const ids = all.map((s) => s.id as string);
    assert.deepEqual(ids, [...ids].sort());
    const page = async (query: string): Promise<string[]> =>
      ((await getJson(apiUrl(simulator, 1, '/api/v1/streams/' + query))).streams as Json[]).map((s) => s.id as string);
    assert.deepEqual(await page(''), ids.slice(0, 10));
    assert.deepEqual(await page('?count=3'), ids.slice(0, 10));
    assert.deepEqual(await page('?count=0'), ids.slice(0, 10));
    assert.deepEqual(await page('?start=35&count=10'), ids.slice(35));
    assert.deepEqual(await page('?start=12&count=15'), ids.slice(12, 27));
    assert.deepEqual(await page('?start=-5'), ids.slice(0, 10));
    assert.deepEqual(await page('?start=40'), []);
    const clients = (await getJson(apiUrl(simulator, 1, '/api/v1/clients/'))).clients as Json[];
    assert.equal(clients.length, 10);
  });

  test('a list path without its trailing slash answers 302 to the slash, keeping the query', async () => {
    for (const name of ['streams', 'clients', 'vhosts']) {
      const response = await httpGet(apiUrl(simulator, 0, `/api/v1/${name}?count=20`));
      assert.equal(response.status, 302);
      assert.equal(response.headers.location, `/api/v1/${name}/?count=20`);
    }
  });

  test('a stream by id, and an unknown id answers {"code":2048} with HTTP 200', async () => {
    const first = ((await getJson(apiUrl(simulator, 0, '/api/v1/streams/'))).streams as Json[])[0] as Json;
    const one = await getJson(apiUrl(simulator, 0, `/api/v1/streams/${String(first.id)}`));
    assert.deepEqual(one.stream, first);
    assert.deepEqual(await getJson(apiUrl(simulator, 0, '/api/v1/streams/vid-nothere')), { code: 2048 });
  });

  test('expectedTotals() sums what the servers serve', async () => {
    const totals = simulator.expectedTotals();
    assert.equal(totals.servers.length, 3);
    let fleetClients = 0;
    for (const server of totals.servers) {
      const streams = (await getJson(apiUrl(simulator, server.index, '/api/v1/streams/?count=1000'))).streams as Json[];
      const clients = streams.reduce((sum, s) => sum + (s.clients as number), 0);
      assert.equal(server.clients, clients);
      assert.equal(server.streams, streams.length);
      const listed = (await getJson(apiUrl(simulator, server.index, '/api/v1/clients/?count=100000')))
        .clients as Json[];
      assert.equal(listed.length, clients, "a stream's clients include its publisher, as in SRS");
      assert.equal(server.pod, `srs-edge-${server.index}`);
      fleetClients += clients;
    }
    assert.equal(totals.clients, fleetClients);
    assert.ok(fleetClients > 0);
  });

  test('fileSd() lists every server once as host:port with its pod label', () => {
    const groups = simulator.fileSd({ labels: { env: 'sim' } });
    assert.deepEqual(
      groups.map((g) => g.targets),
      simulator.addresses.map((a) => [a]),
    );
    assert.deepEqual(groups[2]?.labels, { pod: 'srs-edge-2', server: 'srs-edge-2', env: 'sim' });
  });

  test('faults: HTTP 500, invalid JSON, code 2048 and slow, on the chosen server only', async () => {
    const url = apiUrl(simulator, 2, '/api/v1/streams/');
    try {
      simulator.setFault(2, 'http_500');
      assert.equal((await httpGet(url)).status, 500);
      simulator.setFault(2, 'invalid_json');
      const invalid = await httpGet(url);
      assert.equal(invalid.status, 200);
      assert.throws(() => JSON.parse(invalid.text) as unknown, SyntaxError);
      simulator.setFault(2, 'code_2048');
      assert.deepEqual(await getJson(url), { code: 2048 });
      assert.equal(simulator.expectedTotals().servers[2]?.fault, 'code_2048');
      simulator.setFault(2, 'slow');
      const slow = await getJson(url);
      assert.equal(slow.code, 0, 'a slow server still answers, late');
      assert.equal((await getJson(apiUrl(simulator, 1, '/api/v1/streams/'))).code, 0, 'other servers stay healthy');
    } finally {
      simulator.setFault(2, undefined);
    }
    assert.equal((await getJson(url)).code, 0);
  });

  test('requestCount() counts the API requests of each server', async () => {
    const before = simulator.requestCount(0);
    await getJson(apiUrl(simulator, 0, '/api/v1/summaries'));
    assert.equal(simulator.requestCount(0), before + 1);
    assert.throws(() => simulator.requestCount(9), RangeError);
  });
});

describe('fleet simulator determinism and churn', () => {
  test('the same seed serves the same bodies; another seed does not', async () => {
    const a = await startFleetSimulator({ servers: 2, streamsPerServer: 15, seed: 7 });
    const b = await startFleetSimulator({ servers: 2, streamsPerServer: 15, seed: 7 });
    const c = await startFleetSimulator({ servers: 2, streamsPerServer: 15, seed: 8 });
    try {
      for (const path of ['/api/v1/streams/?count=100', '/api/v1/clients/?count=1000', '/api/v1/summaries']) {
        const bodyA = await getJson(apiUrl(a, 1, path));
        assert.deepEqual(await getJson(apiUrl(b, 1, path)), bodyA);
        assert.notDeepEqual(await getJson(apiUrl(c, 1, path)), bodyA);
      }
      a.advance(20);
      b.advance(20);
      assert.deepEqual(
        await getJson(apiUrl(a, 0, '/api/v1/streams/?count=100')),
        await getJson(apiUrl(b, 0, '/api/v1/streams/?count=100')),
      );
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });

  test('advance() churns: the clock moves, counters of surviving streams only grow, streams start and stop', async () => {
    const simulator = await startFleetSimulator({ servers: 1, streamsPerServer: 50, seed: 3 });
    try {
      const url = apiUrl(simulator, 0, '/api/v1/streams/?count=100');
      const before = (await getJson(url)).streams as Json[];
      simulator.advance(60);
      const afterward = (await getJson(url)).streams as Json[];
      assert.equal(afterward.length, 50, 'a stopped stream is replaced by a new one');
      assert.equal((afterward[0] as Json).live_ms, ((before[0] as Json).live_ms as number) + 60_000);
      const previous = new Map(before.map((s) => [s.id, s]));
      const survivors = afterward.filter((s) => previous.has(s.id));
      assert.ok(survivors.length < 50, 'some streams stopped and others started');
      let grew = 0;
      for (const stream of survivors) {
        const old = previous.get(stream.id) as Json;
        assert.ok((stream.send_bytes as number) >= (old.send_bytes as number));
        assert.ok((stream.recv_bytes as number) >= (old.recv_bytes as number));
        if ((stream.recv_bytes as number) > (old.recv_bytes as number)) grew++;
      }
      assert.ok(grew > 0, 'published streams received bytes');
      const newcomers = afterward.filter((s) => !previous.has(s.id));
      assert.ok(
        newcomers.some((s) => (s.kbps as Json).recv_30s === 0),
        'a stream younger than 30 s reports 0 kbps, as SRS does',
      );
    } finally {
      await simulator.close();
    }
  });

  test('idNumber() makes the draws id() makes: its base-36 digits are the id', () => {
    const asText = new Prng(11);
    const asNumber = new Prng(11);
    for (let i = 0; i < 1_000; i++) {
      assert.equal(asNumber.idNumber(8).toString(36).padStart(8, '0'), asText.id(8), `draw ${i}`);
    }
  });

  test('ids of stopped streams and departed players are released: the ids held follow the live fleet', () => {
    const server = new VirtualSrsServer(0, 7, 20);
    const seen = new Set<string>();
    for (let step = 0; step < 3_000; step++) {
      server.advance(1000);
      if (step % 50 === 0) for (const client of server.clientsJson()) seen.add(client.id);
    }
    const totals = server.totals();
    // The vhost's id, then one per stream, publisher and player alive now.
    assert.equal(server.idsInUse, 1 + totals.streams + totals.publishers + totals.players);
    assert.ok(seen.size > 3 * server.idsInUse, `clients came and went (${seen.size} seen, ${server.idsInUse} held)`);
    const clientIds = server.clientsJson().map((client) => client.id);
    assert.equal(new Set(clientIds).size, clientIds.length, 'live client ids are distinct');
  });

  test('basic auth: 401 with WWW-Authenticate without credentials, 200 with them', async () => {
    const simulator = await startFleetSimulator({
      servers: 1,
      streamsPerServer: 1,
      seed: 1,
      basicAuth: { username: 'admin', password: 'pw' },
    });
    try {
      const denied = await httpGet(simulator.urls[0] as string);
      assert.equal(denied.status, 401);
      assert.match(String(denied.headers['www-authenticate']), /^Basic/);
      const allowed = await httpGet(simulator.urls[0] as string, {
        headers: { Authorization: 'Basic ' + Buffer.from('admin:pw').toString('base64') },
      });
      assert.equal(allowed.status, 200);
    } finally {
      await simulator.close();
    }
  });

  test('2,000 servers listen in one process', async () => {
    const simulator = await startFleetSimulator({ servers: 2000, streamsPerServer: 1, seed: 5 });
    try {
      assert.equal(new Set(simulator.addresses).size, 2000);
      const last = await getJson(simulator.urls[1999] as string);
      assert.equal(last.server, 'srs-edge-1999');
    } finally {
      await simulator.close();
    }
  });

  test('invalid options are refused with the option named', async () => {
    await assert.rejects(
      startFleetSimulator({ servers: 0, streamsPerServer: 1, seed: 1 }),
      /servers must be an integer ≥ 1/,
    );
    await assert.rejects(startFleetSimulator({ servers: 1, streamsPerServer: 1.5, seed: 1 }), /streamsPerServer/);
  });
});
