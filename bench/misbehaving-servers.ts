// Targets that misbehave the ways a real fleet does, on one 127.0.0.1 port, for the soak: a hang (no headers ever),
// a trickle (one byte every 500 ms), a huge body (over the exporter's limit), a gzip bomb (256 MiB of zeros in
// ~256 KiB), and a healthy SRS body sent gzip-encoded. Every held response is released when its client goes away.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { generateStreamsBodyOfCount } from './srs-body-generator.js';

export const MISBEHAVIOURS = ['hang', 'trickle', 'huge', 'gzip_bomb', 'gzip_ok'] as const;
export type Misbehaviour = (typeof MISBEHAVIOURS)[number];

export interface MisbehavingServers {
  /** One URL per misbehaviour (paths /hang, /trickle, …). */
  readonly urls: Readonly<Record<Misbehaviour, string>>;
  /** Responses held open right now (hang and trickle), for the report. */
  readonly held: () => number;
  close(): Promise<void>;
}

export async function startMisbehavingServers(options: {
  hugeBytes: number;
  streams: number;
}): Promise<MisbehavingServers> {
  const srsBody = generateStreamsBodyOfCount(options.streams).body;
  const gzippedSrs = gzipSync(srsBody);
  const bomb = gzipSync(Buffer.alloc(256 << 20), { level: 9 });
  // One small chunk repeated: the huge body is streamed, never held whole by this server.
  const hugeChunk = Buffer.from(`${'{"x":1},'.repeat(8191)}{"x":1}`);
  const held = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    res.on('close', () => held.delete(res));
    switch (path) {
      case '/hang':
        held.add(res);
        return;
      case '/trickle': {
        held.add(res);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"code":0,"streams":[');
        const timer = setInterval(() => res.write(' '), 500);
        res.on('close', () => clearInterval(timer));
        return;
      }
      case '/huge': {
        res.writeHead(200, { 'content-type': 'application/json' });
        let sent = 0;
        res.write('[');
        const pump = (): void => {
          while (sent < options.hugeBytes) {
            sent += hugeChunk.byteLength + 1;
            if (!res.write(sent < options.hugeBytes ? Buffer.concat([hugeChunk, Buffer.from(',')]) : hugeChunk)) {
              res.once('drain', pump);
              return;
            }
          }
          res.end(']');
        };
        res.on('error', () => undefined);
        pump();
        return;
      }
      case '/gzip_bomb':
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }).end(bomb);
        return;
      case '/gzip_ok':
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }).end(gzippedSrs);
        return;
      default:
        res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const urls = Object.fromEntries(MISBEHAVIOURS.map((kind) => [kind, `${base}/${kind}`])) as Record<
    Misbehaviour,
    string
  >;
  return {
    urls,
    held: () => held.size,
    close: () =>
      new Promise((resolve) => {
        for (const res of held) res.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
