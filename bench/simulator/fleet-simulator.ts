// Many virtual SRS servers in one process, one 127.0.0.1 port each (or several per port, told apart by a path prefix):
// the fleet that benches, e2e tests and the demo scrape.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deriveSeed } from './prng.js';
import { handleSrsRequest, type SimulatedFault } from './srs-api-handler.js';
import { VirtualSrsServer, type ServerTotals } from './virtual-server.js';

export type { SimulatedFault } from './srs-api-handler.js';
export type { ServerTotals } from './virtual-server.js';

export interface FleetSimulatorOptions {
  readonly servers: number;
  readonly streamsPerServer: number;
  readonly seed: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /**
   * Churn with wall time: every `churnIntervalMs` each server advances one step of `stepMs`. The steps are taken when
   * the server is asked (or its totals are read), not on a timer over all servers: at 10,000 servers a global tick
   * blocked the simulator for hundreds of ms a second and the lag it caused was charged to the scrapers. Absent (the
   * default): the fleet changes only through advance(), so tests stay deterministic.
   */
  readonly churnIntervalMs?: number;
  /** Simulated time per churn step; default 1000 ms. */
  readonly stepMs?: number;
  /** How late a `slow` server answers; default 10 000 ms. */
  readonly slowDelayMs?: number;
  /** Basic auth on /api/ paths, as SRS ≥ 5.0.152 does with `http_api { auth { … } }`. */
  readonly basicAuth?: { readonly username: string; readonly password: string };
  /**
   * Listening ports; default one per server. Fewer ports than servers (10,000 servers need more ports than a
   * machine likes to open): server i listens on port i mod `ports`, under the path prefix `/srs-edge-<i>`, and
   * `urls` and fileSd() name it by a full URL.
   */
  readonly ports?: number;
}

export interface FileSdOptions {
  /** Labels added to every target group (after `pod` and `server`). */
  readonly labels?: Readonly<Record<string, string>>;
  /** With shared ports, the API path (and query) put after a server's prefix; default `/api/v1/streams/`. */
  readonly apiPath?: string;
}

/** One Prometheus file_sd target group. */
export interface FileSdGroup {
  readonly targets: string[];
  readonly labels: Record<string, string>;
}

export interface SimulatedServerTotals extends ServerTotals {
  readonly index: number;
  /** `srs-edge-<index>`: SRS's `server` field and the `pod` label of fileSd(). */
  readonly pod: string;
  /** `host:port`, what Prometheus and fleet mode call the instance. */
  readonly address: string;
  readonly url: string;
  readonly fault: SimulatedFault | undefined;
}

export interface FleetTotals {
  readonly servers: SimulatedServerTotals[];
  readonly streams: number;
  readonly clients: number;
}

export interface FleetSimulator {
  /** One streams URL per virtual server, e.g. http://127.0.0.1:PORT/api/v1/streams/ (shared ports: …/srs-edge-7/api/…). */
  readonly urls: string[];
  /** `host:port` per virtual server, in the order of `urls`. */
  readonly addresses: string[];
  /** Prometheus file_sd JSON for the fleet: one group per server, labelled `pod` and `server`. */
  fileSd(options?: FileSdOptions): FileSdGroup[];
  /** Makes server `index` misbehave (undefined: healthy again). */
  setFault(index: number, fault: SimulatedFault | undefined): void;
  /** Advances every server's churn by `steps` steps (streams start and stop, players come and go, counters grow). */
  advance(steps?: number): void;
  /** What each server serves right now (streams, clients, bytes), for assertions. */
  expectedTotals(): FleetTotals;
  /** API requests each server answered (any path, any outcome), for paging assertions. */
  requestCount(index: number): number;
  /**
   * Time between consecutive first-page `/api/v1/streams/` requests to the same server, in ms, since the last call
   * (then cleared): the scrape interval as the targets see it; bench:fleet turns it into lag, |gap − interval|.
   */
  takeRequestGaps(): Float64Array;
  close(): Promise<void>;
}

interface Member {
  readonly state: VirtualSrsServer;
  readonly http: Server;
  readonly address: string;
  /** `http://host:port` or, with shared ports, `http://host:port/srs-edge-<i>`. */
  readonly base: string;
  fault: SimulatedFault | undefined;
  requests: number;
  /** performance.now() of the last first-page streams request; -1 before the first. */
  lastListMs: number;
  /** Wall time up to which churn steps were taken. */
  churnedAt: number;
}

function validateOptions(options: FleetSimulatorOptions): void {
  const positive = (name: string, value: number, min: number): void => {
    if (!Number.isInteger(value) || value < min)
      throw new RangeError(`fleet simulator: ${name} must be an integer ≥ ${min} (got ${value})`);
  };
  positive('servers', options.servers, 1);
  positive('streamsPerServer', options.streamsPerServer, 0);
  positive('seed', options.seed, 0);
  if (options.churnIntervalMs !== undefined) positive('churnIntervalMs', options.churnIntervalMs, 1);
  if (options.stepMs !== undefined) positive('stepMs', options.stepMs, 1);
  if (options.ports !== undefined) positive('ports', options.ports, 1);
}

