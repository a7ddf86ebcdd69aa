// The HTTP server: routes /probe, the self-metrics, health, readiness, reload and the landing page.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { HotPath } from '../pool/hot-path.js';
import type { ScrapeOutcomeRecorder } from '../scrape/record-outcome.js';
import type { Logger } from '../telemetry/logger.js';
import type { SelfMetrics } from '../telemetry/self-metrics.js';
import type { ConfigReloader } from './config-reloader.js';
import { handleFederate } from './federate-route.js';
import { CONTENT_TYPES, negotiateFormat } from '../exposition/negotiate.js';
import { handleFleetMetrics, renderSelfMetrics } from './fleet-metrics-route.js';
import type { FleetEndpoints } from '../fleet/fleet-endpoints.js';
import { handleSd, handleTargets } from './fleet-routes.js';
import { renderLandingPage } from './landing-page.js';
import { admitsClient, httpsServerOptions } from './https-options.js';
import { handleProbe } from './probe-route.js';
import { sendBody, sendText } from './respond.js';
import { WebAccess } from './web-access.js';
import { DEFAULT_PROBE_LIMITS, ProbeLimiter, type ProbeLimits } from './probe-limiter.js';
import { OPEN_TARGET_POLICY_SETTINGS, TargetPolicy } from '../fetch/target-policy.js';
import type { WebConfig } from './web-config.js';

export interface ExporterServerOptions {
  readonly reloader: ConfigReloader;
  readonly metrics: SelfMetrics;
  /** Counts and logs every scrape's outcome; fleet mode records into the same one. */
  readonly recorder: ScrapeOutcomeRecorder;
  readonly logger: Logger;
  /** Path of the exporter's own metrics; `/metrics` by default (json_exporter's --web.telemetry-path). */
  readonly telemetryPath: string;
  readonly maxBodyBytes: number;
  readonly timeoutOffsetMs: number;
  /** Where /probe parses, extracts and renders bodies; the caller owns it and closes it. */
  readonly hotPath: HotPath;
  /** Fleet mode, when the config has a `fleet:` section (read per request: a reload may turn it on or off). */
  readonly fleet?: () => FleetEndpoints | undefined;
  /** --web.config.file: HTTPS, extra headers and basic auth on every route; plain HTTP when absent. */
  readonly webConfig?: WebConfig;
  /** --probe.max-concurrent and --probe.max-queue; DEFAULT_PROBE_LIMITS when absent. */
  readonly probeLimits?: ProbeLimits;
  /** The targets /probe may fetch (--probe.allow-target-*, --probe.deny-local-targets); open when absent. */
  readonly targetPolicy?: TargetPolicy;
}

/** The options with their defaults resolved, as the routes read them. */
type RouteOptions = ExporterServerOptions & {
  readonly probeLimiter: ProbeLimiter;
  readonly targetPolicy: TargetPolicy;
};

/** Where to listen: a host and port, or a listening socket's fd (systemd socket activation). */
export type ListenTarget = { readonly port: number; readonly host: string | undefined } | { readonly fd: number };

export interface ExporterServer {
  /** The first listener's server (more are made, with the same routes, for each further listen call). */
  readonly server: Server;
  listen(port: number, host?: string): Promise<AddressInfo>;
  /** Listens on one more address or fd: the first call uses `server`, each further one a new server. */
  listenOn(target: ListenTarget): Promise<AddressInfo | string>;
  /** Stops accepting; requests in flight get `graceMs` (default 0) to finish, then their connections are cut. */
  close(graceMs?: number): Promise<void>;
}

