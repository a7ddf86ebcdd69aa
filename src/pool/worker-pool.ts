// The HotPath on a Piscina pool: bodies are transferred to workers, bounded by a queue that fails fast when full.
import { Piscina } from 'piscina';
import { FamilyMetaInterner } from '../exposition/encoded-families.js';
import {
  epochNow,
  type HotPath,
  type HotPathFailure,
  type HotPathModule,
  type HotPathResult,
  type HotPathTask,
} from './hot-path.js';
import { decodeBatch, type HotPathBatch, type HotPathEncodedResult, runBatchInline } from './hot-path-batch.js';
import {
  LARGE_BODY_TASK,
  TASK_CANCELLED,
  TASK_QUEUED,
  TASK_RUNNING,
  type WorkerBatchReply,
  type WorkerBatchTask,
  type WorkerEncodedReply,
  type WorkerMissingModule,
  type WorkerPing,
  type WorkerReply,
  type WorkerTask,
} from './messages.js';

/**
 * How long a task may run past its deadline, or past its cancellation, before its worker counts as stuck and is
 * replaced. Budget checks stop a task within milliseconds; only work no check can interrupt (a regular expression
 * backtracking inside jsonpath-plus) outlives this.
 */
export const STUCK_WORKER_GRACE_MS = 1000;

/** How long close() waits for the first workers to finish starting before it terminates them anyway. */
const START_WAIT_ON_CLOSE_MS = 10_000;

/**
 * Workers that had no task for this long are stopped, and the next body for the pool starts them again (fleet
 * batches run inline until they answer, as after a start). Measured (bench:fleet, 10,000 SRS × 10 streams, where every
 * body is under --workers.inline-max-bytes): two idle workers held ~20 MB of the exporter's RSS (105 against 84 MB
 * idle, 345 against 384 MB max RSS in a same-minute pair with --workers=0), for nothing.
 */
export const DEFAULT_WORKER_IDLE_STOP_MS = 60_000;

/** Default V8 old-generation limit per worker: past it the worker dies (ERR_WORKER_OUT_OF_MEMORY), not the process. */
export const DEFAULT_WORKER_HEAP_MB = 1024;

/**
 * Each worker's young generation (V8's two semi-spaces and new large objects), in MB. V8's default for a 1 GB heap
 * lets it grow to 48 MB once a worker allocates fast, and it stays committed: a large body's parse, samples and
 * text all survive their first scavenge, so the extra room holds garbage no longer than it saves copying. Measured
 * on issue 17's 200,000-element array (bench:large-body, 2 workers): peak RSS 200-211 MB at 24 and 48 MB (default),
 * 180-181 MB at 12, 197-201 MB at 6 (scavenges so frequent that more is promoted); the time the same at each.
 */
export const WORKER_YOUNG_GENERATION_MB = 12;

/**
 * Memory a body costs while it is handled, per byte: JSON.parse makes objects and strings several times the text,
 * then samples and rendered text. Measured ~20× RSS per body byte on arrays of small objects (issue 17: 30 MB → ~1 GB
 * with the old code, 649 MB now, bench:large-body); 16 keeps a body that fits from meeting the heap limit.
 */
const BODY_MEMORY_FACTOR = 16;

/** Bodies queued or running together may hold a quarter of the workers' heaps as raw bytes. */
const IN_FLIGHT_SHARE = 4;

/**
 * Bodies (or fleet batches) of this many bytes or more are large: they take turns, one in the workers at a time, and
 * the worker collects its garbage before answering. Measured on issue 17's 7.5 MB / 200,000-element array
 * (bench:large-body, 2 workers, four probes in a row): a worker ends such a body holding 60-73 MB of heap, nearly all
 * garbage, and keeps it (an idle Piscina worker blocks in Atomics.wait, so V8 gets no turn to shrink it); the next
 * body went to the other worker, or grew the same heap further, and peak RSS climbed from 178-192 to 234-298 MB.
 * Taking turns also bounds the memory of several large bodies at once: they wait instead of each growing a heap. An
 * SRS body of 1 MB leaves little enough garbage to skip both.
 */
