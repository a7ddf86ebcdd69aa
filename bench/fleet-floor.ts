// The floor bench:fleet measures beside the two aggregators (`--floor`): what scraping alone costs on this machine.
// Each target is fetched on its slot every interval as fleet mode fetches it (fetchTarget through an HttpClient: the
// lean HTTP/1.1 client, keep-alive; slots placed by the scheduler's own scrapeOffsetMs and nextSlotMs) and its body
// parsed by fleet mode's parser seam (parseJsonBody); nothing is extracted, rendered, stored or served (/metrics
// answers one comment line, so the bench's pullers run as for the others). Any aggregator of this fleet pays at
// least this. With `undici` as its fourth argument it fetches through undici's `request` (the global dispatcher's
// keep-alive pools), as the naive aggregator does, and parses with `JSON.parse`: issue 15's own floor ("undici GET +
// JSON.parse of a 10-stream body"), measured on the same slots.
// `node dist/bench/fleet-floor.js <file_sd.json> <interval s> <port> [lean|undici]`
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { gzipSync } from 'node:zlib';
import { request } from 'undici';
import { DEFAULT_HTTP_CLIENT_CONFIG } from '../src/config/http-client-config.js';
import { parseJsonBody } from '../src/extract/parse-json.js';
import { createHttpClient, fetchTarget } from '../src/fetch/http-client.js';
import { nextSlotMs, scrapeOffsetMs } from '../src/fleet/scheduler-clock.js';

const [fileSd = '', intervalS = '15', port = '0', clientName = 'lean'] = process.argv.slice(2);
if (clientName !== 'lean' && clientName !== 'undici')
  throw new Error(`unknown floor client ${clientName}: lean or undici`);
const groups = JSON.parse(readFileSync(fileSd, 'utf8')) as Array<{ targets: string[] }>;
const client = createHttpClient(DEFAULT_HTTP_CLIENT_CONFIG);
/** One headers object for every request, as a module's (the lean client keeps the head it built from it). */
const headers = {};
let parsed = 0;
let failed = 0;

async function scrapeLean(url: string): Promise<void> {
  const result = await fetchTarget(client, {
    url,
    method: 'GET',
    headers,
    validStatusCodes: [],
    timeoutMs: 10_000,
    maxBodyBytes: 64 << 20,
    lean: true,
  });
  if (result.ok && parseJsonBody(result.body).ok) parsed++;
  else failed++;
}

async function scrapeUndici(url: string): Promise<void> {
  try {
    const response = await request(url, { headersTimeout: 10_000, bodyTimeout: 10_000 });
    JSON.parse(await response.body.text());
    parsed++;
  } catch {
    failed++;
  }
}

const scrape = clientName === 'lean' ? scrapeLean : scrapeUndici;

const intervalMs = Number(intervalS) * 1000;
for (const group of groups) {
  for (const url of group.targets) {
    const offsetMs = scrapeOffsetMs(url, intervalMs);
    // On the target's grid, as the scheduler arms it: no drift, no catch-up after a late timer, and a timer that
    // fires a millisecond early does not take the same slot twice.
    const arm = (slotMs: number): void => {
      setTimeout(() => {
        void scrape(url);
        arm(Math.max(slotMs + intervalMs, nextSlotMs(Date.now() + 1, intervalMs, offsetMs)));
      }, slotMs - Date.now());
    };
    arm(nextSlotMs(Date.now(), intervalMs, offsetMs));
  }
}

const server = createServer((req, res) => {
  if (req.url !== '/metrics') return void res.writeHead(404).end();
  const text = `# floor (${clientName}): ${parsed} bodies parsed, ${failed} failed; no series\n`;
  if (!/\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) return void res.end(text);
  res.writeHead(200, { 'content-encoding': 'gzip' }).end(gzipSync(text));
});
server.listen(Number(port), '127.0.0.1', () => {
  process.stdout.write(`floor listening on ${JSON.stringify(server.address())}\n`);
});
