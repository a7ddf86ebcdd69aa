// A real Prometheus over fleet mode with dns_sd targets, as a Kubernetes headless Service lists SRS pods: SRV answers
// from a DNS responder on 127.0.0.1, the pods' names reached through an HTTP CONNECT proxy (proxy_url) that maps them to
// simulated SRS servers, and stream_total_clients_by_pod recorded per namespace, service and pod from the DNS names.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect as netConnect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { startFleetSimulator, type FleetSimulator } from '../../bench/simulator/fleet-simulator.js';
import { startExporter, type RunningExporter } from '../../src/commands/serve.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { startTestDnsServer, type TestDnsServer } from '../helpers/dns-server.js';
import { repoRoot } from '../helpers/fixtures.js';
import { startPrometheus, waitFor, type RunningPrometheus } from '../helpers/prometheus.js';

const SRV_NAME = '_http-api._tcp.srs-edge.live.svc.cluster.local';
const podHost = (pod: string): string => `${pod}.srs-edge.live.svc.cluster.local`;

/** A CONNECT proxy that plays cluster DNS for the exporter's requests: `<pod host>:1985` → that pod's simulated SRS. */
function startPodProxy(ports: ReadonlyMap<string, number>): Promise<Server> {
  const proxy = createServer((_req, res) => res.writeHead(405).end());
  proxy.on('connect', (req: IncomingMessage, socket, head: Buffer) => {
    const port = ports.get(req.url ?? '');
    if (port === undefined) {
      socket.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
      return;
    }
    const upstream = netConnect(port, '127.0.0.1', () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(socket).pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  return new Promise((resolve) => proxy.listen(0, '127.0.0.1', () => resolve(proxy)));
}

describe('Prometheus 2 over fleet mode with dns_sd (SRV) targets', () => {
  let simulator: FleetSimulator;
  let dns: TestDnsServer;
  let proxy: Server;
  let exporter: RunningExporter;
  let prometheus: RunningPrometheus;
  let dir: string;

  before(async () => {
    simulator = await startFleetSimulator({ servers: 3, streamsPerServer: 20, seed: 19 });
    const servers = simulator.expectedTotals().servers;
    dns = await startTestDnsServer({
      [SRV_NAME]: { SRV: servers.map((s) => ({ target: podHost(s.pod), port: 1985 })) },
    });
    proxy = await startPodProxy(
      new Map(servers.map((s) => [`${podHost(s.pod)}:1985`, Number(s.address.split(':').pop())])),
    );
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    dir = mkdtempSync(join(tmpdir(), 'fje-e2e-dns-'));
    writeFileSync(
      join(dir, 'exporter.yml'),
      `modules:
  default: { preset: srs_streams, http_client_config: { proxy_url: ${JSON.stringify(proxyUrl)} } }
fleet:
  scrape_interval: 1s
  scrape_timeout: 800ms
  jobs:
    - name: srs-edge
      module: default
      target_url: "http://{{address}}/api/v1/streams/"
      dns_sd: { names: [${JSON.stringify(SRV_NAME)}], type: SRV, refresh_interval: 30s }
`,
    );
    exporter = await startExporter(
      {
        configFile: join(dir, 'exporter.yml'),
        configCheck: false,
        listenAddress: '127.0.0.1:0',
        telemetryPath: '/metrics',
        logLevel: 'error',
        maxBodyBytes: 32 << 20,
        timeoutOffsetMs: 200,
      },
      createLogger('error', new PassThrough()),
      { dnsServers: [dns.address] },
    );
    prometheus = await startPrometheus(`global: { scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s }
rule_files: [${JSON.stringify(join(repoRoot, 'deploy', 'prometheus', 'srs-rules.yml'))}]
scrape_configs:
  - job_name: fleet-json-exporter
    honor_labels: true
    static_configs: [{ targets: [${JSON.stringify(`127.0.0.1:${exporter.port}`)}] }]
`);
  });

  after(async () => {
    await prometheus?.stop();
    await exporter?.stop();
    await new Promise((resolve) => (proxy === undefined ? resolve(undefined) : proxy.close(resolve)));
    await dns?.close();
    await simulator?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  test("stream_total_clients_by_pod keeps the SRV names' namespace, service and pod, and equals each pod's clients", async () => {
    const servers = simulator.expectedTotals().servers;
    const samples = await waitFor('the recording rule for every pod found through DNS', async () => {
      const found = await prometheus.query('stream_total_clients_by_pod');
      return found.length >= servers.length ? found : undefined;
    });
    assert.deepEqual(
      samples.map((s) => s.metric).sort((a, b) => (a.pod ?? '').localeCompare(b.pod ?? '')),
      servers.map((s) => ({
        __name__: 'stream_total_clients_by_pod',
        namespace: 'live',
        service: 'srs-edge',
        pod: s.pod,
        instance: `${podHost(s.pod)}:1985`,
      })),
    );
    const expected = Object.fromEntries(servers.map((s) => [s.pod, s.clients]));
    assert.deepEqual(Object.fromEntries(samples.map((s) => [s.metric.pod, s.value])), expected);
  });

  test('the adapter-style query an HPA Pods metric sends gets one value per pod', async () => {
    const servers = simulator.expectedTotals().servers;
    const pods = servers.map((s) => s.pod).join('|');
    const samples = await prometheus.query(
      `sum(stream_total_clients_by_pod{namespace="live",pod=~"${pods}"}) by (pod)`,
    );
    assert.deepEqual(
      Object.fromEntries(samples.map((s) => [s.metric.pod, s.value])),
      Object.fromEntries(servers.map((s) => [s.pod, s.clients])),
    );
  });
});