export const DEFAULT_LARGE_BODY_BYTES = 4 * 1024 * 1024;

export interface WorkerPoolOptions {
  /** Worker threads, all started up front and kept until the pool has been idle for `idleStopMs`. */
  readonly threads: number;
  /** Tasks allowed to wait for a worker once all are busy; one more fails at once with `pool_overloaded`. */
  readonly maxQueue: number;
  /** The worker module (a file URL). Defaults to ./worker.js; tests point it at a wrapper that can crash. */
  readonly workerUrl?: string;
  /** Each worker's old-generation heap limit in MB (default DEFAULT_WORKER_HEAP_MB). */
  readonly maxHeapMb?: number;
  /** Grace past a deadline or a cancellation before a worker still running the task is replaced (tests shorten it). */
  readonly stuckGraceMs?: number;
  /** Bytes from which a body (or batch) is large (default DEFAULT_LARGE_BODY_BYTES; 0: none is). */
  readonly largeBodyBytes?: number;
  /** Workers with no task for this long are stopped until a body needs them (DEFAULT_WORKER_IDLE_STOP_MS; 0: never). */
  readonly idleStopMs?: number;
  /** The clock idleness is read on (tests). */
  readonly now?: () => number;
}

/** What the pool reports to its metrics. */
export interface WorkerPoolStats {
  readonly threads: number;
  /** Tasks waiting for a worker (large bodies waiting for their turn included). */
  readonly queued: number;
  /** Tasks posted and not yet settled (running or waiting). */
  readonly inFlight: number;
  /** Piscina's utilisation: the share of the pool's thread time spent running tasks since it started, 0..1. */
  readonly utilization: number;
  /** Times the workers were stopped after `idleStopMs` without a task. */
  readonly idleStops: number;
}

/**
 * The body's ArrayBuffer when the body views all of it (fetchTarget's bodies do): that buffer is transferred
 * and the caller's view detached. A view into a larger or shared buffer is copied once instead, so transferring
 * never takes memory the caller still uses for something else.
 */
function transferableBody(body: Uint8Array): ArrayBuffer {
  const buffer = body.buffer;
  if (buffer instanceof ArrayBuffer && body.byteOffset === 0 && body.byteLength === buffer.byteLength) return buffer;
  return body.slice().buffer;
}

/** A batch's bodies back to back in one new ArrayBuffer (transferred; the callers' buffers stay theirs). */
function packBodies(batch: HotPathBatch): { bodies: ArrayBuffer; bodyEnds: Uint32Array } {
  const bodyEnds = new Uint32Array(batch.items.length);
  let total = 0;
  for (const [i, item] of batch.items.entries()) {
    total += item.body.byteLength;
    bodyEnds[i] = total;
  }
  const bodies = new Uint8Array(total);
  let at = 0;
  for (const item of batch.items) {
    bodies.set(item.body, at);
    at += item.body.byteLength;
  }
  return { bodies: bodies.buffer, bodyEnds };
}

type LoadBalancer = NonNullable<NonNullable<ConstructorParameters<typeof Piscina>[0]>['loadBalancer']>;

/**
 * Piscina's own choice (the first idle worker), except that a large body goes to the worker that took the last one
 * when that worker is idle. A worker keeps what a large body grew (its young generation, and the answer's room in its
 * malloc arena, ~7.5 MB for issue 17's answer) after its collection; a second worker taking large bodies grows the
 * same again. Measured (bench:large-body, 7.5 MB array, five probes back to back): runs whose probes all landed on one
 * worker peaked at 170-177 MB, runs where the first probe went to the other worker (still answering its start-up
 * ping) at 193-200 MB, the second worker's share being ~13 MB of heap and ~12 MB of arena.
 */
function largeBodyAffinity(): LoadBalancer {
  let largeBodyWorker: number | undefined;
  return (task, workers) => {
    const large = task.name === LARGE_BODY_TASK;
    if (large) {
      const same = workers.find((worker) => worker.id === largeBodyWorker && worker.currentUsage === 0);
      if (same !== undefined) return same;
    }
    const idle = workers.find((worker) => worker.currentUsage === 0) ?? null;
    if (large && idle !== null) largeBodyWorker = idle.id;
    return idle;
  };
}

