// GET /probe?module=…&target=…: json_exporter's endpoint — fetch the target, extract, render.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { encodedExposition, NO_FAMILIES } from '../exposition/encoded-families.js';
import { joinRenderedFamilies } from '../exposition/render.js';
import { CONTENT_TYPES, negotiateFormat } from '../exposition/negotiate.js';
import type { HotPath } from '../pool/hot-path.js';
import { probeTargetForResponse, type ProbeEncodedOutcome, type ProbeOutcome } from '../scrape/probe-target.js';
import type { ScrapeOutcomeRecorder } from '../scrape/record-outcome.js';
import type { Logger } from '../telemetry/logger.js';
import type { ConfigReloader } from './config-reloader.js';
import { releaseWhenWritten } from './release-answer.js';
import { sendBody, sendBytes, sendText } from './respond.js';
import { scrapeTimeoutMs } from './scrape-timeout.js';
import { pagedUrl } from '../fetch/paged-url.js';
import { redactUrl } from '../fetch/redact-url.js';
import type { TargetPolicy } from '../fetch/target-policy.js';
import type { ProbeLimiter } from './probe-limiter.js';
import type { PROBE_FAILURE_REASONS } from './errors.js';
import type { ScrapeFailureReason } from '../scrape/probe-target.js';

type ProbeFailureReason = (typeof PROBE_FAILURE_REASONS)[number];

export interface ProbeRouteOptions {
  readonly reloader: ConfigReloader;
  /** Counts and logs every probe's outcome (shared with fleet mode). */
  readonly recorder: ScrapeOutcomeRecorder;
  readonly logger: Logger;
  readonly maxBodyBytes: number;
  readonly timeoutOffsetMs: number;
  /** Parses, extracts and renders fetched bodies (inline or in a worker pool). */
  readonly hotPath: HotPath;
  /** Probes fetching at once and waiting for a slot; more are refused (reason probe_overloaded). */
  readonly probeLimiter: ProbeLimiter;
  /** Which targets may be fetched (checked here first, then on redirects and resolved addresses by the client). */
  readonly targetPolicy: TargetPolicy;
}

const NO_PARAMS: ReadonlyMap<string, string[]> = new Map();

/** The URL, or undefined for text that is not one (Node 20 has no URL.parse). */
function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
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

  const format = negotiateFormat(request.headers.accept);
  // Parsed once here for the redacted form and the policy check (each parse was ~1 µs of a probe's main-thread time).
  const parsedTarget = parseUrl(target);
  const redacted = redactUrl(target, parsedTarget);
  const logger = options.logger.child({ module: moduleName, target: redacted });
  const started = performance.now();
  const fail = (status: number, reason: ScrapeFailureReason | ProbeFailureReason, message: string): void => {
    options.recorder.record({
      module: moduleName,
      target: redacted,
      generation: prepared.config.generation,
      outcome: { ok: false, reason, message },
      durationMs: performance.now() - started,
      logger,
    });
    if (!response.destroyed) {
      sendText(
        response,
        status,
        `Failed to fetch JSON response. TARGET: ${redacted}, ERROR: ${message} (reason: ${reason})\n`,
      );
    }
  };
  // Refused before waiting for a slot or opening a connection; redirects and resolved names are checked later.
  // The URL the client will ask for (paging adds its count), so an anchored allow-regex sees what is checked later.
  const paging = module.config.paging;
  const refusal =
    parsedTarget === undefined
      ? undefined
      : options.targetPolicy.checkUrl(paging === undefined ? parsedTarget : new URL(pagedUrl(target, paging)));
  if (refusal !== undefined) {
    fail(403, 'forbidden', refusal);
    return;
  }

  const abort = new AbortController();
  const onClose = (): void => abort.abort();
  response.once('close', onClose);
  const timeoutMs = scrapeTimeoutMs(request, module.config.httpClientConfig.timeoutMs, options.timeoutOffsetMs);
  const admission = await options.probeLimiter.admit(timeoutMs, abort.signal);
  if (!admission.admitted) {
    response.off('close', onClose);
    const { maxConcurrent, maxQueue } = options.probeLimiter.limits;
    if (admission.why === 'overloaded') {
      response.setHeader('retry-after', '1');
      // Frees the caller's connection too: a flood of kept-alive refused probes would otherwise hold a socket each.
      response.setHeader('connection', 'close');
      fail(
        503,
        'probe_overloaded',
        `too many probes: ${maxConcurrent} running and ${maxQueue} waiting (--probe.max-concurrent, --probe.max-queue)`,
      );
    } else if (admission.why === 'expired') {
      fail(
        503,
        'timeout',
        `no probe slot came free within the ${Math.round(timeoutMs)} ms deadline (${maxConcurrent} running)`,
      );
    } else {
      fail(503, 'aborted', 'the client went away while the probe waited for a slot');
    }
    return;
  }
  let outcome: ProbeOutcome | ProbeEncodedOutcome;
  try {
    outcome = await probeTargetForResponse({
      module,
      hotPath: options.hotPath,
      client: module.probeClient,
      target,
      redactedTarget: redacted,
      targetLabels: {},
      formats: [format],
      // Only a templated request body reads them.
      params: module.bodyTemplate === undefined ? NO_PARAMS : queryParams(url),
      timeoutMs: Math.max(0, timeoutMs - admission.waitedMs),
      maxBodyBytes: options.maxBodyBytes,
      lean: true,
      signal: abort.signal,
    });
  } finally {
    admission.release();
    response.off('close', onClose);
  }
  options.recorder.record({
    module: moduleName,
    target: redacted,
    generation: prepared.config.generation,
    outcome,
    durationMs: performance.now() - started,
    logger,
  });
  if (!outcome.ok) {
    if (!response.destroyed) {
      sendText(
        response,
        outcome.reason === 'forbidden' ? 403 : 503,
        `Failed to fetch JSON response. TARGET: ${redacted}, ERROR: ${outcome.message} (reason: ${outcome.reason})\n`,
      );
    }
    return;
  }
  if ('families' in outcome) {
    await sendBody(
      request,
      response,
      CONTENT_TYPES[format],
      joinRenderedFamilies(outcome.families[format] ?? [], format),
    );
    return;
  }
  const encoded = outcome.encoded[format] ?? NO_FAMILIES;
  releaseWhenWritten(response, encoded.bytes);
  await sendBytes(request, response, CONTENT_TYPES[format], encodedExposition(encoded, format));
}
