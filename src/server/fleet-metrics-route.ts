// GET /metrics in fleet mode: every target's stored series, their health series, then the exporter's own metrics.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { CONTENT_TYPES, negotiateFormat } from '../exposition/negotiate.js';
import { renderRegistryOpenMetrics, type RegistryMetric } from '../exposition/render-registry.js';
import type { ExpositionFormat } from '../exposition/types.js';
import { planFleetExposition, type FleetExposition } from '../scrape/fleet-exposition.js';
import { FRAGMENT_GZIP_LEVEL, fragmentGzip } from '../scrape/fragment-gzip.js';
import type { TargetStore } from '../scrape/store.js';
import type { SelfMetrics } from '../telemetry/self-metrics.js';
import { acceptsGzip } from './respond.js';

export interface FleetMetricsSource {
  readonly store: TargetStore;
  readonly metrics: SelfMetrics;
  /** Receives the number of fragments left out of this answer (family type conflicts). */
  readonly onConflicts?: (count: number) => void;
}

/** Fragments go out gathered in pieces of about this size: few writes, and no 100 MB buffer built at once. */
const WRITE_BATCH_BYTES = 1024 * 1024;

const gzipAsync = promisify(gzip);

/** HELP/TYPE lines compressed once: a family's header only changes with its help or type. */
const headerMembers = new Map<string, Promise<Buffer>>();
const HEADER_MEMBER_CACHE_LIMIT = 10_000;

function headerGzip(header: string): Promise<Buffer> {
  let member = headerMembers.get(header);
  if (member === undefined) {
    if (headerMembers.size >= HEADER_MEMBER_CACHE_LIMIT) headerMembers.clear();
    member = gzipAsync(header, { level: FRAGMENT_GZIP_LEVEL });
    headerMembers.set(header, member);
  }
  return member;
}

/**
 * The gzip body as members, in order: headers, each fragment's member (compressed at scrape time, or now on the
 * thread pool when missing), the self-metrics. Concatenated they are one valid gzip stream (see fragment-gzip.ts).
 */
function gzipMembers(plan: FleetExposition, selfText: string): Promise<Buffer[]> {
  const members: Array<Promise<Buffer>> = [];
  for (const family of plan.families) {
    members.push(headerGzip(family.header));
    for (const fragment of family.fragments) members.push(fragmentGzip(fragment.body));
  }
  members.push(gzipAsync(selfText, { level: FRAGMENT_GZIP_LEVEL }));
  return Promise.all(members);
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

/** Resolves when the sink wants more, or is gone (a client that hung up). */
function drained(sink: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      sink.off('drain', done);
      sink.off('close', done);
      resolve();
    };
    sink.on('drain', done);
    sink.on('close', done);
  });
}

/** Writes buffers gathered in batches, waiting for the sink to drain (a slow reader must not make us buffer it all). */
async function writeBuffers(sink: Writable, buffers: Iterable<Buffer>): Promise<void> {
  let batch: Buffer[] = [];
  let batchBytes = 0;
  const add = (bytes: Buffer): void => {
    batch.push(bytes);
    batchBytes += bytes.byteLength;
  };
  const flush = async (): Promise<void> => {
    const more = sink.write(Buffer.concat(batch, batchBytes));
    batch = [];
    batchBytes = 0;
    if (!more && !sink.destroyed) await drained(sink);
  };
  for (const buffer of buffers) {
    add(buffer);
    if (batchBytes >= WRITE_BATCH_BYTES) await flush();
    if (sink.destroyed) return;
  }
  await flush();
  sink.end();
}

/** The uncompressed body: each family's header, its fragments' bytes, then the self-metrics. */
function* plainBuffers(plan: FleetExposition, selfText: string): Generator<Buffer> {
  for (const family of plan.families) {
    yield Buffer.from(family.header, 'utf8');
    for (const fragment of family.fragments) yield fragment.body.bytes;
  }
  yield Buffer.from(selfText, 'utf8');
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
  if (!acceptsGzip(request)) {
    response.writeHead(200, headers);
    if (request.method === 'HEAD') response.end();
    else await writeBuffers(response, plainBuffers(plan, selfText));
    return;
  }
  source.store.noteGzipRequest(format);
  const members = await gzipMembers(plan, selfText);
  headers['content-encoding'] = 'gzip';
  headers['content-length'] = members.reduce((sum, member) => sum + member.byteLength, 0);
  response.writeHead(200, headers);
  if (request.method === 'HEAD') response.end();
  else await writeBuffers(response, members);
}
