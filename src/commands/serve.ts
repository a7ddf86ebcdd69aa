// `serve`: load the config, start the HTTP server, reload on SIGHUP, stop cleanly on SIGTERM/SIGINT.
import type { AddressInfo } from 'node:net';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { createHotPath, DEFAULT_IDLE_INLINE_MAX_BYTES, DEFAULT_INLINE_MAX_BYTES } from '../pool/create-hot-path.js';
import type { HotPath } from '../pool/hot-path.js';
import { ConfigReloader } from '../server/config-reloader.js';
import { FleetMode } from '../fleet/fleet-mode.js';
import { createExporterServer, type ExporterServer, type ListenTarget } from '../server/http-server.js';
import { systemdListenFds } from '../server/systemd-socket.js';
import { parseListenAddress } from '../server/listen-address.js';
import { loadWebConfigFile } from '../server/web-config.js';
import { createLogger, type Logger } from '../telemetry/logger.js';
import { createSelfMetrics } from '../telemetry/self-metrics.js';
import { ScrapeOutcomeRecorder } from '../scrape/record-outcome.js';
import { VERSION } from '../version.js';
import { DEFAULT_WORKERS_MAX_QUEUE, type ServeFlags } from './flags.js';
import { describeLoadError, serveConfigLoader } from './load-config.js';
import { parseDuration } from '../config/duration.js';
import { prunerError, prunerKind } from '../extract/pruned-parse.js';
import { gzipCodecError, gzipCodecKind } from '../exposition/gzip-codec.js';
import { OPEN_TARGET_POLICY_SETTINGS, TargetPolicy } from '../fetch/target-policy.js';
import { DEFAULT_SHUTDOWN_TIMEOUT } from './probe-flags.js';
import { applyRuntimeFlags } from './runtime-flags.js';

export interface RunningExporter {
  readonly server: ExporterServer;
  readonly hotPath: HotPath;
  readonly reloader: ConfigReloader;
  /** Fleet mode's discovery, scheduler and store; idle when the config has no `fleet:` section. */
  readonly fleet: FleetMode;
  readonly logger: Logger;
  readonly port: number;
  /**
   * Stops accepting connections, aborts fleet scrapes, lets requests in flight (probes) finish for up to `graceMs`,
   * cuts off the rest, then closes the pools. `graceMs` 0 (the default) cuts everything off at once.
   */
  stop(graceMs?: number): Promise<void>;
}

/** Seams for tests: dns_sd's DNS servers (the system's when absent). */
export interface ExporterOptions {
  readonly dnsServers?: readonly string[];
}

