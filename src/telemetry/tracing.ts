// OpenTelemetry spans of a scrape (fetch, parse+extract, render) through @opentelemetry/api: no-ops without an SDK.
import {
  context,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { VERSION } from '../version.js';

export const TRACER_NAME = 'fleet-json-exporter';

/**
 * Milliseconds since the epoch (performance.timeOrigin + performance.now()), comparable across threads:
 * parse+extract runs from `parseStart` to `extractEnd`, render from `extractEnd` to `renderEnd`.
 */
export interface HotPathTimings {
  readonly parseStart: number;
  readonly extractEnd: number;
  readonly renderEnd: number;
}

/** The spans of one scrape: a parent `fje.scrape` and the context its children hang under. */
export interface ScrapeTrace {
  readonly tracer: Tracer;
  readonly span: Span;
  readonly context: Context;
  readonly attributes: Attributes;
  /**
   * False when no SDK made the span (the API's no-op tracer: an invalid span context): the child spans are then
   * skipped, not created as no-ops — a context switch and three spans per scrape were ~2 % of the main thread at
   * 50 concurrent probes (issue 16). A span an SDK sampled out still has a valid context and keeps its children.
   */
  readonly active: boolean;
}

/**
 * Starts a scrape's parent span. The tracer is looked up per scrape (cheap: the API's proxy) so an SDK
 * registered after start-up, or replaced, is honoured.
 */
export function startScrapeTrace(target: string, moduleName: string, generation: number): ScrapeTrace {
  const tracer = trace.getTracer(TRACER_NAME, VERSION);
  const attributes: Attributes = {
    'fje.target': target,
    'fje.module': moduleName,
    'fje.config.generation': generation,
  };
  const span = tracer.startSpan('fje.scrape', { attributes });
  const active = trace.isSpanContextValid(span.spanContext());
  return {
    tracer,
    span,
    context: active ? trace.setSpan(context.active(), span) : context.active(),
    attributes,
    active,
  };
}

/**
 * Runs `work` inside a child span (active, so an instrumented HTTP client nests its own spans under it), `annotate`
 * giving the span attributes from the result before it ends. Without an SDK it is `work()` itself: no wrapper
 * promise, no context switch (one per scrape on fleet mode's path).
 */
export function traceStep<T>(
  scrape: ScrapeTrace,
  name: string,
  work: () => Promise<T>,
  annotate?: (span: Span, result: T) => void,
): Promise<T> {
  if (!scrape.active) return work();
  return stepInSpan(scrape, name, work, annotate);
}

async function stepInSpan<T>(
  scrape: ScrapeTrace,
  name: string,
  work: () => Promise<T>,
  annotate: ((span: Span, result: T) => void) | undefined,
): Promise<T> {
  const span = scrape.tracer.startSpan(name, { attributes: scrape.attributes }, scrape.context);
  try {
    const result = await context.with(trace.setSpan(scrape.context, span), work);
    annotate?.(span, result);
    return result;
  } finally {
    span.end();
  }
}

/**
 * Records parse+extract and render after the fact, from the hot path's own timings: when a worker did the work,
 * its spans cannot be recorded there (the SDK lives on the main thread), so they get explicit start and end times.
 */
export function recordHotPathSpans(scrape: ScrapeTrace, timings: HotPathTimings, attributes: Attributes): void {
  if (!scrape.active) return;
  const all = { ...scrape.attributes, ...attributes };
  scrape.tracer
    .startSpan('fje.parse_extract', { attributes: all, startTime: timings.parseStart }, scrape.context)
    .end(timings.extractEnd);
  scrape.tracer
    .startSpan('fje.render', { attributes: all, startTime: timings.extractEnd }, scrape.context)
    .end(timings.renderEnd);
}

/** Ends the scrape span, as an error with the failure's reason when the scrape gave no samples. */
export function endScrapeTrace(
  scrape: ScrapeTrace,
  failure?: { readonly reason: string; readonly message: string },
): void {
  if (failure !== undefined) {
    scrape.span.setAttribute('fje.failure.reason', failure.reason);
    scrape.span.setStatus({ code: SpanStatusCode.ERROR, message: failure.message });
  }
  scrape.span.end();
}