function listen(server: Server, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function formatAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export async function startFleetSimulator(options: FleetSimulatorOptions): Promise<FleetSimulator> {
  validateOptions(options);
  const host = options.host ?? '127.0.0.1';
  const stepMs = options.stepMs ?? 1000;
  const slowDelayMs = options.slowDelayMs ?? 10_000;
  const expectedAuthorization =
    options.basicAuth === undefined
      ? undefined
      : 'Basic ' + Buffer.from(`${options.basicAuth.username}:${options.basicAuth.password}`).toString('base64');
  const timers = new Set<NodeJS.Timeout>();
  const members: Member[] = [];
  const portCount = Math.min(options.servers, options.ports ?? options.servers);
  const shared = portCount < options.servers;
  const https: Server[] = [];
  let gaps = new Float64Array(1024);
  let gapCount = 0;
  const churnMs = options.churnIntervalMs;
  const catchUp = (member: Member): void => {
    if (churnMs === undefined) return;
    const steps = Math.floor((Date.now() - member.churnedAt) / churnMs);
    for (let s = 0; s < steps; s++) member.state.advance(stepMs);
    member.churnedAt += steps * churnMs;
  };
  const handle = (member: Member, req: IncomingMessage, res: ServerResponse): void => {
    member.requests++;
    catchUp(member);
    const url = req.url ?? '';
    if (url.startsWith('/api/v1/streams/') && (url.length === 16 || url[16] === '?') && !url.includes('start=')) {
      const now = performance.now();
      if (member.lastListMs >= 0) {
        if (gapCount === gaps.length) {
          const grown = new Float64Array(gaps.length * 2);
          grown.set(gaps);
          gaps = grown;
        }
        gaps[gapCount++] = now - member.lastListMs;
      }
      member.lastListMs = now;
    }
    handleSrsRequest(
      { server: member.state, fault: member.fault, slowDelayMs, expectedAuthorization, timers },
      req,
      res,
    );
  };
  try {
    for (let p = 0; p < portCount; p++) https.push(createServer());
    for (let index = 0; index < options.servers; index++) {
      const state = new VirtualSrsServer(index, deriveSeed(options.seed, index), options.streamsPerServer);
      const member: Member = {
        state,
        http: https[index % portCount] as Server,
        address: '',
        base: '',
        fault: undefined,
        requests: 0,
        lastListMs: -1,
        churnedAt: Date.now(),
      };
      if (!shared) member.http.on('request', (req, res) => handle(member, req, res));
      members.push(member);
    }
    if (shared) {
      // `/srs-edge-<i>/api/…` → server i, which sees `/api/…` as a real SRS would.
      const byName = new Map(members.map((m) => [m.state.name, m]));
      for (const http of https) {
        http.on('request', (req: IncomingMessage, res: ServerResponse) => {
          const url = req.url ?? '/';
          const end = url.indexOf('/', 1);
          const member = end === -1 ? undefined : byName.get(url.slice(1, end));
          if (member === undefined || member.http !== http) {
            res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not Found');
            return;
          }
          req.url = url.slice(end);
          handle(member, req, res);
        });
      }
    }
    const ports = await Promise.all(https.map((http) => listen(http, host)));
    for (const [i, member] of members.entries()) {
      const address = formatAddress(host, ports[i % portCount] as number);
      Object.assign(member, { address, base: `http://${address}${shared ? `/${member.state.name}` : ''}` });
    }
  } catch (err) {
    await Promise.all(https.map((http) => closeServer(http)));
    throw err;
  }

  const advance = (steps = 1): void => {
    for (let s = 0; s < steps; s++) for (const m of members) m.state.advance(stepMs);
  };

  const member = (index: number): Member => {
    const found = members[index];
    if (found === undefined) throw new RangeError(`fleet simulator: no server ${index} (there are ${members.length})`);
    return found;
  };

  return {
    urls: members.map((m) => `${m.base}/api/v1/streams/`),
    addresses: members.map((m) => m.address),
    fileSd: (fileSdOptions = {}) =>
      members.map((m) => ({
        targets: [shared ? `${m.base}${fileSdOptions.apiPath ?? '/api/v1/streams/'}` : m.address],
        labels: { pod: m.state.name, server: m.state.name, ...fileSdOptions.labels },
      })),
    setFault: (index, fault) => {
      member(index).fault = fault;
    },
    advance,
    expectedTotals: () => {
      for (const m of members) catchUp(m);
      const servers = members.map((m) => ({
        ...m.state.totals(),
        index: m.state.index,
        pod: m.state.name,
        address: m.address,
        url: `${m.base}/api/v1/streams/`,
        fault: m.fault,
      }));
      return {
        servers,
        streams: servers.reduce((sum, s) => sum + s.streams, 0),
        clients: servers.reduce((sum, s) => sum + s.clients, 0),
      };
    },
    requestCount: (index) => member(index).requests,
    takeRequestGaps: () => {
      const taken = gaps.slice(0, gapCount);
      gapCount = 0;
      return taken;
    },
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await Promise.all(https.map((http) => closeServer(http)));
    },
  };
}

function closeServer(server: Server): Promise<void> {
  if (!server.listening) return Promise.resolve();
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
