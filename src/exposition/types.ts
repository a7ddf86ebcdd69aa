// The data the renderers turn into exposition text: families of samples, format names.

export type MetricType = 'gauge' | 'counter' | 'untyped';

/** `text` is Prometheus text format 0.0.4; `openmetrics` is OpenMetrics 1.0.0. */
export type ExpositionFormat = 'text' | 'openmetrics';

export interface Sample {
  /** Values in the order of the family's `labelNames`. */
  readonly labelValues: readonly string[];
  readonly value: number;
  /** Milliseconds since the epoch, from `epochTimestamp`; absent when the series has none. */
  readonly timestampMs?: number;
}

export interface FamilySamples {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  /** Label names, sorted (client_golang sorts label pairs by name; so do we). */
  readonly labelNames: readonly string[];
  readonly samples: readonly Sample[];
}

/** A family's series lines already rendered for one format, without HELP/TYPE (see renderHeader). */
export interface RenderedFamily {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  readonly text: string;
}
