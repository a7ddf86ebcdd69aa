// GET /metrics in fleet mode: every target's stored series, their health series, then the exporter's own metrics.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Writable } from 'node:stream';
import { CONTENT_TYPES, negotiateFormat } from '../exposition/negotiate.js';
import { renderRegistryOpenMetrics, type RegistryMetric } from '../exposition/render-registry.js';
import { familyName } from '../exposition/render.js';
import type { ExpositionFormat } from '../exposition/types.js';
import {
  LoopSlices,
  planFleetExpositionInTurns,
  TURN_AFTER_MS,
  type ExpositionFamily,
  type FleetExposition,
} from '../fleet/fleet-exposition.js';
import { answerScratch } from '../fleet/answer-scratch.js';
import { archiveShortcut } from '../fleet/group-archive.js';
import { MemberInflater } from '../fleet/member-inflater.js';
import { GzipExposition } from '../fleet/gzip-exposition.js';
import type { FleetMetricsSource } from '../fleet/fleet-endpoints.js';
import type { SelfMetrics } from '../telemetry/self-metrics.js';
import { acceptsGzip } from './respond.js';

/** Fragments go out gathered in buffers of this size: few writes, and no 100 MB buffer built at once. */
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

/** Resolves once `sink` has handed `chunk` on (its write callback), or failed: the chunk's memory may then be reused. */
function written(sink: Writable, chunk: Uint8Array): { readonly wantsMore: boolean; readonly done: Promise<void> } {
  let wantsMore = true;
  const done = new Promise<void>((resolve) => {
    wantsMore = sink.write(chunk, () => resolve());
  });
  return { wantsMore, done };
}

/**
 * Writes pieces gathered into two reused ~1 MB buffers (a piece of a quarter of that or more goes as it is, and is
 * waited for before returning: the store rewrites a target's bytes in place once its readers are released), waiting
 * for the sink to drain (a slow reader must not make us buffer it all) and for a buffer's write before refilling it,
 * and letting the loop turn every `turnAfterMs` (0 in tests: after every write). `transient`: each piece is valid only
 * until the next is asked for (a MemberInflater's view), so every piece is copied, a large one in buffer-sized parts.
 * Measured (bench:fleet, 10,000 targets, 79 MB plain body): one fresh 1 MB Buffer per write made V8 collect the whole
 * heap for the 79 MB of external memory each plain request allocated, a 150–360 ms pause that held every scrape due
 * meanwhile; and 80 MB written in one go held them up for 100–230 ms.
 */
export async function writeBuffers(
  sink: Writable,
  pieces: Iterable<Uint8Array>,
  turnAfterMs: number = TURN_AFTER_MS,
  transient = false,
): Promise<void> {
  // Borrowed, and given back once both buffers' last writes are done (answer-scratch.ts).
  const scratch = [answerScratch.take(WRITE_BATCH_BYTES), answerScratch.take(WRITE_BATCH_BYTES)];
  const inFlight: Array<Promise<void> | undefined> = [undefined, undefined];
  /** Pieces handed to the sink as they are, not yet written: their bytes must stay as they are until then. */
  const direct: Array<Promise<void>> = [];
  let current = 0;
  let filled = 0;
  const slices = new LoopSlices(turnAfterMs);
  const send = async (chunk: Uint8Array, reused: boolean): Promise<void> => {
    const write = written(sink, chunk);
    if (reused) inFlight[current] = write.done;
    else direct.push(write.done);
    if (!write.wantsMore && !sink.destroyed) await drained(sink);
    // A 'drain' is not a loop turn: http corks the socket for the rest of the tick, so write() says false, and when the
    // kernel then takes the chunk at once (a fast reader), 'drain' comes on a later tick. Measured (bench:fleet, 10,000
    // × 10, stall logger and `perf`): all 76 writes of a 79 MB plain answer drained so, and, with the turn taken only
    // when the write did not fill the socket, the answer's writing ran as one 100–165 ms task that held every scrape
    // due meanwhile.
    await slices.turnIfDue();
  };
  const flush = async (): Promise<void> => {
    if (filled === 0) return;
    await send((scratch[current] as Buffer).subarray(0, filled), true);
    current ^= 1;
    filled = 0;
    // The other buffer is refilled only once its bytes were handed to the socket.
    await inFlight[current];
    inFlight[current] = undefined;
  };
  for (const piece of pieces) {
    if (sink.destroyed) break;
    if (!transient && piece.byteLength >= WRITE_BATCH_BYTES / 4) {
      await flush();
      await send(piece, false);
      continue;
    }
    if (filled + piece.byteLength > WRITE_BATCH_BYTES) await flush();
    // Only a transient piece is larger than what is left after a flush: copied in parts, each sent before the next.
    for (let at = 0; at < piece.byteLength; ) {
      if (filled === WRITE_BATCH_BYTES) await flush();
      const length = Math.min(piece.byteLength - at, WRITE_BATCH_BYTES - filled);
      (scratch[current] as Buffer).set(
        at === 0 && length === piece.byteLength ? piece : piece.subarray(at, at + length),
        filled,
      );
      filled += length;
      at += length;
    }
  }
  if (!sink.destroyed) {
    await flush();
    sink.end();
  }
  // A destroyed sink calls every pending write's callback (with its error): none of these waits for good.
  await Promise.all([...direct, ...inFlight]);
  for (const buffer of scratch) answerScratch.give(buffer);
}