/** What #inTurn answers for a large body cancelled while it waited: it was never posted. */
const LEFT_THE_LINE = Symbol('left the line');

function unexpectedReply(got: string, wanted: string): HotPathFailure {
  return { ok: false, reason: 'worker_error', message: `worker failed: it answered with ${got}, not ${wanted}` };
}

/**
 * Why a task failed when its worker threw or died (not a deadline): a worker past its heap limit has its own reason,
 * for a single body and a batch alike; anything else (a crash, a throw) is worker_error.
 */
function workerFailure(err: unknown, what: string): HotPathFailure {
  const detail = err instanceof Error ? err.message : String(err);
  if ((err as { code?: unknown } | null)?.code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return {
      ok: false,
      reason: 'out_of_memory',
      message: `the worker handling ${what} ran out of memory (--workers.max-heap-mb): ${detail}`,
    };
  }
  return { ok: false, reason: 'worker_error', message: `worker failed: ${detail}` };
}

type Threads = Piscina<
  WorkerTask | WorkerBatchTask | WorkerPing,
  WorkerReply | WorkerEncodedReply | WorkerMissingModule | WorkerBatchReply | 'pong'
>;

export class WorkerPool implements HotPath {
  /** The running workers; none once they were stopped as idle, until a body needs them again. */
  #pool: Threads | undefined;
  readonly #makePool: () => Threads;
  readonly #idleStopMs: number;
  readonly #now: () => number;
  readonly #idleTimer: NodeJS.Timeout | undefined;
  /** When a task was last posted or settled. */
  #lastActiveMs: number;
  /** Workers being stopped as idle: close() waits for them. */
  readonly #stopping = new Set<Promise<void>>();
  #idleStops = 0;
  readonly #capacity: number;
  readonly #stuckGraceMs: number;
  readonly #maxBodyBytes: number;
  readonly #maxBytesInFlight: number;
  /** Every batch result of a module generation shares one family list. */
  readonly #families = new FamilyMetaInterner();
  /**
   * Batches sent with their module's config, per generation and module: the first few carry it (most likely every
   * worker gets one, so the first scrapes after a start or reload pay no extra round trip); the rest do not.
   */
  readonly #configSent = new Map<string, number>();
  readonly #threads: number;
  /** The current workers that answered their start-up ping: until one has, batches run inline (a start takes ~0.5 s). */
  #started = 0;
  #inFlight = 0;
  #bytesInFlight = 0;
  #stuckWorkersReplaced = 0;
  #closed = false;
  readonly #largeBodyBytes: number;
  /** A large body is in the workers; the others wait in #largeBodyTurns, first come first served. */
  #largeBodyRunning = false;
  readonly #largeBodyTurns: Array<() => void> = [];
  /** Settles once every worker of the current start has answered its start-up ping (or failed to start). */
  #startedAll: Promise<unknown> = Promise.resolve();

