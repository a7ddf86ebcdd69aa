// Many virtual SRS servers in one process, one 127.0.0.1 port each: the fleet that benches, e2e tests and the demo scrape.
import { createServer, type Server } from 'node:http';
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
   * Churn on a timer: every `churnIntervalMs` of wall time each server advances one step of `stepMs`. Absent (the
   * default): the fleet changes only through advance(), so tests stay deterministic.
   */
  readonly churnIntervalMs?: number;
  /** Simulated time per churn step; default 1000 ms. */
  readonly stepMs?: number;
  /** How late a `slow` server answers; default 10 000 ms. */
  readonly slowDelayMs?: number;
  /** Basic auth on /api/ paths, as SRS ≥ 5.0.152 does with `http_api { auth { … } }`. */
  readonly basicAuth?: { readonly username: string; readonly password: string };
}

export interface FileSdOptions {
  /** Labels added to every target group (after `pod` and `server`). */
  readonly labels?: Readonly<Record<string, string>>;
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
  /** One streams URL per virtual server, e.g. http://127.0.0.1:PORT/api/v1/streams/. */
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
  close(): Promise<void>;
}

interface Member {
  readonly state: VirtualSrsServer;
  readonly http: Server;
  readonly address: string;
  fault: SimulatedFault | undefined;
  requests: number;
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
  try {
    for (let index = 0; index < options.servers; index++) {
      const state = new VirtualSrsServer(index, deriveSeed(options.seed, index), options.streamsPerServer);
      const member: Member = { state, http: createServer(), address: '', fault: undefined, requests: 0 };
      member.http.on('request', (req, res) => {
        member.requests++;
        handleSrsRequest({ server: state, fault: member.fault, slowDelayMs, expectedAuthorization, timers }, req, res);
      });
      members.push(member);
    }
    const ports = await Promise.all(members.map((m) => listen(m.http, host)));
    for (const [i, port] of ports.entries())
      Object.assign(members[i] as Member, { address: formatAddress(host, port) });
  } catch (err) {
    await Promise.all(members.map((m) => closeServer(m.http)));
    throw err;
  }

  const advance = (steps = 1): void => {
    for (let s = 0; s < steps; s++) for (const m of members) m.state.advance(stepMs);
  };
  const churn =
    options.churnIntervalMs === undefined ? undefined : setInterval(() => advance(1), options.churnIntervalMs);
  churn?.unref();

  const member = (index: number): Member => {
    const found = members[index];
    if (found === undefined) throw new RangeError(`fleet simulator: no server ${index} (there are ${members.length})`);
    return found;
  };

  return {
    urls: members.map((m) => `http://${m.address}/api/v1/streams/`),
    addresses: members.map((m) => m.address),
    fileSd: (fileSdOptions = {}) =>
      members.map((m) => ({
        targets: [m.address],
        labels: { pod: m.state.name, server: m.state.name, ...fileSdOptions.labels },
      })),
    setFault: (index, fault) => {
      member(index).fault = fault;
    },
    advance,
    expectedTotals: () => {
      const servers = members.map((m) => ({
        ...m.state.totals(),
        index: m.state.index,
        pod: m.state.name,
        address: m.address,
        url: `http://${m.address}/api/v1/streams/`,
        fault: m.fault,
      }));
      return {
        servers,
        streams: servers.reduce((sum, s) => sum + s.streams, 0),
        clients: servers.reduce((sum, s) => sum + s.clients, 0),
      };
    },
    requestCount: (index) => member(index).requests,
    close: async () => {
      if (churn !== undefined) clearInterval(churn);
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await Promise.all(members.map((m) => closeServer(m.http)));
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
