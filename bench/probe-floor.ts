// The Node floor for bench:probe: what any Node /probe must do at least — fetch the target through an undici pool,
// JSON.parse the body, answer a fixed ~5 KB exposition. Run as a child process so its CPU and memory are its own.
//
//   node dist/bench/probe-floor.js     → prints "listening <port>" on stdout; GET /probe?target=<url>
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';

// Enough connections per origin for the bench's 100 concurrent probes, as the exporter's client has.
const agent = new Agent({ connections: 256, pipelining: 1 });
const line = (i: number): string => `stream_clients_clients{name="livestream-${String(i).padStart(4, '0')}"} ${i}\n`;
let text = '# HELP stream_clients_clients Example of sub-level value scrapes from a json\n';
text += '# TYPE stream_clients_clients untyped\n';
for (let i = 0; text.length < 5 * 1024; i++) text += line(i);
const REPLY = Buffer.from(text);

const server = createServer((req, res) => {
  const target = new URL(req.url ?? '/', 'http://floor').searchParams.get('target');
  if (target === null) {
    res.writeHead(400).end('target missing\n');
    return;
  }
  request(target, { dispatcher: agent })
    .then(async (answer) => {
      JSON.parse(await answer.body.text());
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4', 'content-length': REPLY.byteLength });
      res.end(REPLY);
    })
    .catch((err: unknown) => {
      res.writeHead(503).end(`${(err as Error).message}\n`);
    });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void agent.close();
});
