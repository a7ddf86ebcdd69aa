// Command-line flags: json_exporter's names (kingpin style, `--a.b=v` or `--a.b v`), validated with clear messages.
import { availableParallelism } from 'node:os';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { durationFlag, wholeNumberFlag } from './flag-values.js';
import { UsageError } from './errors.js';
import { DEFAULT_INLINE_MAX_BYTES } from '../pool/create-hot-path.js';
import { DEFAULT_WORKER_HEAP_MB, DEFAULT_WORKER_IDLE_STOP_MS } from '../pool/worker-pool.js';
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from '../telemetry/logger.js';
import {
  PROBE_AND_SHUTDOWN_HELP,
  PROBE_AND_SHUTDOWN_OPTIONS,
  parseProbeAndShutdownFlags,
  type ProbeAndShutdownFlags,
} from './probe-flags.js';

export interface ServeFlags {
  readonly configFile: string | undefined;
  readonly configCheck: boolean;
  /** --web.listen-address (the first, when repeated). */
  readonly listenAddress: string;
  /** The further --web.listen-address values: repeatable as in exporter-toolkit, every address is served. */
  readonly moreListenAddresses?: readonly string[];
  /** --web.systemd-socket: serve the sockets systemd passes (LISTEN_FDS) instead of the listen addresses. */
  readonly systemdSocket?: boolean;
  /** --web.config.file: TLS, extra headers and basic auth (exporter-toolkit format); absent means plain HTTP. */
  readonly webConfigFile?: string;
  readonly telemetryPath: string;
  readonly logLevel: LogLevel;
  /** --log.format: json (default) or logfmt (json_exporter's default). */
  readonly logFormat?: LogFormat;
  readonly maxBodyBytes: number;
  readonly timeoutOffsetMs: number;
  /** Fleet mode: number of replicas sharing the targets; overrides fleet.shard.total. Absent when not given. */
  readonly shardTotal?: number;
  /** Fleet mode: this replica's shard; overrides fleet.shard.index and the hostname's ordinal. Absent when not given. */
  readonly shardIndex?: number;
  /** Hot-path worker threads (0: all inline); absent means one per CPU. */
  readonly workers?: number;
  /** Bodies allowed to wait for a busy pool; absent means DEFAULT_WORKERS_MAX_QUEUE plus fleet.concurrency. */
  readonly workersMaxQueue?: number;
  /** Bodies below this many bytes are handled on the main thread; absent means DEFAULT_INLINE_MAX_BYTES. */
  readonly workersInlineMaxBytes?: number;
  /** --probe.max-concurrent/--probe.max-queue, --probe.allow-target-*, --shutdown.timeout; defaults when absent. */
  readonly probeAndShutdown?: ProbeAndShutdownFlags;
  /** Each worker's heap limit in MB; absent means DEFAULT_WORKER_HEAP_MB. */
  readonly workersMaxHeapMb?: number;
  /** Workers idle this long are stopped until a body needs them (0: never); absent means DEFAULT_WORKER_IDLE_STOP_MS. */
  readonly workersIdleTimeoutMs?: number;
  /** V8's --heap-growing-percent for the whole process (runtime-flags.ts); absent: V8's own dynamic factor. */
  readonly runtimeHeapGrowingPercent?: number;
}

/** Bodies waiting for a worker before more fail fast: at ~20 ms per 1 MB body, 256 is seconds of work queued. */
export const DEFAULT_WORKERS_MAX_QUEUE = 256;

