// GET /metrics in fleet mode: every target's stored series, their health series, then the exporter's own metrics.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Writable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { CONTENT_TYPES, negotiateFormat } from '../exposition/negotiate.js';
import { renderRegistryOpenMetrics, type RegistryMetric } from '../exposition/render-registry.js';
import { familyName } from '../exposition/render.js';
import type { ExpositionFormat } from '../exposition/types.js';
import { planFleetExpositionInTurns, TURN_AFTER_MS, type FleetExposition } from '../fleet/fleet-exposition.js';
import { GzipExposition } from '../fleet/gzip-exposition.js';
import type { FleetMetricsSource } from '../fleet/fleet-endpoints.js';
import type { SelfMetrics } from '../telemetry/self-metrics.js';
import { acceptsGzip } from './respond.js';

/** Fragments go out gathered in pieces of about this size: few writes, and no 100 MB buffer built at once. */
const WRITE_BATCH_BYTES = 1024 * 1024;

/** The exporter's own metrics in `format`; OpenMetrics ends with the body's single `# EOF`. */
export async function renderSelfMetrics(metrics: SelfMetrics, format: ExpositionFormat): Promise<string> {
  if (format === 'text') return metrics.registry.metrics();
  const snapshot = (await metrics.registry.getMetricsAsJSON()) as unknown as RegistryMetric[];
  return renderRegistryOpenMetrics(snapshot) + '# EOF\n';
}

/**
 * The exporter's own family names as `format` writes them (OpenMetrics: a counter without `_total`, as
 * renderRegistryOpenMetrics does): target families of the same name are left out rather than duplicated.
 */
export function selfMetricNames(metrics: SelfMetrics, format: ExpositionFormat): Set<string> {
  return new Set(
    metrics.registry.getMetricsAsArray().map((metric) => {
      const { name, type } = metric as unknown as { name: string; type: string };
      return type === 'counter' ? familyName({ name, type }, format) : name;
    }),
  );
}

/** Pieces gathered into ~1 MB chunks: few writes, and no 80 MB buffer built at once. */
function* batches(buffers: Iterable<Uint8Array>): Generator<Buffer> {
  let batch: Uint8Array[] = [];
  let size = 0;
  for (const buffer of buffers) {
    batch.push(buffer);
    size += buffer.byteLength;
    if (size >= WRITE_BATCH_BYTES) {
      yield Buffer.concat(batch, size);
      batch = [];
      size = 0;
    }
  }
  if (size > 0) yield Buffer.concat(batch, size);
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

/**
 * Writes buffers gathered in batches, waiting for the sink to drain (a slow reader must not make us buffer it all),
 * and letting the loop turn every TURN_AFTER_MS: 80 MB written in one go held scrapes up for 100–230 ms (bench:fleet).
 */
async function writeBuffers(sink: Writable, buffers: Iterable<Uint8Array>): Promise<void> {
  let sliceStart = performance.now();
  for (const batch of batches(buffers)) {
    if (sink.destroyed) return;
    if (!sink.write(batch) && !sink.destroyed) {
      await drained(sink);
      sliceStart = performance.now();
    } else if (performance.now() - sliceStart >= TURN_AFTER_MS) {
      await nextTurn();
      sliceStart = performance.now();
    }
  }
  sink.end();
}

/** The plain body in order: each family's header, then its pieces; the self metrics last. */
function* plainPieces(plan: FleetExposition, selfText: string): Generator<Uint8Array> {
  for (const family of plan.families) {
    yield Buffer.from(family.header, 'utf8');
    yield* family.pieces;
  }
  yield Buffer.from(selfText, 'utf8');
}

/**
 * Served from the store by concatenation only: never waits for a scrape, so it answers within Prometheus's
 * X-Prometheus-Scrape-Timeout-Seconds whatever the targets do. No timestamps: Prometheus handles staleness.
 */
export async function handleFleetMetrics(
  request: IncomingMessage,
  response: ServerResponse,
  source: FleetMetricsSource,
): Promise<void> {
  const format = negotiateFormat(request.headers.accept);
  const plan = await planFleetExpositionInTurns(source.store, format, selfMetricNames(source.metrics, format));
  source.onConflicts?.(plan.conflicts);
  const selfText = await renderSelfMetrics(source.metrics, format);
  const headers: Record<string, string | number> = { 'content-type': CONTENT_TYPES[format], vary: 'Accept-Encoding' };
  if (!acceptsGzip(request)) {
    // The store keeps plain bytes: a plain answer is their concatenation, streamed in ~1 MB writes.
    response.writeHead(200, headers);
    if (request.method === 'HEAD') response.end();
    else await writeBuffers(response, plainPieces(plan, selfText));
    return;
  }
  // Fleet mode hands over its long-lived units; a bare source (tests) compresses everything for this answer alone.
  const gzip = source.gzip ?? new GzipExposition(source.store);
  let members: Buffer[];
  try {
    members = await gzip.members(plan, selfText);
  } finally {
    if (source.gzip === undefined) gzip.close();
  }
  headers['content-encoding'] = 'gzip';
  headers['content-length'] = members.reduce((sum, member) => sum + member.byteLength, 0);
  response.writeHead(200, headers);
  if (request.method === 'HEAD') response.end();
  else await writeBuffers(response, members);
}
