// GET /probe?module=…&target=…: json_exporter's endpoint — fetch the target, extract, render.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { joinRenderedFamilies } from '../exposition/render.js';
import { CONTENT_TYPES, negotiateFormat } from '../exposition/negotiate.js';
import { EXTRACT_PROBLEM_REASONS, type ExtractProblem } from '../extract/extract.js';
import type { HotPath } from '../pool/hot-path.js';
import type { PreparedConfig } from '../scrape/prepared-config.js';
import { probeTarget } from '../scrape/probe-target.js';
import type { Logger } from '../telemetry/logger.js';
import type { SelfMetrics } from '../telemetry/self-metrics.js';
import type { ConfigReloader } from './config-reloader.js';
import { sendBody, sendText } from './respond.js';
import { scrapeTimeoutMs } from './scrape-timeout.js';
import { redactUrl } from '../fetch/redact-url.js';

export interface ProbeRouteOptions {
  readonly reloader: ConfigReloader;
  readonly metrics: SelfMetrics;
  readonly logger: Logger;
  readonly maxBodyBytes: number;
  readonly timeoutOffsetMs: number;
  /** Parses, extracts and renders fetched bodies (inline or in a worker pool). */
  readonly hotPath: HotPath;
}

/** Go's url.Values: every parameter with all its values, the data of templated bodies. */
function queryParams(url: URL): Map<string, string[]> {
  const params = new Map<string, string[]>();
  for (const [key, value] of url.searchParams) {
    const values = params.get(key);
    if (values === undefined) params.set(key, [value]);
    else values.push(value);
  }
  return params;
}

/** Per config generation, the (module, metric, reason) triples already logged at warn level. */
const warnedProblems = new WeakMap<PreparedConfig, Set<string>>();

/**
 * A skipped value is logged at warn the first time its (module, metric, reason) occurs in a config generation
 * and at debug after that: a config that keeps meeting, say, a string `server` field stays visible without
 * flooding the log on every scrape (json_exporter logs an error per metric per scrape).
 */
function logExtractProblems(
  prepared: PreparedConfig,
  moduleName: string,
  problems: readonly ExtractProblem[],
  logger: Logger,
): void {
  if (problems.length === 0) return;
  let warned = warnedProblems.get(prepared);
  if (warned === undefined) {
    warned = new Set();
    warnedProblems.set(prepared, warned);
  }
  for (const problem of problems) {
    const key = `${moduleName}\u0000${problem.metric}\u0000${problem.reason}`;
    if (warned.has(key)) {
      logger.debug({ metric: problem.metric, reason: problem.reason, detail: problem.message }, 'value skipped');
    } else {
      warned.add(key);
      logger.warn(
        { metric: problem.metric, reason: problem.reason, detail: problem.message },
        'value skipped (logged once per config generation; counted in fleet_json_exporter_extract_problems_total)',
      );
    }
  }
}

export async function handleProbe(
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  options: ProbeRouteOptions,
): Promise<void> {
  const { metrics } = options;
  const prepared = options.reloader.current;
  const moduleName = url.searchParams.get('module') || 'default';
  const module = prepared.modules.get(moduleName);
  if (module === undefined) {
    sendText(
      response,
      400,
      `Unknown module ${JSON.stringify(moduleName)}; known modules: ${[...prepared.modules.keys()].join(', ')}\n`,
    );
    return;
  }
  const target = url.searchParams.get('target');
  if (!target) {
    sendText(response, 400, 'Target parameter is missing\n');
    return;
  }

  const logger = options.logger.child({ module: moduleName, target: redactUrl(target) });
  const abort = new AbortController();
  const onClose = (): void => abort.abort();
  response.once('close', onClose);
  const format = negotiateFormat(request.headers.accept);
  const started = performance.now();
  const outcome = await probeTarget({
    module,
    hotPathModule: module.hotPath,
    hotPath: options.hotPath,
    target,
    targetLabels: {},
    formats: [format],
    params: queryParams(url),
    timeoutMs: scrapeTimeoutMs(request, module.config.httpClientConfig.timeoutMs, options.timeoutOffsetMs),
    maxBodyBytes: options.maxBodyBytes,
    signal: abort.signal,
  });
  response.off('close', onClose);
  metrics.probeDuration.observe({ module: moduleName }, (performance.now() - started) / 1000);

  if (!outcome.ok) {
    metrics.probes.inc({ module: moduleName, result: 'failure' });
    metrics.targetErrors.inc({ module: moduleName, reason: outcome.reason });
    // A target being down is Prometheus's `up`, not an error in our log.
    logger.debug({ reason: outcome.reason, err: outcome.message }, 'probe failed');
    if (!response.destroyed) {
      sendText(
        response,
        503,
        `Failed to fetch JSON response. TARGET: ${redactUrl(target)}, ERROR: ${outcome.message} (reason: ${outcome.reason})\n`,
      );
    }
    return;
  }

  metrics.probes.inc({ module: moduleName, result: 'success' });
  metrics.samples.inc({ module: moduleName }, outcome.sampleCount);
  if (outcome.templateError !== undefined) {
    metrics.bodyTemplateErrors.inc({ module: moduleName });
    logger.warn({ err: outcome.templateError }, 'body template failed to render; sent the static body content');
  }
  for (const reason of EXTRACT_PROBLEM_REASONS) {
    const count = outcome.problemCounts[reason];
    if (count !== undefined) metrics.extractProblems.inc({ module: moduleName, reason }, count);
  }
  logExtractProblems(prepared, moduleName, outcome.problems, logger);

  await sendBody(
    request,
    response,
    CONTENT_TYPES[format],
    joinRenderedFamilies(outcome.families[format] ?? [], format),
  );
}