export const HELP = `usage: fleet-json-exporter [<flags>] [serve | check <config> | eval <flags>]

Turns JSON HTTP APIs into Prometheus metrics; json_exporter compatible (config, /probe, flags, port 7979).

Commands:
  serve (default)   Serve /probe and the exporter's own metrics.
  check <config>    Validate a config file; exit 0 when valid, 1 with every problem (file:line:col key) when not.
  eval              Print the metrics a target answering with a given JSON body would give:
                      --config <file>    config (default: the embedded SRS config)
                      --module <name>    module (default: default)
                      --file <file|->    JSON body (- for stdin)
                      --format <text|openmetrics>  exposition format (default: text)

Flags:
  -h, --help                     Show this help.
      --version                  Show the version.
      --config.file=<file>       Configuration file (json_exporter format). Default: the embedded SRS streams config.
      --config.check             Validate the configuration and exit (json_exporter compatible; same as 'check').
      --web.listen-address=":7979"
                                 Address to listen on; repeat the flag to listen on several.
      --web.systemd-socket       Serve the sockets systemd passes (socket activation, LISTEN_FDS) instead of
                                 --web.listen-address (Linux).
      --web.config.file=<file>   Web config (exporter-toolkit format): tls_server_config, http_server_config
                                 headers, basic_auth_users. Read once at start; restart to apply changes.
      --web.telemetry-path="/metrics"
                                 Path under which to expose the exporter's own metrics.
      --log.level=info           Log level: debug, info, warn, error.
      --log.format=json          Log format: json (one JSON object per line) or logfmt (json_exporter's default).
      --scrape.max-body-bytes=33554432
                                 Largest target response body read; larger bodies fail the probe (reason body_too_large).
      --scrape.timeout-offset=500ms
                                 Subtracted from Prometheus's X-Prometheus-Scrape-Timeout-Seconds to get the probe deadline.
      --shard.total=<n>          Fleet mode: replicas sharing the targets (Prometheus hashmod of the target URL).
                                 Overrides fleet.shard.total.
      --shard.index=<i>          Fleet mode: this replica's shard, 0 to total-1. Overrides fleet.shard.index; without
                                 either, the ordinal ending the hostname (StatefulSet pod srs-exporter-2 → 2).
      --workers=<CPU count>      Worker threads that parse, extract and render bodies off the main thread;
                                 0 handles every body on the main thread.
      --workers.max-queue=${DEFAULT_WORKERS_MAX_QUEUE} + fleet.concurrency
                                 Bodies allowed to wait for a busy worker; beyond that a probe fails at once
                                 with 503 (reason pool_overloaded) instead of queueing without bound. The
                                 default leaves room for every fleet scrape in flight (fleet.concurrency at start).
      --workers.inline-max-bytes=${DEFAULT_INLINE_MAX_BYTES}
                                 Bodies smaller than this are handled on the main thread: below it the hop to a
                                 worker costs more than it saves (measured, see bench/README.md).
      --workers.max-heap-mb=${DEFAULT_WORKER_HEAP_MB}
                                 Each worker's V8 heap limit. A body whose handling needs more fails alone
                                 (reason out_of_memory); bodies larger than a sixteenth of it are refused up front
                                 (body_too_large), and bodies queued or running in the pool together stay under
                                 threads × this / 4 (beyond: pool_overloaded).
      --workers.idle-timeout=${DEFAULT_WORKER_IDLE_STOP_MS / 1000}s
                                 Workers that had no body to handle for this long are stopped (~10 MB of RSS
                                 each); the next body for the pool starts them again (~0.5 s; fleet scrapes run
                                 on the main thread meanwhile). 0 keeps them running.
      --runtime.heap-growing-percent=<n>
                                 Let V8's old generation grow to (1 + n/100) × what its last full collection
                                 left alive (V8's --heap-growing-percent; default: V8's own factor). Trades CPU
                                 and latency for memory: 50 at 10,000 fleet targets × 10 streams gave a peak RSS
                                 of 272–283 MB against 285–319 MB, for ~0.7 points more CPU (of 2 cores), a
                                 slower gzip /metrics tail (p99 ~230 against ~130 ms) and a few ms more target
                                 lag (bench/README.md, fourteenth stop).
${PROBE_AND_SHUTDOWN_HELP}
Signals: SIGHUP reloads the config (as POST /-/reload); SIGTERM and SIGINT stop gracefully.
`;

/** node:util's parseArgs in strict mode, its errors turned into usage errors prefixed with `context`. */
function parseFlags<T extends NonNullable<ParseArgsConfig['options']>>(
  args: readonly string[],
  options: T,
  context: string,
) {
  try {
    return parseArgs({ args: [...args], strict: true, allowPositionals: false, options }).values;
  } catch (err) {
    throw new UsageError(context + (err instanceof Error ? err.message : String(err)));
  }
}

/**
 * Flags kingpin (json_exporter's flag library) adds on its own, refused with the alternative: a Deployment
 * rarely passes them, and a message beats a silent no-op.
 */
const KINGPIN_ONLY_FLAGS: Readonly<Record<string, string>> = {
  '--help-long': 'use --help',
  '--help-man': 'use --help (there is no man page)',
  '--completion-bash': 'shell completion is not provided; use --help',
  '--completion-script-bash': 'shell completion is not provided; use --help',
  '--completion-script-zsh': 'shell completion is not provided; use --help',
};

/** kingpin's negations of boolean flags that are false by default: accepted, and they change nothing. */
const NEUTRAL_NEGATIONS = ['--no-config.check', '--no-web.systemd-socket'];