  constructor(options: WorkerPoolOptions) {
    if (!Number.isSafeInteger(options.threads) || options.threads < 1) {
      throw new RangeError(`WorkerPool: threads must be a whole number ≥ 1 (got ${options.threads})`);
    }
    if (!Number.isSafeInteger(options.maxQueue) || options.maxQueue < 0) {
      throw new RangeError(`WorkerPool: maxQueue must be a whole number ≥ 0 (got ${options.maxQueue})`);
    }
    const largeBodyBytes = options.largeBodyBytes ?? DEFAULT_LARGE_BODY_BYTES;
    if (!Number.isSafeInteger(largeBodyBytes) || largeBodyBytes < 0) {
      throw new RangeError(`WorkerPool: largeBodyBytes must be a whole number ≥ 0 (got ${options.largeBodyBytes})`);
    }
    this.#largeBodyBytes = largeBodyBytes;
    this.#capacity = options.threads + options.maxQueue;
    this.#threads = options.threads;
    this.#stuckGraceMs = options.stuckGraceMs ?? STUCK_WORKER_GRACE_MS;
    const heapBytes = (options.maxHeapMb ?? DEFAULT_WORKER_HEAP_MB) * 1024 * 1024;
    this.#maxBodyBytes = Math.floor(heapBytes / BODY_MEMORY_FACTOR);
    this.#maxBytesInFlight = Math.floor((options.threads * heapBytes) / IN_FLIGHT_SHARE);
    const idleStopMs = options.idleStopMs ?? DEFAULT_WORKER_IDLE_STOP_MS;
    if (!Number.isFinite(idleStopMs) || idleStopMs < 0) {
      throw new RangeError(`WorkerPool: idleStopMs must be ≥ 0 (got ${options.idleStopMs})`);
    }
    this.#idleStopMs = idleStopMs;
    this.#now = options.now ?? performance.now.bind(performance);
    this.#lastActiveMs = this.#now();
    this.#makePool = () =>
      new Piscina({
        filename: options.workerUrl ?? new URL('./worker.js', import.meta.url).href,
        minThreads: options.threads,
        maxThreads: options.threads,
        // Our own bound (#capacity) answers first; this is only a backstop. Twice the bound: a cancelled task frees
        // its slot at once but stays in Piscina's queue until a worker drops it (microseconds, no work).
        maxQueue: 2 * this.#capacity,
        // A body whose parse or extraction outgrows this kills its worker only (ERR_WORKER_OUT_OF_MEMORY → worker_error).
        resourceLimits: {
          maxOldGenerationSizeMb: options.maxHeapMb ?? DEFAULT_WORKER_HEAP_MB,
          maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB,
        },
        // Piscina never stops a worker of its own accord (stopIfIdle stops them all, or none).
        idleTimeout: Number.MAX_SAFE_INTEGER,
        loadBalancer: largeBodyAffinity(),
      });
    this.#pool = this.#start();
    if (idleStopMs > 0) {
      this.#idleTimer = setInterval(() => this.stopIfIdle(), Math.max(1, Math.min(idleStopMs / 4, 15_000)));
      this.#idleTimer.unref();
    }
  }

  /** Starts the workers and pings each: #started counts those that answered (for this start only). */
  #start(): Threads {
    const pool = this.#makePool();
    const pings: Array<Promise<unknown>> = [];
    for (let i = 0; i < this.#threads; i++) {
      pings.push(
        pool.run({ kind: 'ping' }).then(
          () => {
            if (this.#pool === pool) this.#started++;
          },
          () => undefined,
        ),
      );
    }
    this.#startedAll = Promise.all(pings);
    return pool;
  }

