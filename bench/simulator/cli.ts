// `npm run simulator -- --servers N --streams M --seed S [--file-sd out.json]`: serve a simulated SRS fleet until Ctrl-C.
import { writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { integerFlag, parseFlags } from './cli-flags.js';
import { startFleetSimulator } from './fleet-simulator.js';

const USAGE = `usage: npm run simulator -- [--servers N] [--streams M] [--seed S] [--file-sd out.json] [--churn-ms MS] [--host H]
                              [--ports P] [--api-path PATH]
  Serves N virtual SRS servers (one port each, or spread over P ports under /srs-edge-<i>/) with M streams each,
  churning every MS ms (0: static). Writes Prometheus file_sd JSON to --file-sd (and prints it when not given);
  with shared ports its targets are URLs ending in PATH (default /api/v1/streams/).`;

async function main(): Promise<void> {
  const values = parseFlags(
    {
      servers: { type: 'string' },
      streams: { type: 'string' },
      seed: { type: 'string' },
      'file-sd': { type: 'string' },
      'churn-ms': { type: 'string' },
      host: { type: 'string' },
      ports: { type: 'string' },
      'api-path': { type: 'string' },
      help: { type: 'boolean' },
    },
    USAGE,
  );
  if (values.help === true) {
    process.stdout.write(USAGE + '\n');
    return;
  }
  const churnMs = integerFlag(values, 'churn-ms', 1000, USAGE);
  const ports = integerFlag(values, 'ports', 0, USAGE);
  const simulator = await startFleetSimulator({
    servers: integerFlag(values, 'servers', 10, USAGE),
    streamsPerServer: integerFlag(values, 'streams', 20, USAGE),
    seed: integerFlag(values, 'seed', 1, USAGE),
    ...(typeof values.host === 'string' ? { host: values.host } : {}),
    ...(churnMs === 0 ? {} : { churnIntervalMs: churnMs }),
    ...(ports === 0 ? {} : { ports }),
  });
  const apiPath = values['api-path'];
  const fileSd = JSON.stringify(simulator.fileSd(typeof apiPath === 'string' ? { apiPath } : {}), null, 2) + '\n';
  const fileSdPath = values['file-sd'];
  if (typeof fileSdPath === 'string') {
    writeFileSync(fileSdPath, fileSd);
    process.stdout.write(`simulating ${simulator.urls.length} SRS servers; file_sd written to ${fileSdPath}\n`);
  } else {
    process.stdout.write(fileSd);
  }
  process.stdout.write(`first server: ${simulator.urls[0] ?? ''} (Ctrl-C to stop)\n`);
  // A parent (bench:fleet) asks over IPC for the request gaps the targets saw: lag measured where it happens. The
  // simulator's own event-loop delay comes with them: a request is stamped when this loop gets to it, so a delay
  // here (its GC, or the cores busy with the exporter) reads as lag too.
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  process.on('message', (message: unknown) => {
    if (message !== 'take-request-gaps') return;
    process.send?.({
      gaps: Array.from(simulator.takeRequestGaps()),
      loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
      loopDelayMaxMs: loopDelay.max / 1e6,
    });
    loopDelay.reset();
  });
  process.channel?.unref();
  const stop = (): void => {
    void simulator.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

await main();
