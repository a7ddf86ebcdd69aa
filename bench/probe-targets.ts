// bench:probe's SRS stand-in, run in a worker thread so serving bodies never waits on autocannon's event loop:
// GET /<body name> answers that generated body, the same bytes every time.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { bodyOf } from './probe-bodies.js';

const names = workerData as readonly string[];
const bodies = new Map(names.map((name) => [name, bodyOf(name).body]));
const server = createServer((req, res) => {
  const body = bodies.get((req.url ?? '/').slice(1).split('?')[0] ?? '');
  if (body === undefined) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.byteLength }).end(body);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => parentPort?.postMessage((server.address() as AddressInfo).port));
parentPort?.on('message', () => {
  server.close();
  server.closeAllConnections();
});
