// One scrape of one target: fetch the body, hand it to the hot path (parse, extract, render). Failures are values.
import type { ExpositionFormat } from '../exposition/types.js';
import type { HotPathFailureReason } from '../pool/errors.js';
import type { EncodedFamilies } from '../exposition/encoded-families.js';
import { epochNow, type HotPath, type HotPathResult, type HotPathSuccess, type HotPathTask } from '../pool/hot-path.js';
import type { HotPathEncodedResult } from '../pool/hot-path-batch.js';
import {
  endScrapeTrace,
  recordHotPathSpans,
  startScrapeTrace,
  traceStep,
  type ScrapeTrace,
} from '../telemetry/tracing.js';
import type { Span } from '@opentelemetry/api';
import type { BodyTemplateParams } from '../body-template/index.js';
import type { FetchFailureReason } from '../fetch/errors.js';
import { type FetchRequest, type FetchResult, fetchTarget, type HttpClient } from '../fetch/http-client.js';
import { pagedUrl } from '../fetch/paged-url.js';
import type { PreparedModule } from './prepared-config.js';
import { prepareRequestBody } from '../fetch/request-body.js';
import { redactUrl } from '../fetch/redact-url.js';

/** Why a target gave no samples: a fetch failure, or the hot path's (a body that is not JSON, a full pool …). */
export type ScrapeFailureReason = FetchFailureReason | HotPathFailureReason;

export interface ProbeRequest {
  /** The module's HTTP side: client, headers, body template, valid status codes. */
  readonly module: PreparedModule;
  readonly hotPath: HotPath;
  /** The client to fetch with: /probe's enforces the probe target policy; the module's `client` by default. */
  readonly client?: HttpClient;
  readonly target: string;
  /** `redactUrl(target)` when the caller has it already (/probe does): spares parsing the URL again (probeTarget). */
  readonly redactedTarget?: string;
  /** Put before each series' labels (fleet mode: job, instance, …); `{}` in probe mode. */
  readonly targetLabels: Readonly<Record<string, string>>;
  readonly formats: readonly ExpositionFormat[];
  /** The probe URL's query parameters: the data of a templated body. */
  readonly params: BodyTemplateParams;
  readonly timeoutMs: number;
  readonly maxBodyBytes: number;
  /** Fetch through the module client's lean HTTP/1.1 client when it can (fleet scrapes, /probe; FetchRequest.lean). */
  readonly lean?: boolean;
  readonly signal?: AbortSignal;
}

export type ProbeOutcome =
  | (Omit<HotPathSuccess, 'timings'> & {
      readonly fetchMs: number;
      readonly bodyBytes: number;
      /** Set when a templated body failed to render and the static content was sent. */
      readonly templateError?: string;
    })
  | {
      readonly ok: false;
      readonly reason: ScrapeFailureReason;
      readonly message: string;
      readonly status?: number;
      /** Set once the body arrived, so a hot-path failure still reports what the fetch cost. */
      readonly fetchMs?: number;
      readonly bodyBytes?: number;
    };

/** Fetches the target and runs the hot path on its body, inside the scrape's trace spans (no-ops without an SDK). */
export function probeTarget(request: ProbeRequest): Promise<ProbeOutcome> {
  return traced(request, (hotPath, task) => hotPath.run(task)) as Promise<ProbeOutcome>;
}

/**
 * What /probe writes: families as strings when the hot path runs the body on this thread (the socket write encodes
 * them; encoding them into bytes first, then writing the bytes, was ~5 % of the main thread at 50 concurrent probes
 * of a 22 KB body, issue 16), as UTF-8 bytes when a worker renders them (transferred, not cloned as strings).
 */
export function probeTargetForResponse(request: ProbeRequest): Promise<ProbeOutcome | ProbeEncodedOutcome> {
  return traced(request, (hotPath, task) =>
    hotPath.runsInline?.(task) === true || hotPath.runEncoded === undefined
      ? hotPath.run(task)
      : hotPath.runEncoded(task),
  );
}

async function traced(
  request: ProbeRequest,
  run: (hotPath: HotPath, task: HotPathTask) => Promise<HotPathResult | HotPathEncodedResult>,
): Promise<ProbeOutcome | ProbeEncodedOutcome> {
  const redacted = request.redactedTarget ?? redactUrl(request.target);
  const scrape = startScrapeTrace(redacted, request.module.hotPath.name, request.module.hotPath.generation);
  const outcome = await fetchAndRun(request, redacted, scrape, run);
  endScrapeTrace(scrape, outcome.ok ? undefined : outcome);
  return outcome;
}