/** Starts an exporter; throws with a user-facing message when the config or the address is wrong. */
export async function startExporter(
  flags: ServeFlags,
  logger: Logger = createLogger(flags.logLevel, process.stderr, flags.logFormat ?? 'json'),
  options: ExporterOptions = {},
): Promise<RunningExporter> {
  // Checked first, before anything needs stopping: every address, or the sockets systemd passed.
  const listenTargets: ListenTarget[] = flags.systemdSocket
    ? systemdListenFds().map((fd) => ({ fd }))
    : [flags.listenAddress, ...(flags.moreListenAddresses ?? [])].map(parseListenAddress);
  // First, before anything needs stopping: a bad web config fails the start with its file, line and key.
  const webConfig = flags.webConfigFile === undefined ? undefined : loadWebConfigFile(flags.webConfigFile);
  // Before the workers start, so their isolates see them too.
  const v8Flags = applyRuntimeFlags(flags);
  const metrics = createSelfMetrics();
  const shardFlags = {
    ...(flags.shardTotal === undefined ? {} : { total: flags.shardTotal }),
    ...(flags.shardIndex === undefined ? {} : { index: flags.shardIndex }),
  };
  const probeFlags = flags.probeAndShutdown;
  const targetPolicy = new TargetPolicy(probeFlags?.targetPolicy ?? OPEN_TARGET_POLICY_SETTINGS);
  const reloader = new ConfigReloader(serveConfigLoader(flags.configFile, shardFlags), metrics, logger, targetPolicy);
  const workers = flags.workers ?? availableParallelism();
  const hotPath = createHotPath({
    workers,
    // Every fleet scrape in flight may hold a body for the pool: room for all of them, plus probes.
    maxQueue: flags.workersMaxQueue ?? DEFAULT_WORKERS_MAX_QUEUE + (reloader.current.config.fleet?.concurrency ?? 0),
    inlineMaxBytes: flags.workersInlineMaxBytes ?? DEFAULT_INLINE_MAX_BYTES,
    ...(flags.workersMaxHeapMb === undefined ? {} : { maxHeapMb: flags.workersMaxHeapMb }),
    ...(flags.workersIdleTimeoutMs === undefined ? {} : { idleStopMs: flags.workersIdleTimeoutMs }),
    // `--workers.inline-max-bytes=0` asks for every body in the pool: no idle shortcut either.
    idleInlineMaxBytes: flags.workersInlineMaxBytes === 0 ? 0 : DEFAULT_IDLE_INLINE_MAX_BYTES,
    registry: metrics.registry,
  });
  const recorder = new ScrapeOutcomeRecorder(metrics);
  const fleet = new FleetMode({
    prepared: () => reloader.current,
    hotPath,
    metrics,
    recorder,
    logger,
    maxBodyBytes: flags.maxBodyBytes,
    shardFlags,
    configDir: flags.configFile === undefined ? process.cwd() : dirname(resolve(flags.configFile)),
    ...(options.dnsServers === undefined ? {} : { dnsServers: options.dnsServers }),
  });
  try {
    await fleet.apply(reloader.current.config);
  } catch (err) {
    await Promise.all([fleet.stop(), reloader.close(), hotPath.close()]);
    throw err;
  }
  // A reload swaps discovery for the new generation; the server, the store and unchanged targets' slots stay.
  reloader.onReload((prepared) => {
    fleet.apply(prepared.config).catch((err: unknown) => {
      logger.error(
        { err, generation: prepared.config.generation },
        'fleet mode kept its previous targets: the reloaded fleet section cannot run',
      );
    });
  });
  const server = createExporterServer({
    fleet: () => fleet.endpoints(),
    hotPath,
    reloader,
    metrics,
    recorder,
    logger,
    telemetryPath: flags.telemetryPath,
    maxBodyBytes: flags.maxBodyBytes,
    timeoutOffsetMs: flags.timeoutOffsetMs,
    ...(webConfig === undefined ? {} : { webConfig }),
    ...(probeFlags === undefined ? {} : { probeLimits: probeFlags.probeLimits }),
    targetPolicy,
  });
  const bound: Array<AddressInfo | string> = [];
  try {
    for (const target of listenTargets) bound.push(await server.listenOn(target));
  } catch (err) {
    await Promise.all([server.close(), fleet.stop(), reloader.close(), hotPath.close()]);
    throw err;
  }
  const addresses = bound.map((each) => (typeof each === 'string' ? each : `${each.address}:${each.port}`));
  const config = reloader.current.config;
  if (webConfig !== undefined && webConfig.ignoredKeys.length > 0) {
    logger.warn(
      { webConfig: webConfig.source, keys: webConfig.ignoredKeys },
      'web config keys accepted for exporter-toolkit compatibility have no effect here (see README, Web config)',
    );
  }
  if (targetPolicy.isOpen) {
    logger.warn(
      '/probe fetches any target it is asked for, as json_exporter does: whoever reaches this port can make it request ' +
        'internal addresses. Restrict it with --probe.allow-target-prefix/-regex/-cidr and --probe.deny-local-targets ' +
        '(README, "Restricting /probe targets")',
    );
  }
  logger.info(
    {
      version: VERSION,
      address: addresses[0],
      ...(addresses.length > 1 ? { addresses } : {}),
      config: config.source,
      modules: Object.keys(config.modules),
      workers,
      ...(v8Flags.length > 0 ? { v8Flags } : {}),
      tls: webConfig?.tls !== undefined,
      basicAuth: Object.keys(webConfig?.users ?? {}).length > 0,
      jsonPruner: prunerKind,
      gzip: gzipCodecKind,
    },
    'fleet-json-exporter listening',
  );
  // An addon that is not built only costs CPU: said once, unless FJE_NATIVE=off asked for it.
  const missingAddons = [
    {
      missing: prunerKind === 'none',
      reason: prunerError,
      message:
        'the native JSON pruner is not built (no C++ compiler at install?): bodies are parsed whole, the same result ' +
        'at a higher CPU cost',
    },
    {
      missing: gzipCodecKind === 'zlib',
      reason: gzipCodecError,
      message:
        "the libdeflate addon is not built (no C++ compiler or libdeflate-dev at install?): fleet /metrics' gzip " +
        "members are made and read with Node's zlib, the same bytes at a higher CPU cost",
    },
  ];
  for (const { missing, reason, message } of missingAddons) {
    if (missing && process.env.FJE_NATIVE !== 'off') {
      logger.info({ reason }, `${message}; \`npm run build:native\` builds it (README, "The native JSON pruner")`);
    }
  }
  return {
    server,
    hotPath,
    reloader,
    fleet,
    logger,
    port: typeof bound[0] === 'object' ? bound[0].port : 0,
    stop: async (graceMs = 0) => {
      const closing = server.close(graceMs);
      await fleet.stop();
      await closing;
      await Promise.all([reloader.close(), hotPath.close()]);
      metrics.close();
    },
  };
}

export async function runServe(flags: ServeFlags, err: NodeJS.WritableStream): Promise<number> {
  const logger = createLogger(flags.logLevel, process.stderr, flags.logFormat ?? 'json');
  let running: RunningExporter | undefined;
  // Installed before listening: a SIGHUP sent as soon as the "listening" line appears must reload, not kill.
  const onHangup = (): void => {
    logger.info('SIGHUP received: reloading config');
    running?.reloader.reload();
  };
  process.on('SIGHUP', onHangup);
  try {
    running = await startExporter(flags, logger);
  } catch (error) {
    process.off('SIGHUP', onHangup);
    err.write(`fleet-json-exporter: ${describeLoadError(error)}\n`);
    return 1;
  }
  const started = running;
  const graceMs = flags.probeAndShutdown?.shutdownTimeoutMs ?? parseDuration(DEFAULT_SHUTDOWN_TIMEOUT);
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) {
        logger.warn({ signal }, 'second signal: exiting without waiting for requests in flight');
        process.exit(0);
      }
      stopping = true;
      logger.info({ signal, graceMs }, 'shutting down: no new connections; requests in flight get the grace period');
      process.off('SIGHUP', onHangup);
      // A pool task that never returns must not keep the process alive past the deadline.
      const backstop = setTimeout(() => {
        logger.warn({ graceMs }, 'shutdown did not finish within the grace period and 2 s more: exiting anyway');
        process.exit(0);
      }, graceMs + 2000);
      backstop.unref();
      started.stop(graceMs).then(
        () => {
          logger.info('stopped');
          resolve(0);
        },
        (err: unknown) => {
          logger.error({ err }, 'shutdown failed');
          resolve(1);
        },
      );
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
}
