// How the store keeps a fragment: its gzip member, compressed once per scrape on libuv's thread pool.
//
// gzip members concatenate into one valid stream (RFC 1952 §2.2; Go's gzip reader, which Prometheus uses, reads
// multistream by default), so /metrics answers gzip by concatenating members. bench/fleet-gzip.ts, 2,000 SRS targets
// × 50 streams (125 MB of text, 18,000 fragments of ~7 KB): serving from members 12–16 ms against 485–780 ms to
// gzip the body per request (level 1; level 6: 930–1,380 ms), for a body 25 % larger (9.7 MB vs 7.8 MB: each
// fragment compresses alone), at ~1.2 s of thread-pool CPU per scrape cycle to compress every fragment once.
import { promisify } from 'node:util';
import { constants, gunzip, gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** Level 1: members are recompressed every scrape; higher levels cost more CPU for a few percent of bytes. */
export const FRAGMENT_GZIP_LEVEL = constants.Z_BEST_SPEED;

/**
 * The series lines of one family of one target, shared by both formats when their lines are the same. Kept as the
 * gzip member alone once compressed (~7 % of the text's size; bench/fleet.ts: RSS 630 → see bench/README.md), the
 * plain bytes only until then: exactly one of `bytes` and `gzip` is set, except while a compression runs.
 */
export interface FragmentBody {
  /** The UTF-8 series lines; dropped once `gzip` holds them. */
  bytes: Buffer | undefined;
  /** The gzip member of the lines, once compressed. */
  gzip: Buffer | undefined;
  /** Set while a compression runs or waits for a slot; resolves to undefined when it was dropped (superseded). */
  pending: Promise<Buffer | undefined> | undefined;
  /** Set by the store once a newer scrape replaced the fragment: a compression still waiting for a slot is dropped. */
  superseded: boolean;
}

export function fragmentBody(bytes: Buffer): FragmentBody {
  return { bytes, gzip: undefined, pending: undefined, superseded: false };
}

/**
 * Compressions in flight. Each holds a deflate state of ~300 KB: without a bound, the first gzip request of a fleet
 * (26,000 fragments) queued them all at once and the exporter reached 6.5 GB. Two also leave thread-pool room for
 * DNS lookups of scrapes.
 */
const MAX_COMPRESSIONS = 2;
let running = 0;
const waiting: Array<() => void> = [];

/** A compression slot. A freed slot is handed to the next waiter directly, so no newcomer slips in above the bound. */
async function acquireSlot(urgent: boolean): Promise<void> {
  if (running < MAX_COMPRESSIONS) {
    running++;
    return;
  }
  await new Promise<void>((resolve) => {
    if (urgent) waiting.unshift(resolve);
    else waiting.push(resolve);
  });
}

function releaseSlot(): void {
  const next = waiting.shift();
  if (next === undefined) running--;
  else next();
}

/**
 * `urgent`: a request waits on it, so it goes before the scrape-time backlog. `wanted` is asked once the slot is
 * there: a fragment replaced meanwhile by a newer scrape is not worth compressing (a backlog would only grow).
 */
async function compressBounded(
  bytes: Buffer,
  urgent: boolean,
  wanted: () => boolean = () => true,
): Promise<Buffer | undefined> {
  await acquireSlot(urgent);
  try {
    if (!wanted()) return undefined;
    return await gzipAsync(bytes, { level: FRAGMENT_GZIP_LEVEL });
  } finally {
    releaseSlot();
  }
}

/** Compresses a fresh fragment for storage; its plain bytes are released once the member is there. */
export function storeCompressed(body: FragmentBody): void {
  if (body.gzip !== undefined || body.pending !== undefined || body.bytes === undefined || body.superseded) return;
  body.pending = compressBounded(body.bytes, false, () => !body.superseded).then(
    (member) => {
      body.pending = undefined;
      if (member === undefined) return undefined;
      body.gzip = member;
      body.bytes = undefined;
      return member;
    },
    (err: unknown) => {
      body.pending = undefined;
      throw err;
    },
  );
  body.pending.catch(() => undefined);
}

/** One gzip member of `bytes` now, ahead of the scrape-time backlog (a request waits for it). */
export async function compressNow(bytes: Buffer): Promise<Buffer> {
  return (await compressBounded(bytes, true)) as Buffer;
}

/** The text of consecutive fragments: plain bytes as they are, runs of members inflated together (one inflater). */
export async function fragmentsText(bodies: readonly FragmentBody[]): Promise<string> {
  const parts: Array<string | Promise<Buffer>> = [];
  let run: Buffer[] = [];
  const endRun = (): void => {
    if (run.length > 0) parts.push(gunzipAsync(Buffer.concat(run)));
    run = [];
  };
  for (const body of bodies) {
    // Read together: a compression that ends between the two reads cannot leave us with neither.
    const { bytes, gzip: member } = body;
    if (member !== undefined) run.push(member);
    else {
      endRun();
      parts.push((bytes as Buffer).toString('utf8'));
    }
  }
  endRun();
  const texts = await Promise.all(parts);
  return texts.map((part) => (typeof part === 'string' ? part : part.toString('utf8'))).join('');
}
