// GET /probe?module=…&target=…: json_exporter's endpoint — fetch the target, extract, render.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { joinRenderedFamilies } from '../exposition/render.js';
import { CONTENT_TYPES, negotiateFormat } from '../exposition/negotiate.js';
import type { HotPath } from '../pool/hot-path.js';
import { probeTarget } from '../scrape/probe-target.js';
import type { ScrapeOutcomeRecorder } from '../scrape/record-outcome.js';
import type { Logger } from '../telemetry/logger.js';
import type { ConfigReloader } from './config-reloader.js';
import { sendBody, sendText } from './respond.js';
import { scrapeTimeoutMs } from './scrape-timeout.js';
import { redactUrl } from '../fetch/redact-url.js';

export interface ProbeRouteOptions {
  readonly reloader: ConfigReloader;
  /** Counts and logs every probe's outcome (shared with fleet mode). */
  readonly recorder: ScrapeOutcomeRecorder;
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

export async function handleProbe(
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  options: ProbeRouteOptions,
): Promise<void> {
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
  options.recorder.record({
    module: moduleName,
    target: redactUrl(target),
    generation: prepared.config.generation,
    outcome,
    durationMs: performance.now() - started,
    logger,
  });
  if (!outcome.ok) {
    if (!response.destroyed) {
      sendText(
        response,
        503,
        `Failed to fetch JSON response. TARGET: ${redactUrl(target)}, ERROR: ${outcome.message} (reason: ${outcome.reason})\n`,
      );
    }
    return;
  }
  await sendBody(
    request,
    response,
    CONTENT_TYPES[format],
    joinRenderedFamilies(outcome.families[format] ?? [], format),
  );
}
