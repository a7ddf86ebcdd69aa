// `npm run demo`: a simulated SRS fleet and the exporter in fleet mode over it (SRS presets), until Ctrl-C.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startExporter } from '../../src/commands/serve.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { integerFlag, parseFlags } from './cli-flags.js';
import { startFleetSimulator } from './fleet-simulator.js';

const USAGE = `usage: npm run demo -- [--servers N] [--streams M] [--seed S] [--listen HOST:PORT]
  Simulates N SRS servers with M streams each (two of them failing, to show it), and serves their metrics
  through the exporter in fleet mode on --listen (default 127.0.0.1:7979).`;

async function main(): Promise<void> {
  const values = parseFlags(
    {
      servers: { type: 'string' },
      streams: { type: 'string' },
      seed: { type: 'string' },
      listen: { type: 'string' },
      help: { type: 'boolean' },
    },
    USAGE,
  );
  if (values.help === true) {
    process.stdout.write(USAGE + '\n');
    return;
  }
  const servers = Math.max(1, integerFlag(values, 'servers', 12, USAGE));
  const simulator = await startFleetSimulator({
    servers,
    streamsPerServer: integerFlag(values, 'streams', 20, USAGE),
    seed: integerFlag(values, 'seed', 1, USAGE),
    churnIntervalMs: 1000,
  });
  // Two servers misbehave, so /targets shows what a failing SRS looks like (an HTTP error and SRS's own error code).
  if (servers >= 4) {
    simulator.setFault(servers - 1, 'http_500');
    simulator.setFault(servers - 2, 'code_2048');
  }
  const dir = mkdtempSync(join(tmpdir(), 'fje-demo-'));
  writeFileSync(
    join(dir, 'srs-fleet.json'),
    JSON.stringify(simulator.fileSd({ labels: { cluster: 'demo' } }), null, 2),
  );
  writeFileSync(
    join(dir, 'config.yml'),
    `modules:
  default: { preset: srs_streams }
  srs_summaries: { preset: srs_summaries }
fleet:
  scrape_interval: 5s
  scrape_timeout: 4s
  jobs:
    - name: srs-edge
      module: default
      target_url: "http://{{address}}/api/v1/streams/"
      file_sd: [srs-fleet.json]
    - name: srs-edge-summaries
      module: srs_summaries
      target_url: "http://{{address}}/api/v1/summaries"
      file_sd: [srs-fleet.json]
`,
  );
  const configFile = join(dir, 'config.yml');
  let exporter: Awaited<ReturnType<typeof startExporter>>;
  try {
    exporter = await startExporter(
      {
        configFile,
        configCheck: false,
        listenAddress: typeof values.listen === 'string' ? values.listen : '127.0.0.1:7979',
        telemetryPath: '/metrics',
        logLevel: 'warn',
        maxBodyBytes: 32 << 20,
        timeoutOffsetMs: 500,
      },
      createLogger('warn'),
    );
  } catch (err) {
    await simulator.close();
    rmSync(dir, { recursive: true, force: true });
    process.stderr.write(
      `demo: the exporter did not start: ${(err as Error).message}\n(another one on that port? try --listen 127.0.0.1:7980)\n`,
    );
    process.exit(1);
  }
  const base = `http://127.0.0.1:${exporter.port}`;
  process.stdout.write(`fleet-json-exporter demo: ${servers} simulated SRS servers, streams churning every second.
  ${base}/targets            every SRS server, up or down and why (two fail on purpose)
  ${base}/metrics            all their metrics at once (srs_stream_*, srs_process_*, fleet_json_exporter_target_*)
  ${base}/federate?match[]={__name__=~"srs_stream_clients"}
  ${base}/probe?target=${encodeURIComponent(simulator.urls[0] ?? '')}   one server, probe mode
  config: ${configFile}   (file_sd: ${join(dir, 'srs-fleet.json')})
Ctrl-C to stop.
`);
  const running = exporter;
  const stop = (): void => {
    void running
      .stop()
      .then(() => simulator.close())
      .then(() => {
        rmSync(dir, { recursive: true, force: true });
        process.exit(0);
      });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

await main();
