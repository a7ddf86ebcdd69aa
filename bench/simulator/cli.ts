// `npm run simulator -- --servers N --streams M --seed S [--file-sd out.json]`: serve a simulated SRS fleet until Ctrl-C.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startFleetSimulator } from './fleet-simulator.js';

const USAGE = `usage: npm run simulator -- [--servers N] [--streams M] [--seed S] [--file-sd out.json] [--churn-ms MS] [--host H]
  Serves N virtual SRS servers (one port each) with M streams each, churning every MS ms (0: static).
  Writes Prometheus file_sd JSON to --file-sd (and prints it when not given).`;

function integerFlag(values: Record<string, string | boolean | undefined>, name: string, fallback: number): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (typeof raw !== 'string' || !Number.isInteger(value) || value < 0) {
    process.stderr.write(`--${name} must be a non-negative integer (got ${String(raw)})\n${USAGE}\n`);
    process.exit(2);
  }
  return value;
}

async function main(): Promise<void> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        servers: { type: 'string' }, streams: { type: 'string' }, seed: { type: 'string' }, 'file-sd': { type: 'string' },
        'churn-ms': { type: 'string' }, host: { type: 'string' }, help: { type: 'boolean' },
      },
      strict: true,
    }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  if (values.help === true) {
    process.stdout.write(USAGE + '\n');
    return;
  }
  const churnMs = integerFlag(values, 'churn-ms', 1000);
  const simulator = await startFleetSimulator({
    servers: integerFlag(values, 'servers', 10),
    streamsPerServer: integerFlag(values, 'streams', 20),
    seed: integerFlag(values, 'seed', 1),
    ...(typeof values.host === 'string' ? { host: values.host } : {}),
    ...(churnMs === 0 ? {} : { churnIntervalMs: churnMs }),
  });
  const fileSd = JSON.stringify(simulator.fileSd(), null, 2) + '\n';
  const fileSdPath = values['file-sd'];
  if (typeof fileSdPath === 'string') {
    writeFileSync(fileSdPath, fileSd);
    process.stdout.write(`simulating ${simulator.urls.length} SRS servers; file_sd written to ${fileSdPath}\n`);
  } else {
    process.stdout.write(fileSd);
  }
  process.stdout.write(`first server: ${simulator.urls[0] ?? ''} (Ctrl-C to stop)\n`);
  const stop = (): void => {
    void simulator.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

await main();
