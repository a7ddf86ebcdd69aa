// One client variant of bench:fetch-client, alone in its process so process.cpuUsage() counts this client only: every
// target of the file_sd fetched once per interval at its own offset (spread over the interval, as the fleet
// scheduler does), each body JSON.parse'd; after the warm-up, CPU and counts over the window, printed as JSON.
// `node dist/bench/fetch-client-child.js <undici|lean> <file_sd.json> <interval s> <warm-up s> <window s> [lean keep-alive ms]`
import { channel } from 'node:diagnostics_channel';
import { readFileSync } from 'node:fs';
import { DEFAULT_HTTP_CLIENT_CONFIG } from '../src/config/http-client-config.js';
import type { HttpClientConfig } from '../src/config/types.js';
import { createHttpClient, fetchTarget, type FetchRequest, type FetchResult } from '../src/fetch/http-client.js';
import { createLeanHttp1Client, isLeanFallback } from '../src/fetch/lean-http1.js';
import { Prng } from './simulator/prng.js';

const [variant = '', fileSd = '', intervalS = '15', warmupS = '20', windowS = '30', leanKeepAliveMs = '4000'] =
  process.argv.slice(2);
const groups = JSON.parse(readFileSync(fileSd, 'utf8')) as Array<{ targets: string[] }>;
// With one port per server the simulator lists `host:port` targets, as a fleet job's static targets: the SRS API path
// is the module's (the srs_streams preset's).
const urls = groups
  .flatMap((group) => group.targets)
  .map((target) => (/^https?:\/\//.test(target) ? target : `http://${target}/api/v1/streams/`));
const intervalMs = Number(intervalS) * 1000;

// The module defaults a fleet module gets (srs_streams preset): redirects followed, 10 s timeouts.
const config: HttpClientConfig = DEFAULT_HTTP_CLIENT_CONFIG;
let fetchOne: (request: FetchRequest) => Promise<FetchResult>;
if (variant === 'undici') {
  const client = createHttpClient(config);
  fetchOne = (request) => fetchTarget(client, request);
} else if (variant === 'lean') {
  const client = createLeanHttp1Client(config, async () => undefined, { keepAliveTimeoutMs: Number(leanKeepAliveMs) });
  fetchOne = async (request) => {
    const result = await client.fetch(request);
    if (isLeanFallback(result)) throw new Error(`unexpected fallback ${result.fallback}`);
    return result;
  };
} else {
  process.stderr.write(`unknown variant "${variant}" (undici or lean)\n`);
  process.exit(2);
}

let requests = 0;
let failures = 0;
let connects = 0;
const reasons: Record<string, number> = {};
channel('net.client.socket').subscribe(() => connects++);

async function scrape(url: string): Promise<void> {
  const result = await fetchOne({
    url,
    method: 'GET',
    headers: {},
    validStatusCodes: [],
    timeoutMs: 10_000,
    maxBodyBytes: 32 * 1024 * 1024,
  });
  requests++;
  if (!result.ok) {
    failures++;
    reasons[result.reason] = (reasons[result.reason] ?? 0) + 1;
    return;
  }
  JSON.parse(Buffer.from(result.body.buffer, result.body.byteOffset, result.body.byteLength).toString('utf8'));
}

// Each target at its own random (seeded) offset in the interval, as the fleet scheduler spreads them; the same
// offsets for every variant. Random, not evenly spaced: a port's requests then sometimes leave a socket idle past
// its keep-alive, so reconnects are part of the measure as in a real fleet.
const random = new Prng(1);
const slots = urls.map((url) => ({ url, offset: random.next() * intervalMs }));
slots.sort((a, b) => a.offset - b.offset);
const started = performance.now();
let next = 0;
let round = 0;
setInterval(() => {
  const now = performance.now() - started - round * intervalMs;
  while (next < slots.length && (slots[next] as { offset: number }).offset <= now)
    void scrape((slots[next++] as { url: string }).url);
  if (next >= slots.length) {
    next = 0;
    round++;
  }
}, 10);

setTimeout(() => {
  const cpu0 = process.cpuUsage();
  const requests0 = requests;
  const failures0 = failures;
  const connects0 = connects;
  setTimeout(() => {
    const cpu = process.cpuUsage(cpu0);
    const n = requests - requests0;
    const seconds = Number(windowS);
    process.stdout.write(
      `${JSON.stringify({
        variant,
        requests: n,
        failures: failures - failures0,
        reasons,
        connects: connects - connects0,
        userUsPerRequest: cpu.user / n,
        sysUsPerRequest: cpu.system / n,
        cpuUsPerRequest: (cpu.user + cpu.system) / n,
        cpuPercentOfOneCore: (cpu.user + cpu.system) / 1e4 / seconds,
        rssMb: process.memoryUsage().rss / 1e6,
        maxRssMb: process.resourceUsage().maxRSS / 1e3,
      })}\n`,
    );
    process.exit(0);
  }, Number(windowS) * 1000);
}, Number(warmupS) * 1000);
