// A tiny in-memory OpenTelemetry tracer provider (API interfaces only, no SDK) to assert the spans we record.
import {
  trace,
  type Attributes,
  type AttributeValue,
  type Context,
  type Link,
  type Span,
  type SpanContext,
  type SpanOptions,
  type SpanStatus,
  type TimeInput,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';

export interface FinishedSpan {
  readonly name: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly attributes: Attributes;
  readonly status: SpanStatus | undefined;
  readonly startTime: TimeInput | undefined;
  readonly endTime: TimeInput | undefined;
}

let nextId = 1;

class MemorySpan implements Span {
  readonly #context: SpanContext;
  readonly #attributes: Attributes;
  #status: SpanStatus | undefined;

  constructor(
    private readonly name: string,
    options: SpanOptions,
    private readonly parentSpanId: string | undefined,
    traceId: string,
    private readonly finished: FinishedSpan[],
  ) {
    this.#context = { traceId, spanId: (nextId++).toString(16).padStart(16, '0'), traceFlags: 1 };
    this.#attributes = { ...options.attributes };
    this.startTime = options.startTime;
  }

  readonly startTime: TimeInput | undefined;

  spanContext(): SpanContext {
    return this.#context;
  }
  setAttribute(key: string, value: AttributeValue): this {
    this.#attributes[key] = value;
    return this;
  }
  setAttributes(attributes: Attributes): this {
    Object.assign(this.#attributes, attributes);
    return this;
  }
  addEvent(): this {
    return this;
  }
  addLink(_link: Link): this {
    return this;
  }
  addLinks(_links: Link[]): this {
    return this;
  }
  setStatus(status: SpanStatus): this {
    this.#status = status;
    return this;
  }
  updateName(): this {
    return this;
  }
  end(endTime?: TimeInput): void {
    this.finished.push({
      name: this.name,
      spanId: this.#context.spanId,
      parentSpanId: this.parentSpanId,
      attributes: { ...this.#attributes },
      status: this.#status,
      startTime: this.startTime,
      endTime,
    });
  }
  isRecording(): boolean {
    return true;
  }
  recordException(): void {}
}

class MemoryTracer implements Tracer {
  constructor(private readonly finished: FinishedSpan[]) {}

  startSpan(name: string, options: SpanOptions = {}, context?: Context): Span {
    const parent = context === undefined ? undefined : trace.getSpanContext(context);
    const traceId = parent?.traceId ?? (nextId++).toString(16).padStart(32, '0');
    return new MemorySpan(name, options, parent?.spanId, traceId, this.finished);
  }

  startActiveSpan(): never {
    throw new Error('startActiveSpan is not used by the exporter');
  }
}

/** Registers a provider that keeps every ended span in `spans`; `uninstall` restores the API's no-op state. */
export function installMemoryTracer(): { readonly spans: FinishedSpan[]; uninstall(): void } {
  const spans: FinishedSpan[] = [];
  const provider: TracerProvider = { getTracer: () => new MemoryTracer(spans) };
  trace.setGlobalTracerProvider(provider);
  return { spans, uninstall: () => trace.disable() };
}