  /** The workers for a task about to be posted, started again if they were stopped as idle. */
  #poolForTask(): Threads {
    this.#lastActiveMs = this.#now();
    this.#pool ??= this.#start();
    return this.#pool;
  }

  /**
   * Stops every worker when none has had a task for `idleStopMs` and all have started (Node 20 aborts the process
   * when a worker is terminated while it loads its module, see close); the next body for the pool starts them again.
   * Called on a timer; public so tests can drive it. Answers whether it stopped them.
   */
  stopIfIdle(): boolean {
    const pool = this.#pool;
    if (pool === undefined || this.#closed || this.#idleStopMs <= 0) return false;
    if (this.#inFlight > 0 || this.#largeBodyRunning || this.#started < this.#threads) return false;
    if (this.#now() - this.#lastActiveMs < this.#idleStopMs) return false;
    this.#pool = undefined;
    this.#started = 0;
    // New workers have no module compiled: the first tasks carry the config again.
    this.#configSent.clear();
    this.#idleStops++;
    const stopped = pool.close().catch(() => undefined);
    this.#stopping.add(stopped);
    void stopped.then(() => this.#stopping.delete(stopped));
    return true;
  }

  /** Bodies posted and not answered yet: what routing reads per body (stats also reads Piscina's timing histograms). */
  get inFlight(): number {
    return this.#inFlight;
  }

  get stats(): WorkerPoolStats {
    return {
      threads: this.#pool?.threads.length ?? 0,
      queued: (this.#pool?.queueSize ?? 0) + this.#largeBodyTurns.length,
      inFlight: this.#inFlight,
      utilization: this.#pool?.utilization ?? 0,
      idleStops: this.#idleStops,
    };
  }

  /** Workers that answered their start-up ping (until one has, batches of most modules run inline). */
  get startedWorkers(): number {
    return this.#started;
  }

  /** Large bodies waiting for the one in the workers to finish. */
  get largeBodiesWaiting(): number {
    return this.#largeBodyTurns.length;
  }

  /** Workers terminated because a task ran past its deadline or cancellation by more than the grace. */
  get stuckWorkersReplaced(): number {
    return this.#stuckWorkersReplaced;
  }

  run(task: HotPathTask): Promise<HotPathResult> {
    return this.#runSingle(task, false, (reply) =>
      reply.kind === undefined ? reply.result : unexpectedReply('bytes', 'strings'),
    );
  }

  /** As run, with the families as UTF-8 bytes: the worker's buffer is transferred, no string is cloned or encoded. */
  runEncoded(task: HotPathTask): Promise<HotPathEncodedResult> {
    return this.#runSingle(task, true, (reply) => {
      if (reply.kind === 'encoded') return decodeBatch(reply.batch, this.#families)[0] as HotPathEncodedResult;
      // A failure reads the same either way.
      return reply.result.ok ? unexpectedReply('strings', 'bytes') : reply.result;
    });
  }

  async #runSingle<R extends HotPathResult | HotPathEncodedResult>(
    task: HotPathTask,
    encode: boolean,
    unpack: (reply: WorkerReply | WorkerEncodedReply) => R | HotPathFailure,
  ): Promise<R | HotPathFailure> {
    if (this.#closed)
      return {
        ok: false,
        reason: 'worker_error',
        message: 'the worker pool is closed (the exporter is shutting down)',
      };
    // Counted synchronously, before any await: a burst of probes sees the bound exactly, not after the fact.
    if (this.#inFlight >= this.#capacity) {
      return {
        ok: false,
        reason: 'pool_overloaded',
        message: `worker pool overloaded: ${this.#inFlight} bodies in flight (threads + --workers.max-queue = ${this.#capacity}); retry later or raise --workers / --workers.max-queue`,
      };
    }
    if (task.signal?.aborted === true) return { ok: false, reason: 'aborted', message: 'the scrape was cancelled' };
    // Memory-aware limits: one body a worker's heap cannot handle is refused before it is posted, and the bodies
    // queued or running together stay under a share of all workers' heaps (a lone body is always admitted).
    const size = task.body.byteLength;
    if (size > this.#maxBodyBytes) {
      return {
        ok: false,
        reason: 'body_too_large',
        message: `body of ${size} bytes is more than a worker's heap can handle (${this.#maxBodyBytes} bytes: --workers.max-heap-mb / ${BODY_MEMORY_FACTOR})`,
      };
    }
    if (this.#inFlight > 0 && this.#bytesInFlight + size > this.#maxBytesInFlight) {
      return {
        ok: false,
        reason: 'pool_overloaded',
        message: `worker pool overloaded: ${this.#bytesInFlight} bytes of bodies in flight, ${size} more would pass the memory budget of ${this.#maxBytesInFlight} bytes (--workers × --workers.max-heap-mb / ${IN_FLIGHT_SHARE})`,
      };
    }
    const large = this.#isLarge(size);
    const body = transferableBody(task.body);
    const control = new SharedArrayBuffer(4);
    const workerTask: WorkerTask = {
      // Cloning the whole config with every task was 12 % of the main thread at 50 concurrent probes (issue 16).
      ...(this.#sendsConfig(task.module) ? { module: task.module.config } : {}),
      generation: task.module.generation,
      moduleName: task.module.name,
      body,
      ...(task.contentType === undefined ? {} : { contentType: task.contentType }),
      targetLabels: task.targetLabels,
      formats: task.formats,
      ...(task.deadline === undefined ? {} : { deadline: task.deadline }),
      control,
      ...(encode ? { encode: true } : {}),
      ...(large ? { collectGarbage: true } : {}),
    };
    this.#inFlight++;
    this.#bytesInFlight += size;
    return new Promise<R | HotPathFailure>((resolve) => {
      const state = new Int32Array(control);
      const terminate = new AbortController();
      // Aborted with the task's cancellation: a large body still waiting for its turn leaves the line at once.
      const dropped = new AbortController();
      let answered = false;
      let settled = false;
      let stuckTimer: NodeJS.Timeout | undefined;
      let deadlineTimer: NodeJS.Timeout | undefined;
      // The caller gets one answer, the first of: the worker's, the deadline's, the cancellation's. Its slot is
      // freed with it, so a cancelled or late task never holds up the probes after it.
      const answer = (result: R | HotPathFailure): void => {
        if (answered) return;
        answered = true;
        this.#lastActiveMs = this.#now();
        this.#inFlight--;
        this.#bytesInFlight -= size;
        if (deadlineTimer !== undefined) clearTimeout(deadlineTimer);
        task.signal?.removeEventListener('abort', onCancel);
        resolve(result);
      };
      // Stop the task: a queued one is dropped by the worker that takes it (its state says cancelled); a running
      // one stops at its next budget check. Only a worker still busy with it after the grace is stuck (a regular
      // expression no check interrupts): that one is terminated through Piscina's signal and replaced.
      const cancel = (): void => {
        Atomics.store(state, 0, TASK_CANCELLED);
        dropped.abort();
        if (settled || stuckTimer !== undefined) return;
        stuckTimer = setTimeout(() => {
          if (settled) return;
          this.#stuckWorkersReplaced++;
          terminate.abort(new Error('the task outlived its deadline or cancellation'));
        }, this.#stuckGraceMs);
        stuckTimer.unref();
      };
      const onCancel = (): void => {
        cancel();
        answer({ ok: false, reason: 'aborted', message: 'the scrape was cancelled' });
      };
      task.signal?.addEventListener('abort', onCancel, { once: true });
      if (task.deadline !== undefined) {
        // The worker stops itself at the deadline; this answers the caller even when it cannot (stuck or queued).
        deadlineTimer = setTimeout(
          () => {
            const queued = Atomics.load(state, 0) === TASK_QUEUED;
            cancel();
            answer({
              ok: false,
              reason: 'timeout',
              message: queued
                ? 'the scrape deadline passed while the body waited for a worker'
                : 'the scrape deadline passed while a worker handled the body',
            });
          },
          Math.max(0, task.deadline - epochNow()),
        );
        deadlineTimer.unref();
      }
      const posted = large
        ? this.#inTurn(dropped.signal, () => this.#post(workerTask, task.module, terminate.signal, LARGE_BODY_TASK))
        : this.#post(workerTask, task.module, terminate.signal);
      posted.then(
        (reply) => {
          settled = true;
          if (stuckTimer !== undefined) clearTimeout(stuckTimer);
          // Left the line: the cancellation or the deadline has answered already.
          if (reply !== LEFT_THE_LINE) answer(unpack(reply));
        },
        (err: unknown) => {
          settled = true;
          if (stuckTimer !== undefined) clearTimeout(stuckTimer);
          // A throw in the task or a worker that died (a crash, out of memory, terminated as stuck): only this task
          // fails; Piscina starts a replacement worker.
          answer(
            terminate.signal.aborted
              ? {
                  ok: false,
                  reason: 'timeout',
                  message: 'the worker was still busy with the body after the deadline and was replaced',
                }
              : workerFailure(err, 'the body'),
          );
        },
      );
    });
  }

  /**
   * Whether a task of this module carries its config: the first few per (generation, module) do, so most likely
   * every worker gets it without an extra round trip; the rest do not, and a worker without it asks for it.
   */
  #sendsConfig(module: HotPathModule): boolean {
    const key = `${module.generation}\u0000${module.name}`;
    const sent = this.#configSent.get(key) ?? 0;
    if (sent >= this.#threads * 2) return false;
    if (sent === 0 && this.#configSent.size > 64) this.#configSent.clear();
    this.#configSent.set(key, sent + 1);
    return true;
  }

  #isLarge(bytes: number): boolean {
    return this.#largeBodyBytes > 0 && bytes >= this.#largeBodyBytes;
  }

  /**
   * Runs `post` once no other large body is in the workers (first come, first served). One that is cancelled while
   * it waits leaves the line and answers `aborted` without being posted (its caller was already answered).
   */
  async #inTurn<T>(dropped: AbortSignal, post: () => Promise<T>): Promise<T | typeof LEFT_THE_LINE> {
    if (this.#largeBodyRunning) {
      const turn = await new Promise<boolean>((resolve) => {
        const take = (): void => {
          dropped.removeEventListener('abort', leave);
          resolve(true);
        };
        const leave = (): void => {
          const at = this.#largeBodyTurns.indexOf(take);
          if (at >= 0) this.#largeBodyTurns.splice(at, 1);
          resolve(false);
        };
        if (dropped.aborted) return resolve(false);
        this.#largeBodyTurns.push(take);
        dropped.addEventListener('abort', leave, { once: true });
      });
      if (!turn) return LEFT_THE_LINE;
    } else this.#largeBodyRunning = true;
    try {
      return await post();
    } finally {
      const next = this.#largeBodyTurns.shift();
      if (next === undefined) this.#largeBodyRunning = false;
      else next(); // the turn passes on: #largeBodyRunning stays true
    }
  }

  /** Posts a single task; a worker that has not compiled its module hands the body back, and it goes again with it. */
  async #post(
    task: WorkerTask,
    module: HotPathModule,
    signal: AbortSignal,
    name?: string,
  ): Promise<WorkerReply | WorkerEncodedReply> {
    const named = name === undefined ? {} : { name };
    const reply = (await this.#poolForTask().run(task, { transferList: [task.body], signal, ...named })) as
      | WorkerReply
      | WorkerEncodedReply
      | WorkerMissingModule;
    if (reply.kind !== 'missing-module') return reply;
    const resend: WorkerTask = { ...task, module: module.config, body: reply.body };
    const second = (await this.#poolForTask().run(resend, { transferList: [reply.body], signal, ...named })) as
      | WorkerReply
      | WorkerEncodedReply
      | WorkerMissingModule;
    if (second.kind === 'missing-module') throw new Error('it did not compile the module it was sent');
    return second;
  }

  /**
   * Many bodies of one module in one task (fleet mode's small bodies: one message instead of one per body). The
   * module's config is not sent until a worker asks for it, once per generation. Counts as one task against the
   * queue bound; a failure of the task fails each of its bodies with the same reason.
   */
  async runBatch(batch: HotPathBatch): Promise<HotPathEncodedResult[]> {
    const fail = (reason: 'worker_error' | 'pool_overloaded' | 'timeout', message: string): HotPathEncodedResult[] =>
      batch.items.map(() => ({ ok: false, reason, message }));
    // The watchdog fired: the batch was still waiting (for a worker or its turn), or its worker was stuck and replaced.
    const timedOut = (replaced: boolean): HotPathEncodedResult[] =>
      fail(
        'timeout',
        replaced
          ? 'the worker was still busy with the batch after its deadline and was replaced'
          : 'the scrape deadline passed while the batch waited for a worker',
      );
    if (batch.items.length === 0) return [];
    // The first scrapes after a start must not wait for workers still loading (a scrape timeout can be < 1 s),
    // unless the module has a filter only jsonpath-plus runs: no deadline can stop that on the main thread.
    if (this.#started === 0 && !this.#closed && !batch.module.compiled.usesFallbackFilter) {
      // Workers stopped as idle start again for the batches after this one.
      if (this.#pool === undefined) this.#poolForTask();
      return runBatchInline(batch, this.#families);
    }
    if (this.#closed) return fail('worker_error', 'the worker pool is closed (the exporter is shutting down)');
    if (this.#inFlight >= this.#capacity) {
      return fail(
        'pool_overloaded',
        `worker pool overloaded: ${this.#inFlight} tasks in flight (threads + --workers.max-queue = ${this.#capacity}); retry later or raise --workers / --workers.max-queue`,
      );
    }
    const { bodies, bodyEnds } = packBodies(batch);
    const large = this.#isLarge(bodies.byteLength);
    // Each body stops at its own deadline in the worker (budget checks). Work no check interrupts (a regular
    // expression backtracking in jsonpath-plus) is caught here: a batch still running past its last deadline and the
    // grace has its worker replaced, as a single task's would, so one such target cannot take the workers for good.
    const deadlines = Float64Array.from(batch.items, (item) => item.deadline ?? Number.NaN);
    // NaN (a body without a deadline) makes it NaN too: no watchdog then.
    const lastDeadline = Math.max(...deadlines);
    const control = new SharedArrayBuffer(4);
    const task: WorkerBatchTask = {
      ...(this.#sendsConfig(batch.module) ? { module: batch.module.config } : {}),
      kind: 'batch',
      generation: batch.module.generation,
      moduleName: batch.module.name,
      bodies,
      bodyEnds,
      contentTypes: batch.items.map((item) => item.contentType),
      targetLabels: batch.items.map((item) => item.targetLabels),
      formats: batch.formats,
      deadlines,
      control,
      ...(large ? { collectGarbage: true } : {}),
    };
    const state = new Int32Array(control);
    const terminate = new AbortController();
    let watchdog: NodeJS.Timeout | undefined;
    let replaced = false;
    if (Number.isFinite(lastDeadline)) {
      watchdog = setTimeout(
        () => {
          // Still queued: dropped (Piscina takes an aborted task off its queue). Still running: the worker is stuck.
          replaced = Atomics.exchange(state, 0, TASK_CANCELLED) === TASK_RUNNING;
          if (replaced) this.#stuckWorkersReplaced++;
          terminate.abort(new Error('the batch outlived its deadline'));
        },
        Math.max(0, lastDeadline - epochNow()) + this.#stuckGraceMs,
      );
      watchdog.unref();
    }
    this.#inFlight++;
    try {
      const options = { signal: terminate.signal, ...(large ? { name: LARGE_BODY_TASK } : {}) };
      const post = async (): Promise<WorkerBatchReply> => {
        const first = (await this.#poolForTask().run(task, { ...options, transferList: [bodies] })) as WorkerBatchReply;
        if (first.kind !== 'missing-module') return first;
        const resend = { ...task, bodies: first.bodies, module: batch.module.config };
        return (await this.#poolForTask().run(resend, {
          ...options,
          transferList: [first.bodies],
        })) as WorkerBatchReply;
      };
      // A batch holding a large body takes its turn as a large single body does; the watchdog drops it from the line.
      const reply = large ? await this.#inTurn(terminate.signal, post) : await post();
      if (reply === LEFT_THE_LINE) return timedOut(false);
      if (reply.kind !== 'batch')
        return fail('worker_error', 'worker failed: it did not compile the module it was sent');
      return decodeBatch(reply.batch, this.#families);
    } catch (err) {
      if (terminate.signal.aborted) return timedOut(replaced);
      const failure = workerFailure(err, 'the batch');
      return batch.items.map(() => failure);
    } finally {
      if (watchdog !== undefined) clearTimeout(watchdog);
      this.#lastActiveMs = this.#now();
      this.#inFlight--;
    }
  }

  /**
   * Closes the pool once its first workers have started (at most START_WAIT_ON_CLOSE_MS): Node 20 aborts the whole
   * process ("FATAL ERROR: v8::Module::IsGraphAsync … must be used on an instantiated module") when a worker is
   * terminated while it loads its module through require(esm), as Piscina's workers load theirs. An exporter stopped
   * within a second of its start (SIGTERM, a test) hit it.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#idleTimer);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.#startedAll,
      new Promise((resolve) => {
        timer = setTimeout(resolve, START_WAIT_ON_CLOSE_MS);
      }),
    ]);
    clearTimeout(timer);
    await Promise.all([this.#pool?.close(), ...this.#stopping]);
  }
}
