// The peer bench:fleet measures fleet mode against: the aggregator a user would write in an afternoon. Each target
// is fetched every interval (undici GET, JSON.parse), the reference config's five values per stream are kept as a
// text fragment, and /metrics joins the fragments per request (gzip per request when asked).
// `node dist/bench/naive-aggregator.js <file_sd.json> <interval s> <port>`
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { gzip } from 'node:zlib';
import { request } from 'undici';

const [fileSd = '', intervalS = '15', port = '0'] = process.argv.slice(2);
const groups = JSON.parse(readFileSync(fileSd, 'utf8')) as Array<{ targets: string[]; labels: Record<string, string> }>;
const VALUES = ['clients', 'send_bytes', 'recv_bytes', 'frames', 'publish'] as const;
const fragments = new Map<string, string[]>(); // target → one text per value family
const up = new Map<string, number>();

interface Stream {
  name: string;
  clients: number;
  send_bytes: number;
  recv_bytes: number;
  frames: number;
  publish: { active: boolean };
}

const esc = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

async function scrape(url: string, labels: string): Promise<void> {
  try {
    const response = await request(url, { headersTimeout: 10_000, bodyTimeout: 10_000 });
    const body = JSON.parse(await response.body.text()) as { streams?: Stream[] };
    const parts: string[] = VALUES.map(() => '');
    for (const s of body.streams ?? []) {
      if (s.name === '') continue;
      const l = `{${labels},name="${esc(s.name)}"}`;
      parts[0] += `stream_clients_clients${l} ${s.clients}\n`;
      parts[1] += `stream_clients_send_bytes${l} ${s.send_bytes}\n`;
      parts[2] += `stream_clients_recv_bytes${l} ${s.recv_bytes}\n`;
      parts[3] += `stream_clients_frames${l} ${s.frames}\n`;
      parts[4] += `stream_clients_publish${l} ${s.publish.active ? 1 : 0}\n`;
    }
    fragments.set(url, parts);
    up.set(url, 1);
  } catch {
    fragments.delete(url);
    up.set(url, 0);
  }
}

const intervalMs = Number(intervalS) * 1000;
for (const group of groups) {
  for (const url of group.targets) {
    const labels = Object.entries({ job: 'srs-edge', instance: new URL(url).host, ...group.labels })
      .map(([k, v]) => `${k}="${esc(v)}"`)
      .join(',');
    // Spread over the interval, as any scheduler would; then one timer per target.
    setTimeout(() => {
      void scrape(url, labels);
      setInterval(() => void scrape(url, labels), intervalMs);
    }, Math.random() * intervalMs);
  }
}

function render(): string {
  let out = '';
  for (const [i, value] of VALUES.entries()) {
    out += `# HELP stream_clients_${value} Example of sub-level value scrapes from a json\n# TYPE stream_clients_${value} untyped\n`;
    for (const parts of fragments.values()) out += parts[i];
  }
  out += '# HELP up Whether the last scrape succeeded.\n# TYPE up gauge\n';
  for (const [url, value] of up) out += `up{url="${esc(url)}"} ${value}\n`;
  return out;
}

const server = createServer((req, res) => {
  if (req.url !== '/metrics') return void res.writeHead(404).end();
  const text = render();
  if (!/\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) return void res.end(text);
  gzip(text, { level: 1 }, (err, zipped) => {
    if (err !== null) return void res.writeHead(500).end();
    res.writeHead(200, { 'content-encoding': 'gzip', 'content-type': 'text/plain; version=0.0.4' }).end(zipped);
  });
});
server.listen(Number(port), '127.0.0.1', () => {
  process.stdout.write(`naive aggregator listening on ${JSON.stringify(server.address())}\n`);
});