async function route(request: IncomingMessage, response: ServerResponse, options: RouteOptions): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const method = request.method ?? 'GET';
  const isRead = method === 'GET' || method === 'HEAD';
  switch (url.pathname) {
    case '/probe':
      if (!isRead) break;
      await handleProbe(request, response, url, options);
      return;
    case options.telemetryPath: {
      if (!isRead) break;
      const fleet = options.fleet?.();
      if (fleet !== undefined) await handleFleetMetrics(request, response, fleet);
      else {
        // Probe mode: the exporter's own metrics, in the format the scraper asks for (as fleet mode does).
        const format = negotiateFormat(request.headers.accept);
        await sendBody(request, response, CONTENT_TYPES[format], await renderSelfMetrics(options.metrics, format));
      }
      return;
    }
    case '/federate':
    case '/targets':
    case '/sd': {
      const fleet = options.fleet?.();
      if (fleet === undefined) {
        sendText(response, 404, `Not found: ${url.pathname} (fleet mode only: the config has no fleet: section)\n`);
        return;
      }
      if (!isRead) break;
      if (url.pathname === '/federate') await handleFederate(request, response, url, fleet);
      else if (url.pathname === '/targets') await handleTargets(request, response, url, fleet);
      else await handleSd(request, response, fleet.store);
      return;
    }
    case '/-/healthy':
      if (!isRead) break;
      sendText(response, 200, 'Healthy.\n');
      return;
    case '/-/ready':
      if (!isRead) break;
      sendText(response, 200, 'Ready.\n');
      return;
    case '/-/reload': {
      if (method !== 'POST' && method !== 'PUT') {
        sendText(response, 405, 'Only POST or PUT requests allowed\n');
        return;
      }
      const result = options.reloader.reload();
      if (result.ok) sendText(response, 200, `config reloaded, generation ${result.generation}\n`);
      else sendText(response, 500, `failed to reload config: ${result.error}\n`);
      return;
    }
    case '/':
      if (!isRead) break;
      await sendBody(
        request,
        response,
        'text/html; charset=utf-8',
        renderLandingPage(options.reloader.current, options.telemetryPath),
      );
      return;
    default:
      sendText(response, 404, `Not found: ${url.pathname}\n`);
      return;
  }
  response.setHeader('allow', 'GET, HEAD');
  sendText(response, 405, `Method ${method} not allowed on ${url.pathname}\n`);
}

export function createExporterServer(serverOptions: ExporterServerOptions): ExporterServer {
  const options: RouteOptions = {
    ...serverOptions,
    probeLimiter: new ProbeLimiter(serverOptions.probeLimits ?? DEFAULT_PROBE_LIMITS, {
      inFlight: serverOptions.metrics.probesInFlight,
      queued: serverOptions.metrics.probesQueued,
    }),
    targetPolicy: serverOptions.targetPolicy ?? new TargetPolicy(OPEN_TARGET_POLICY_SETTINGS),
  };
  const access =
    options.webConfig === undefined ? undefined : new WebAccess(options.webConfig, options.metrics.authRefusals);
  const handle = (request: IncomingMessage, response: ServerResponse): void => {
    const handled =
      access === undefined
        ? route(request, response, options)
        : access
            .admit(request, response)
            .then((admitted) => (admitted ? route(request, response, options) : undefined));
    handled.catch((err: unknown) => {
      // A bug of ours, never a target's failure (those are values): answer 500 and keep serving.
      options.logger.error({ err, url: request.url }, 'request handler failed');
      if (!response.headersSent) sendText(response, 500, 'internal error; see the exporter log\n');
      else response.destroy();
    });
  };
  const tls = options.webConfig?.tls;
  const makeServer = (): Server => {
    const made: Server = tls === undefined ? createServer(handle) : createHttpsServer(httpsServerOptions(tls), handle);
    if (tls !== undefined) {
      made.on('secureConnection', (socket: TLSSocket) => {
        if (!admitsClient(tls, socket)) socket.destroy();
      });
    }
    // Prometheus keeps scrape connections alive; keep ours a little longer than its idle timeout.
    made.keepAliveTimeout = 65_000;
    return made;
  };
  const server = makeServer();
  const servers: Server[] = [];
  const listenOn = (target: ListenTarget): Promise<AddressInfo | string> => {
    const next = servers.length === 0 ? server : makeServer();
    servers.push(next);
    return new Promise((resolve, reject) => {
      next.once('error', reject);
      const done = (): void => {
        next.off('error', reject);
        const address = next.address();
        resolve(address === null ? `fd ${'fd' in target ? target.fd : '?'}` : address);
      };
      if ('fd' in target) next.listen({ fd: target.fd }, done);
      else next.listen(target.port, target.host, done);
    });
  };
  return {
    server,
    listenOn,
    listen: async (port, host) => (await listenOn({ port, host })) as AddressInfo,
    close: async (graceMs = 0) => {
      const listening = servers.length === 0 ? [server] : servers;
      let sweeper: NodeJS.Timeout | undefined;
      let deadline: NodeJS.Timeout | undefined;
      const closeAll = (): void => {
        for (const each of listening) each.closeAllConnections();
      };
      const closed = Promise.all(listening.map((each) => new Promise<void>((resolve) => each.close(() => resolve()))));
      if (graceMs <= 0) closeAll();
      else {
        // A keep-alive connection whose request just finished would otherwise idle until keepAliveTimeout.
        const closeIdle = (): void => {
          for (const each of listening) each.closeIdleConnections();
        };
        closeIdle();
        sweeper = setInterval(closeIdle, 50);
        deadline = setTimeout(closeAll, graceMs);
      }
      await closed;
      clearInterval(sweeper);
      clearTimeout(deadline);
      await access?.close();
    },
  };
}
