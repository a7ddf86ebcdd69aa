// One probe of one target: fetch the body, parse it once, apply the module. Failures are values with a reason.
import { extractSamples, type ExtractResult } from '../extract/extract.js';
import { parseJsonBody } from '../extract/parse-json.js';
import type { BodyTemplateParams } from './body-template.js';
import type { FetchFailureReason } from './errors.js';
import { fetchTarget } from './http-client.js';
import type { PreparedModule } from './prepared-config.js';
import { prepareRequestBody } from './request-body.js';

/** Why a target gave no samples: a fetch failure, or a body that is not JSON. */
export type ScrapeFailureReason = FetchFailureReason | 'invalid_json';

export interface ProbeRequest {
  readonly module: PreparedModule;
  readonly target: string;
  /** The probe URL's query parameters: the data of a templated body. */
  readonly params: BodyTemplateParams;
  readonly timeoutMs: number;
  readonly maxBodyBytes: number;
  readonly signal?: AbortSignal;
}

export type ProbeOutcome =
  | {
      readonly ok: true;
      readonly extraction: ExtractResult;
      readonly fetchMs: number;
      readonly bodyBytes: number;
      /** Set when a templated body failed to render and the static content was sent. */
      readonly templateError?: string;
    }
  | { readonly ok: false; readonly reason: ScrapeFailureReason; readonly message: string; readonly status?: number };

export async function probeTarget(request: ProbeRequest): Promise<ProbeOutcome> {
  const { module } = request;
  const body = prepareRequestBody(module.config.body, module.bodyTemplate, request.params);
  const fetched = await fetchTarget(module.client, {
    url: request.target,
    method: body.method,
    headers: module.config.headers,
    ...(body.body === undefined ? {} : { body: body.body }),
    validStatusCodes: module.config.validStatusCodes,
    timeoutMs: request.timeoutMs,
    maxBodyBytes: request.maxBodyBytes,
    ...(request.signal === undefined ? {} : { signal: request.signal }),
  });
  if (!fetched.ok) {
    return { ok: false, reason: fetched.reason, message: fetched.message, ...(fetched.status === undefined ? {} : { status: fetched.status }) };
  }
  const parsed = parseJsonBody(fetched.body);
  if (!parsed.ok) {
    return { ok: false, reason: 'invalid_json', message: `${request.target}: ${parsed.error}` };
  }
  return {
    ok: true,
    extraction: extractSamples(module.compiled, parsed.value),
    fetchMs: fetched.durationMs,
    bodyBytes: fetched.body.byteLength,
    ...(body.templateError === undefined ? {} : { templateError: body.templateError }),
  };
}
