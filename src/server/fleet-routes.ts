// Fleet mode's read-only endpoints beside /metrics and /federate: /targets (HTML or JSON) and /sd (http_sd JSON).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FleetEndpoints } from '../fleet/fleet-endpoints.js';
import type { TargetStore } from '../fleet/store.js';
import { sendBody } from './respond.js';
import { renderTargetsPage, reportTargets } from './targets-page.js';

/** JSON when asked by `?format=json` or an Accept header preferring application/json over HTML. */
function wantsJson(request: IncomingMessage, url: URL): boolean {
  const format = url.searchParams.get('format');
  if (format !== null) return format === 'json';
  const accept = (request.headers.accept ?? '').toLowerCase();
  return accept.includes('application/json') && !accept.includes('text/html');
}

export async function handleTargets(
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  fleet: FleetEndpoints,
): Promise<void> {
  const report = reportTargets(fleet.store.entries(), fleet.shard, fleet.sources?.() ?? []);
  if (wantsJson(request, url)) {
    await sendBody(request, response, 'application/json; charset=utf-8', JSON.stringify(report) + '\n');
    return;
  }
  await sendBody(request, response, 'text/html; charset=utf-8', renderTargetsPage(report));
}

/** One Prometheus http_sd target group. */
export interface HttpSdGroup {
  readonly targets: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * This shard's targets as Prometheus http_sd groups, one per target: the URL as the target (and as
 * `__param_target`), the module as `__param_module`, and the target's labels (job, instance, the job's and
 * discovery's). A Prometheus job that rewrites `__address__` to this exporter then scrapes /probe per target.
 */
export function httpSdGroups(store: TargetStore): HttpSdGroup[] {
  return store.entries().map(({ target }) => ({
    targets: [target.url],
    labels: { ...target.labels, __param_target: target.url, __param_module: target.module },
  }));
}

export async function handleSd(request: IncomingMessage, response: ServerResponse, store: TargetStore): Promise<void> {
  await sendBody(request, response, 'application/json; charset=utf-8', JSON.stringify(httpSdGroups(store)) + '\n');
}
