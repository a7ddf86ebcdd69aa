// dns_sd: A, AAAA and SRV answers from a real DNS responder on 127.0.0.1 (UDP), through node:dns's Resolver.
import assert from 'node:assert/strict';
import { Resolver } from 'node:dns/promises';
import { after, before, test } from 'node:test';
import { createDnsSdSource, resolveAddresses } from '../../src/discovery/dns-sd-source.js';
import { createDiscovery } from '../../src/discovery/manager.js';
import { fleetConfig, quietLogger, urlsOf, waitForTargets } from '../helpers/discovery.js';
import { startTestDnsServer, type TestDnsServer } from '../helpers/dns-server.js';

let dns: TestDnsServer;

before(async () => {
  dns = await startTestDnsServer({
    'srs-edge.srs.svc.cluster.local': { A: ['10.1.0.2', '10.1.0.1'], AAAA: ['fd00::2'] },
    '_http._tcp.srs-origin.srs.svc.cluster.local': {
      SRV: [
        { target: 'srs-origin-1.srs-origin.srs.svc.cluster.local', port: 1985 },
        { target: 'srs-origin-0.srs-origin.srs.svc.cluster.local', port: 1986 },
      ],
    },
    'churn.srs.svc.cluster.local': { A: ['10.2.0.1'] },
    '_http-api._tcp.srs-edge.live.svc.cluster.local': {
      SRV: [
        { target: 'srs-edge-0.srs-edge.live.svc.cluster.local', port: 1985 },
        { target: '10-1-0-9.srs-edge.live.svc.cluster.local', port: 1985 },
      ],
    },
    'srs-edge.live.svc.cluster.local': { A: ['10.1.0.8'] },
  });
});
after(() => dns.close());

function discoveryOf(fleetYaml: string) {
  return createDiscovery(fleetConfig(fleetYaml), {
    logger: quietLogger(),
    shard: { total: 1, index: 0 },
    configDir: '.',
    dnsServers: [dns.address],
  });
}

test('a node:dns Resolver pointed at the test responder resolves its records', async () => {
  const resolver = new Resolver();
  resolver.setServers([dns.address]);
  assert.deepStrictEqual((await resolver.resolve4('srs-edge.srs.svc.cluster.local')).sort(), ['10.1.0.1', '10.1.0.2']);
  assert.deepStrictEqual(await resolver.resolve6('srs-edge.srs.svc.cluster.local'), ['fd00::2']);
  assert.ok(dns.questions.includes('A srs-edge.srs.svc.cluster.local'));
});

test('A records with the job port, sorted; AAAA in brackets', async () => {
  const resolver = new Resolver();
  resolver.setServers([dns.address]);
  const name = 'srs-edge.srs.svc.cluster.local';
  assert.deepStrictEqual(
    await resolveAddresses(resolver, name, { names: [name], type: 'A', port: 1985, refreshIntervalMs: 1 }),
    ['10.1.0.1:1985', '10.1.0.2:1985'],
  );
  assert.deepStrictEqual(
    await resolveAddresses(resolver, name, { names: [name], type: 'AAAA', port: 1985, refreshIntervalMs: 1 }),
    ['[fd00::2]:1985'],
  );
});

test('SRV targets use each record’s port and go through target_url', async () => {
  const discovery = discoveryOf(
    'fleet:\n  jobs:\n  - name: origin\n    module: default\n    target_url: "http://{{address}}/api/v1/streams/"\n' +
      '    dns_sd: { names: ["_http._tcp.srs-origin.srs.svc.cluster.local"], type: SRV, refresh_interval: 1h }\n',
  );
  await discovery.start();
  assert.deepStrictEqual(
    discovery.targets().map((t) => [t.url, t.labels['instance'], t.source]),
    [
      [
        'http://srs-origin-0.srs-origin.srs.svc.cluster.local:1986/api/v1/streams/',
        'srs-origin-0.srs-origin.srs.svc.cluster.local:1986',
        'dns_sd:_http._tcp.srs-origin.srs.svc.cluster.local',
      ],
      [
        'http://srs-origin-1.srs-origin.srs.svc.cluster.local:1985/api/v1/streams/',
        'srs-origin-1.srs-origin.srs.svc.cluster.local:1985',
        'dns_sd:_http._tcp.srs-origin.srs.svc.cluster.local',
      ],
    ],
  );
  await discovery.stop();
});