/** A probe's outcome with its families as UTF-8 bytes per format (probeTargetForResponse, from a worker). */
export type ProbeEncodedOutcome =
  | (Omit<Extract<ProbeOutcome, { ok: true }>, 'families'> & {
      readonly encoded: Partial<Record<ExpositionFormat, EncodedFamilies>>;
    })
  | Extract<ProbeOutcome, { ok: false }>;

/** A fetched body, or why there is none (the fetch half of a probe, which fleet scrapes share). */
export type FetchedProbeBody =
  | {
      readonly ok: true;
      readonly body: Uint8Array;
      readonly contentType: string | undefined;
      readonly fetchMs: number;
      /** Set when a templated body failed to render and the static content was sent. */
      readonly templateError: string | undefined;
    }
  | Extract<ProbeOutcome, { ok: false }>;

/** Fetches the target inside the scrape's `fje.fetch` span: request body, paging, limits, valid status codes. */
export async function fetchProbeBody(request: ProbeRequest, scrape: ScrapeTrace): Promise<FetchedProbeBody> {
  const { module } = request;
  const body = prepareRequestBody(module.config.body, module.bodyTemplate, request.params);
  // Absent fields are undefined, not left out: one object shape for every scrape, no spreads.
  const fetchRequest: FetchRequest = {
    url: pagedUrl(request.target, module.config.paging),
    method: body.method,
    headers: module.config.headers,
    body: body.body,
    validStatusCodes: module.config.validStatusCodes,
    timeoutMs: request.timeoutMs,
    maxBodyBytes: request.maxBodyBytes,
    lean: request.lean === true,
    signal: request.signal,
  };
  const client = request.client ?? module.client;
  const fetched = await traceStep(scrape, 'fje.fetch', () => fetchTarget(client, fetchRequest), annotateFetch);
  if (!fetched.ok) {
    return {
      ok: false,
      reason: fetched.reason,
      message: fetched.message,
      ...(fetched.status === undefined ? {} : { status: fetched.status }),
    };
  }
  return {
    ok: true,
    body: fetched.body,
    contentType: fetched.contentType,
    fetchMs: fetched.durationMs,
    templateError: body.templateError,
  };
}

/** The fetch span's attributes: the response status and the body's size. */
function annotateFetch(span: Span, result: FetchResult): void {
  if (result.status !== undefined) span.setAttribute('http.response.status_code', result.status);
  if (result.ok) span.setAttribute('fje.body_bytes', result.body.byteLength);
}

async function fetchAndRun(
  request: ProbeRequest,
  redacted: string,
  scrape: ScrapeTrace,
  run: (hotPath: HotPath, task: HotPathTask) => Promise<HotPathResult | HotPathEncodedResult>,
): Promise<ProbeOutcome | ProbeEncodedOutcome> {
  // One deadline for the whole scrape: the fetch gets timeoutMs, and parse, extract and render what is left of it.
  const deadline = epochNow() + request.timeoutMs;
  const fetched = await fetchProbeBody(request, scrape);
  if (!fetched.ok) return fetched;
  // Read before the run: a pool transfers the body's buffer, which leaves `fetched.body` empty.
  const bodyBytes = fetched.body.byteLength;
  const fetchMs = fetched.fetchMs;
  const result = await run(request.hotPath, {
    module: request.module.hotPath,
    body: fetched.body,
    ...(fetched.contentType === undefined ? {} : { contentType: fetched.contentType }),
    targetLabels: request.targetLabels,
    formats: request.formats,
    deadline,
    ...(request.signal === undefined ? {} : { signal: request.signal }),
  });
  if (!result.ok) {
    return {
      ok: false,
      reason: result.reason,
      message: `${redacted}: ${result.message}`,
      fetchMs,
      bodyBytes,
    };
  }
  recordHotPathSpans(scrape, result.timings, { 'fje.body_bytes': bodyBytes, 'fje.samples': result.sampleCount });
  return {
    ok: true,
    ...('encoded' in result ? { encoded: result.encoded } : { families: result.families }),
    sampleCount: result.sampleCount,
    problemCounts: result.problemCounts,
    problems: result.problems,
    fetchMs,
    bodyBytes,
    ...(fetched.templateError === undefined ? {} : { templateError: fetched.templateError }),
  };
}
