// GET /metrics in fleet mode: every target's stored series, their health series, then the exporter's own metrics.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Writable } from 'node:stream';
import { CONTENT_TYPES, negotiateFormat } from '../exposition/negotiate.js';
import { renderRegistryOpenMetrics, type RegistryMetric } from '../exposition/render-registry.js';
import { familyName } from '../exposition/render.js';
import type { ExpositionFormat } from '../exposition/types.js';
import { planFleetExposition, type FleetExposition } from '../fleet/fleet-exposition.js';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { compressNow } from '../fleet/fragment-gzip.js';
import type { FleetMetricsSource } from '../fleet/fleet-endpoints.js';
import type { SelfMetrics } from '../telemetry/self-metrics.js';
import { acceptsGzip } from './respond.js';

/**
 * Output chunk of the inflater for plain answers: each chunk is a thread-pool round trip, so large ones (16 KB,
 * zlib's default, made a 164 MB answer take seconds).
 */
const INFLATE_CHUNK_BYTES = 1024 * 1024;

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

/**
 * The gzip body as members, in order. A fragment compressed at scrape time is used as is; consecutive pieces
 * without a member yet (headers, fresh fragments, the self-metrics) are compressed together as one member, so a
 * request never waits behind the scrape-time backlog nor pays a compressor per small piece.
 */
function gzipMembers(plan: FleetExposition, selfText: string): Promise<Buffer[]> {
  const members: Array<Buffer | Promise<Buffer>> = [];
  let run: Buffer[] = [];
  const endRun = (): void => {
    if (run.length === 0) return;
    members.push(compressNow(Buffer.concat(run)));
    run = [];
  };
  for (const family of plan.families) {
    run.push(Buffer.from(family.header, 'utf8'));
    for (const fragment of family.fragments) {
      // Read together: a compression ending between two reads cannot leave neither (see FragmentBody).
      const { bytes, gzip: member } = fragment.body;
      if (member === undefined) {
        run.push(bytes as Buffer);
        continue;
      }
      endRun();
      members.push(member);
    }
  }
  run.push(Buffer.from(selfText, 'utf8'));
  endRun();
  return Promise.all(members);
}

/** Members gathered into ~1 MB chunks: fed one by one, 26,000 small members cost a thread-pool round trip each. */
function* batches(buffers: readonly Buffer[]): Generator<Buffer> {
  let batch: Buffer[] = [];
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

/** Writes buffers gathered in batches, waiting for the sink to drain (a slow reader must not make us buffer it all). */
async function writeBuffers(sink: Writable, buffers: readonly Buffer[]): Promise<void> {
  for (const batch of batches(buffers)) {
    if (sink.destroyed) return;
    if (!sink.write(batch) && !sink.destroyed) await drained(sink);
  }
  sink.end();
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
  const plan = planFleetExposition(source.store.entries(), format, selfMetricNames(source.metrics, format));
  source.onConflicts?.(plan.conflicts);
  const selfText = await renderSelfMetrics(source.metrics, format);
  const headers: Record<string, string | number> = { 'content-type': CONTENT_TYPES[format], vary: 'Accept-Encoding' };
  const members = await gzipMembers(plan, selfText);
  if (!acceptsGzip(request)) {
    // The store keeps fragments compressed: a plain answer inflates the members on the thread pool as it streams.
    response.writeHead(200, headers);
    if (request.method === 'HEAD') response.end();
    else
      await pipeline(Readable.from(batches(members)), createGunzip({ chunkSize: INFLATE_CHUNK_BYTES }), response).catch(
        () => undefined,
      );
    return;
  }
  headers['content-encoding'] = 'gzip';
  headers['content-length'] = members.reduce((sum, member) => sum + member.byteLength, 0);
  response.writeHead(200, headers);
  if (request.method === 'HEAD') response.end();
  else await writeBuffers(response, members);
}