test('a name with no records (NXDOMAIN) gives no targets and no error', async () => {
  const discovery = discoveryOf(
    'fleet:\n  jobs:\n  - { name: e, module: default, dns_sd: { names: [gone.srs.svc.cluster.local], type: A, port: 1985 } }\n',
  );
  await discovery.start();
  assert.deepStrictEqual(discovery.targets(), []);
  assert.deepStrictEqual(
    discovery.sources().map((s) => [s.source, s.targetCount, s.lastError]),
    [['dns_sd:gone.srs.svc.cluster.local', 0, undefined]],
  );
  await discovery.stop();
});

test('a failing DNS server keeps the last good targets and records the lookup error', async () => {
  const name = 'flaky.srs.svc.cluster.local';
  dns.zone.set(name, { A: ['10.3.0.1'] });
  const dnsSd = { names: [name], type: 'A' as const, port: 1985, refreshIntervalMs: 3_600_000 };
  const job = fleetConfig(
    `fleet:\n  jobs:\n  - { name: e, module: default, dns_sd: { names: [${name}], type: A, port: 1985 } }\n`,
  ).fleet?.jobs[0];
  assert.ok(job);
  const source = createDnsSdSource(job, dnsSd, name, quietLogger(), [dns.address]);
  await source.start(() => {});
  dns.zone.set(name, { SERVFAIL: true, A: ['10.3.0.9'] });
  await source.refreshNow();
  assert.equal(source.status().lastError, `A lookup of ${name} failed: ESERVFAIL`);
  assert.deepStrictEqual(
    source.targets().map((t) => t.address),
    ['10.3.0.1:1985'],
  );
  dns.zone.set(name, { A: ['10.3.0.9'] });
  await source.refreshNow();
  assert.equal(source.status().lastError, undefined);
  assert.deepStrictEqual(
    source.targets().map((t) => t.address),
    ['10.3.0.9:1985'],
  );
  await source.stop();
});

test('re-resolved at refresh_interval: pods scaling up change the targets', async () => {
  const discovery = discoveryOf(
    'fleet:\n  jobs:\n  - { name: e, module: default, dns_sd: { names: [churn.srs.svc.cluster.local], type: A, port: 1985, refresh_interval: 20ms } }\n',
  );
  await discovery.start();
  assert.deepStrictEqual(urlsOf(discovery.targets()), ['http://10.2.0.1:1985/']);
  const changed = waitForTargets(discovery, (targets) => targets.length === 2);
  dns.zone.set('churn.srs.svc.cluster.local', { A: ['10.2.0.1', '10.2.0.2'] });
  assert.deepStrictEqual(urlsOf(await changed), ['http://10.2.0.1:1985/', 'http://10.2.0.2:1985/']);
  await discovery.stop();
});

test('Kubernetes names label the targets: SRV gives namespace, service and pod; A gives namespace and service', async () => {
  const discovery = discoveryOf(
    'fleet:\n  jobs:\n  - name: edge\n    module: default\n    labels: { cluster: prod }\n' +
      '    dns_sd: { names: ["_http-api._tcp.srs-edge.live.svc.cluster.local"], type: SRV }\n' +
      '  - name: edge-a\n    module: default\n' +
      '    dns_sd: { names: ["srs-edge.live.svc.cluster.local"], type: A, port: 1985 }\n',
  );
  await discovery.start();
  assert.deepStrictEqual(
    discovery.targets().map((t) => t.labels),
    [
      // A pod without a hostname: its SRV name is its dashed IP, not a pod name.
      {
        job: 'edge',
        instance: '10-1-0-9.srs-edge.live.svc.cluster.local:1985',
        cluster: 'prod',
        namespace: 'live',
        service: 'srs-edge',
      },
      {
        job: 'edge',
        instance: 'srs-edge-0.srs-edge.live.svc.cluster.local:1985',
        cluster: 'prod',
        namespace: 'live',
        service: 'srs-edge',
        pod: 'srs-edge-0',
      },
      { job: 'edge-a', instance: '10.1.0.8:1985', namespace: 'live', service: 'srs-edge' },
    ],
  );
  await discovery.stop();
});