export function parseServeFlags(given: readonly string[]): ServeFlags {
  for (const arg of given) {
    const name = arg.split('=')[0] ?? arg;
    const alternative = KINGPIN_ONLY_FLAGS[name];
    if (alternative !== undefined)
      throw new UsageError(`${name} (a kingpin built-in of json_exporter) is not supported; ${alternative}`);
  }
  const args = given.filter((arg) => !NEUTRAL_NEGATIONS.includes(arg));
  const values = parseFlags(
    args,
    {
      'config.file': { type: 'string' },
      'config.check': { type: 'boolean', default: false },
      'web.listen-address': { type: 'string', multiple: true, default: [':7979'] },
      'web.systemd-socket': { type: 'boolean', default: false },
      'web.config.file': { type: 'string' },
      'web.telemetry-path': { type: 'string', default: '/metrics' },
      'log.level': { type: 'string', default: 'info' },
      'log.format': { type: 'string', default: 'json' },
      'scrape.max-body-bytes': { type: 'string', default: '33554432' },
      'scrape.timeout-offset': { type: 'string', default: '500ms' },
      'shard.total': { type: 'string' },
      'shard.index': { type: 'string' },
      workers: { type: 'string', default: String(availableParallelism()) },
      'workers.max-queue': { type: 'string' },
      'workers.inline-max-bytes': { type: 'string', default: String(DEFAULT_INLINE_MAX_BYTES) },
      ...PROBE_AND_SHUTDOWN_OPTIONS,
      'workers.max-heap-mb': { type: 'string', default: String(DEFAULT_WORKER_HEAP_MB) },
      'workers.idle-timeout': { type: 'string', default: `${DEFAULT_WORKER_IDLE_STOP_MS / 1000}s` },
      'runtime.heap-growing-percent': { type: 'string' },
    },
    '',
  );
  const probeAndShutdown = parseProbeAndShutdownFlags(values, (message) => {
    throw new UsageError(message);
  });
  const logLevel = values['log.level'];
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new UsageError(`--log.level must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}")`);
  }
  const logFormat = values['log.format'];
  if (!(LOG_FORMATS as readonly string[]).includes(logFormat)) {
    throw new UsageError(`--log.format must be one of ${LOG_FORMATS.join(', ')} (got "${logFormat}")`);
  }
  const maxBodyBytes = Number(values['scrape.max-body-bytes']);
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes <= 0) {
    throw new UsageError(
      `--scrape.max-body-bytes must be a positive whole number of bytes (got "${values['scrape.max-body-bytes']}")`,
    );
  }
  const telemetryPath = values['web.telemetry-path'];
  if (!telemetryPath.startsWith('/') || telemetryPath === '/' || telemetryPath === '/probe') {
    throw new UsageError(
      `--web.telemetry-path must be a path starting with "/" other than "/" and "/probe" (got "${telemetryPath}")`,
    );
  }
  const shardTotal = wholeNumberFlag('shard.total', values['shard.total'], 1);
  const shardIndex = wholeNumberFlag('shard.index', values['shard.index'], 0);
  if (shardTotal !== undefined && shardIndex !== undefined && shardIndex >= shardTotal) {
    throw new UsageError(
      `--shard.index must be less than --shard.total (${shardTotal}); shards are numbered 0 to ${shardTotal - 1} (got ${shardIndex})`,
    );
  }
  // exporter-toolkit: a repeated flag lists every address; given once, it replaces the default.
  const listenAddresses = values['web.listen-address'];
  const workersMaxQueue = wholeNumberFlag('workers.max-queue', values['workers.max-queue'], 0);
  const workersMaxHeapMb = wholeNumberFlag('workers.max-heap-mb', values['workers.max-heap-mb'], 16);
  const heapGrowingPercent = wholeNumberFlag('runtime.heap-growing-percent', values['runtime.heap-growing-percent'], 1);
  return {
    ...(workersMaxHeapMb === undefined ? {} : { workersMaxHeapMb }),
    ...(heapGrowingPercent === undefined ? {} : { runtimeHeapGrowingPercent: heapGrowingPercent }),
    ...(shardTotal === undefined ? {} : { shardTotal }),
    ...(workersMaxQueue === undefined ? {} : { workersMaxQueue }),
    ...(shardIndex === undefined ? {} : { shardIndex }),
    ...(values['web.config.file'] === undefined ? {} : { webConfigFile: values['web.config.file'] }),
    configFile: values['config.file'],
    configCheck: values['config.check'],
    listenAddress: listenAddresses[0] ?? ':7979',
    ...(listenAddresses.length > 1 ? { moreListenAddresses: listenAddresses.slice(1) } : {}),
    ...(values['web.systemd-socket'] ? { systemdSocket: true } : {}),
    ...(logFormat === 'json' ? {} : { logFormat: logFormat as LogFormat }),
    telemetryPath,
    logLevel: logLevel as LogLevel,
    maxBodyBytes,
    timeoutOffsetMs: durationFlag('scrape.timeout-offset', values['scrape.timeout-offset']),
    workers: wholeNumberFlag('workers', values.workers, 0),
    workersInlineMaxBytes: wholeNumberFlag('workers.inline-max-bytes', values['workers.inline-max-bytes'], 0),
    workersIdleTimeoutMs: durationFlag('workers.idle-timeout', values['workers.idle-timeout']),
    probeAndShutdown,
  };
}

export interface EvalFlags {
  readonly configFile: string | undefined;
  readonly module: string;
  readonly file: string;
  readonly format: 'text' | 'openmetrics';
}

export function parseEvalFlags(args: readonly string[]): EvalFlags {
  const values = parseFlags(
    args,
    {
      config: { type: 'string' },
      'config.file': { type: 'string' },
      module: { type: 'string', default: 'default' },
      file: { type: 'string' },
      format: { type: 'string', default: 'text' },
    },
    'eval: ',
  );
  if (values.file === undefined) throw new UsageError('eval: --file <body.json> is required (use - for stdin)');
  if (values.format !== 'text' && values.format !== 'openmetrics') {
    throw new UsageError(`eval: --format must be text or openmetrics (got "${values.format}")`);
  }
  return {
    configFile: values.config ?? values['config.file'],
    module: values.module,
    file: values.file,
    format: values.format,
  };
}