/**
 * A family's series lines in order, run by run: a walked group's pieces as they are, an archived group's member
 * inflated by `inflater` (one family of one group at a time, ≤ ~1 MB at 10,000 targets). A member's text is a view
 * the inflater reuses: each piece must be used before the next is asked for.
 */
export function* familyLines(family: ExpositionFamily, inflater: MemberInflater): Generator<Uint8Array> {
  for (const run of family.groups) {
    const member = run.member;
    if (member === undefined) {
      for (let i = run.start; i < run.end; i++) yield family.pieces[i] as Uint8Array;
      continue;
    }
    // Plain plans take members from archives only (archiveShortcut), which hold compressed members, never promises.
    if (!(member instanceof Uint8Array)) throw new Error('a plain plan took a member still being compressed');
    yield inflater.inflate(member);
  }
}

/** The plain body in order: each family's header, then its lines; the self metrics last. Pieces are transient. */
function* plainPieces(plan: FleetExposition, selfText: string): Generator<Uint8Array> {
  const inflater = new MemberInflater();
  try {
    for (const family of plan.families) {
      yield Buffer.from(family.header, 'utf8');
      yield* familyLines(family, inflater);
    }
    yield Buffer.from(selfText, 'utf8');
  } finally {
    // Also when the writer stops early (a client gone): the zlib stream and the buffer go at once.
    inflater.close();
  }
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
  // The plan holds views of the store's bytes over loop turns: they must not be rewritten until it is done with.
  const release = source.store.pin();
  const gzipped = acceptsGzip(request);
  let members: Buffer[];
  try {
    // Groups whose members are current are taken without walking their targets: archived groups for every answer,
    // and, for gzip, groups whose units are current.
    const shortcut =
      gzipped && source.gzip !== undefined ? source.gzip.shortcut(format) : archiveShortcut(source.store, format);
    const plan = await planFleetExpositionInTurns(source.store, format, selfMetricNames(source.metrics, format), {
      shortcut,
    });
    source.onConflicts?.(plan.conflicts);
    const selfText = await renderSelfMetrics(source.metrics, format);
    if (!gzipped) {
      // The store keeps plain bytes: a plain answer is their concatenation, streamed in ~1 MB writes.
      response.writeHead(200, { 'content-type': CONTENT_TYPES[format], vary: 'Accept-Encoding' });
      if (request.method === 'HEAD') response.end();
      else await writeBuffers(response, plainPieces(plan, selfText), TURN_AFTER_MS, true);
      return;
    }
    // Fleet mode hands over its long-lived units; a bare source (tests) compresses everything for this answer alone.
    const gzip = source.gzip ?? new GzipExposition(source.store);
    try {
      members = await gzip.members(plan, selfText);
    } finally {
      if (source.gzip === undefined) gzip.close();
    }
  } finally {
    release();
  }
  // Compressed members are copies: the store is free again while they are written.
  const headers: Record<string, string | number> = { 'content-type': CONTENT_TYPES[format], vary: 'Accept-Encoding' };
  headers['content-encoding'] = 'gzip';
  headers['content-length'] = members.reduce((sum, member) => sum + member.byteLength, 0);
  response.writeHead(200, headers);
  if (request.method === 'HEAD') response.end();
  else await writeBuffers(response, members);
}
