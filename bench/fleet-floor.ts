// The floor bench:fleet measures beside the two aggregators (`--floor`): what scraping alone costs on this machine.
// Each target is fetched every interval with fleet mode's own HTTP/1.1 client (lean-http1.ts, keep-alive) and its
// body decoded and parsed (JSON.parse); nothing is extracted, rendered, stored or served (/metrics answers one
// comment line, so the bench's pullers run as for the others). Any aggregator of this fleet pays at least this.
// `node dist/bench/fleet-floor.js <file_sd.json> <interval s> <port>`
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { gzipSync } from 'node:zlib';
import { DEFAULT_HTTP_CLIENT_CONFIG } from '../src/config/http-client-config.js';
import { createAuthorizationSource } from '../src/fetch/credentials.js';
import { createLeanHttp1Client } from '../src/fetch/lean-http1.js';

const [fileSd = '', intervalS = '15', port = '0'] = process.argv.slice(2);
const groups = JSON.parse(readFileSync(fileSd, 'utf8')) as Array<{ targets: string[] }>;
const client = createLeanHttp1Client(DEFAULT_HTTP_CLIENT_CONFIG, createAuthorizationSource(DEFAULT_HTTP_CLIENT_CONFIG));
const decoder = new TextDecoder('utf-8', { fatal: true });
const headers = {};
let parsed = 0;
let failed = 0;

async function scrape(url: string): Promise<void> {
  const result = await client.fetch({
    url,
    method: 'GET',
    headers,
    validStatusCodes: [],
    timeoutMs: 10_000,
    maxBodyBytes: 64 << 20,
    lean: true,
  });
  if (!('ok' in result) || !result.ok) {
    failed++;
    return;
  }
  try {
    JSON.parse(decoder.decode(result.body));
    parsed++;
  } catch {
    failed++;
  }
}

const intervalMs = Number(intervalS) * 1000;
const urls = groups.flatMap((group) => group.targets.map((target) => new URL(target).href));
const startMs = Date.now();
for (const [i, url] of urls.entries()) {
  // Spread evenly over the interval, each target on its own grid (no drift, no catch-up after a late timer).
  const offsetMs = (i * intervalMs) / urls.length;
  let round = 0;
  const tick = (): void => {
    void scrape(url);
    round++;
    setTimeout(tick, Math.max(1, startMs + offsetMs + round * intervalMs - Date.now()));
  };
  setTimeout(tick, offsetMs);
}

const server = createServer((req, res) => {
  if (req.url !== '/metrics') return void res.writeHead(404).end();
  const text = `# floor: ${parsed} bodies parsed, ${failed} failed; no series\n`;
  if (!/\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) return void res.end(text);
  res.writeHead(200, { 'content-encoding': 'gzip' }).end(gzipSync(text));
});
server.listen(Number(port), '127.0.0.1', () => {
  process.stdout.write(`floor listening on ${JSON.stringify(server.address())}\n`);
});
