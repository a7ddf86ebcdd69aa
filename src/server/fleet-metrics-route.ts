// GET /metrics in fleet mode: every target's stored series, their health series, then the exporter's own metrics.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { CONTENT_TYPES, negotiateFormat } from '../exposition/negotiate.js';
import { renderRegistryOpenMetrics, type RegistryMetric } from '../exposition/render-registry.js';
import type { ExpositionFormat } from '../exposition/types.js';
import { planFleetExposition, type FleetExposition } from '../scrape/fleet-exposition.js';
import { FRAGMENT_GZIP_LEVEL, fragmentGzip, type TargetStore } from '../scrape/store.js';
import type { SelfMetrics } from '../telemetry/self-metrics.js';
import { acceptsGzip } from './respond.js';

export interface FleetMetricsSource {
  readonly store: TargetStore;
  readonly metrics: SelfMetrics;
  /** Receives the number of fragments left out of this answer (family type conflicts). */
  readonly onConflicts?: (count: number) => void;
}

/** Uncompressed text goes out in pieces of about this size: few syscalls, no 40 MB string built at once. */
const WRITE_BATCH_CHARS = 256 * 1024;

/** HELP/TYPE lines compressed once: a family's header text only changes with its help or type. */
const headerMembers = new Map<string, Buffer>();
const HEADER_MEMBER_CACHE_LIMIT = 10_000;

function headerGzip(header: string): Buffer {
  let member = headerMembers.get(header);
  if (member === undefined) {
    if (headerMembers.size >= HEADER_MEMBER_CACHE_LIMIT) headerMembers.clear();
    member = gzipSync(header, { level: FRAGMENT_GZIP_LEVEL });
    headerMembers.set(header, member);
  }
  return member;
}

/** The exporter's own metrics in `format`; OpenMetrics ends with the body's single `# EOF`. */
export async function renderSelfMetrics(metrics: SelfMetrics, format: ExpositionFormat): Promise<string> {
  if (format === 'text') return metrics.registry.metrics();
  const snapshot = (await metrics.registry.getMetricsAsJSON()) as unknown as RegistryMetric[];
  return renderRegistryOpenMetrics(snapshot) + '# EOF\n';
}

/** The exporter's own family names: target families of the same name are left out rather than duplicated. */
export function selfMetricNames(metrics: SelfMetrics): Set<string> {
  return new Set(metrics.registry.getMetricsAsArray().map((metric) => (metric as unknown as { name: string }).name));
}

/** gzip: concatenated members (header, each fragment's member computed at scrape time, the self-metrics). */
function gzipMembers(plan: FleetExposition, selfText: string): Buffer[] {
  const members: Buffer[] = [];
  for (const family of plan.families) {
    members.push(headerGzip(family.header));
    for (const fragment of family.fragments) members.push(fragmentGzip(fragment));
  }
  members.push(gzipSync(selfText, { level: FRAGMENT_GZIP_LEVEL }));
  return members;
}

async function writeBatched(response: ServerResponse, plan: FleetExposition, selfText: string): Promise<void> {
  let batch = '';
  const flush = async (): Promise<void> => {
    const more = response.write(batch);
    batch = '';
    // Backpressure: a slow reader must not make us buffer the whole body in memory.
    if (!more && !response.destroyed) await new Promise<void>((resolve) => { response.once('drain', resolve); response.once('close', resolve); });
  };
  for (const family of plan.families) {
    batch += family.header;
    for (const fragment of family.fragments) {
      batch += fragment.family.text;
      if (batch.length >= WRITE_BATCH_CHARS) await flush();
      if (response.destroyed) return;
    }
  }
  batch += selfText;
  await flush();
  response.end();
}

/**
 * Served from the store by concatenation only: never waits for a scrape, so it answers within Prometheus's
 * X-Prometheus-Scrape-Timeout-Seconds whatever the targets do. No timestamps: Prometheus handles staleness.
 */
export async function handleFleetMetrics(request: IncomingMessage, response: ServerResponse, source: FleetMetricsSource): Promise<void> {
  const format = negotiateFormat(request.headers.accept);
  const plan = planFleetExposition(source.store.entries(), format, selfMetricNames(source.metrics));
  source.onConflicts?.(plan.conflicts);
  const selfText = await renderSelfMetrics(source.metrics, format);
  const headers: Record<string, string | number> = { 'content-type': CONTENT_TYPES[format], vary: 'Accept-Encoding' };
  if (acceptsGzip(request)) {
    source.store.noteGzipRequest(format);
    const members = gzipMembers(plan, selfText);
    headers['content-encoding'] = 'gzip';
    headers['content-length'] = members.reduce((sum, member) => sum + member.byteLength, 0);
    response.writeHead(200, headers);
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    response.cork();
    for (const member of members) response.write(member);
    response.uncork();
    response.end();
    return;
  }
  response.writeHead(200, headers);
  if (request.method === 'HEAD') {
    response.end();
    return;
  }
  await writeBatched(response, plan, selfText);
}
