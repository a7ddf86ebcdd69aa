// Histograms and counters updated on every fleet scrape (667 a second at 10,000 targets): their series are found by
// label values in a Map and updated in place, instead of prom-client's per-call path (a closure, a label check, a
// hash string built from the labels, a bucket found through a number-keyed property). prom-client still registers
// them and writes the exposition from the same values its own Histogram and Counter give. Measured (perf, bench:fleet 10,000 × 10, bench/README.md,
// twenty-fourth stop on issue 15): prom-client's observe and inc were 81 of 3,402 main-thread samples (~0.27 points of
// 2 cores); a microbenchmark put its observe at 0.5–1.2 µs on the 2-core machine.
import {
  Counter,
  type CounterConfiguration,
  Histogram,
  type HistogramConfiguration,
  type LabelValues,
} from 'prom-client';

/** The key of a label set: its values in label-name order (a label's absence is its own value). */
function keyOf<T extends string>(names: readonly T[], labels: LabelValues<T>): string {
  if (names.length === 1) return String(labels[names[0] as T] ?? '\u0000');
  let key = '';
  for (const name of names) key += `${labels[name] ?? '\u0000'}\u0001`;
  return key;
}

/** Only the configured label names, as prom-client checks them. */
function checkLabels<T extends string>(names: readonly T[], labels: LabelValues<T>): void {
  for (const name of Object.keys(labels))
    if (!(names as readonly string[]).includes(name))
      throw new Error(`Added label "${name}" is not included in initial labelset: ${JSON.stringify(names)}`);
}

/** A metric's series by label values (keyOf), each made on its first use, when its labels are checked. */
class SeriesByLabels<T extends string, S> {
  readonly #series = new Map<string, S>();

  constructor(
    readonly names: readonly T[],
    private readonly make: (labels: LabelValues<T>) => S,
  ) {}

  of(labels: LabelValues<T>): S {
    const key = keyOf(this.names, labels);
    let series = this.#series.get(key);
    if (series === undefined) {
      checkLabels(this.names, labels);
      series = this.make({ ...labels });
      this.#series.set(key, series);
    }
    return series;
  }

  /** remove()'s arguments: a labels object, or label values in label-name order. */
  remove(args: readonly unknown[]): void {
    this.#series.delete(keyOf(this.names, labelsOf(this.names, args)));
  }

  /** Every series gone; a metric without labels keeps its one, at zero (as prom-client's). */
  reset(): void {
    this.#series.clear();
    if (this.names.length === 0) this.of(EMPTY as LabelValues<T>);
  }

  values(): IterableIterator<S> {
    return this.#series.values();
  }
}

interface HistogramSeries<T extends string> {
  readonly labels: LabelValues<T>;
  /** Observations per bucket (not cumulative); the last one is +Inf's own. */
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

const EMPTY: LabelValues<string> = Object.freeze({});

/** A prom-client Histogram whose series live in a Map by label values (see the file header). */
export class KeyedHistogram<T extends string = string> extends Histogram<T> {
  readonly #bounds: Float64Array;
  readonly #series: SeriesByLabels<T, HistogramSeries<T>>;

  constructor(configuration: HistogramConfiguration<T> & { readonly buckets: readonly number[] }) {
    // Its exports do not call a collect hook (the per-scrape histograms have none); refused rather than ignored.
    if (configuration.collect !== undefined) throw new Error(`${configuration.name}: KeyedHistogram has no collect`);
    super(configuration);
    const bounds = Float64Array.from([...configuration.buckets].sort((a, b) => a - b));
    this.#bounds = bounds;
    this.#series = new SeriesByLabels([...(configuration.labelNames ?? [])], (labels) => ({
      labels,
      counts: new Float64Array(bounds.length + 1),
      sum: 0,
      count: 0,
    }));
    // prom-client's constructor sets `observe` on the instance (with or without exemplars): this class's wins.
    this.observe = KeyedHistogram.prototype.observe;
    this.reset();
  }

  override observe(labelsOrValue: LabelValues<T> | number | object, value?: number): void {
    const observed = typeof labelsOrValue === 'number' ? labelsOrValue : (value as number);
    const labels = typeof labelsOrValue === 'number' ? (EMPTY as LabelValues<T>) : (labelsOrValue as LabelValues<T>);
    if (!Number.isFinite(observed)) throw new TypeError(`Value is not a valid number: ${observed}`);
    const series = this.#series.of(labels);
    const bounds = this.#bounds;
    let bucket = 0;
    while (bucket < bounds.length && observed > (bounds[bucket] as number)) bucket++;
    (series.counts[bucket] as number)++;
    series.sum += observed;
    series.count++;
  }

  override zero(labels: LabelValues<T>): void {
    const series = this.#series.of(labels);
    series.counts.fill(0);
    series.sum = 0;
    series.count = 0;
  }

  override reset(): void {
    // prom-client's constructor resets the metric before this class's fields exist.
    if (#series in this) this.#series.reset();
  }

  override remove(...args: unknown[]): void {
    this.#series.remove(args);
  }

  override labels(...args: unknown[]): Histogram.Internal<T> {
    const labels = labelsOf(this.#series.names, args);
    return {
      observe: (value: number) => this.observe(labels, value),
      startTimer: (more?: LabelValues<T>) => this.startTimer({ ...labels, ...more }),
    };
  }

  /**
   * What prom-client's registry writes: the values prom-client's own Histogram gives, in the same order (each bucket
   * with `le` and the series' labels as shared labels, then +Inf, _sum and _count).
   */
  async getForPromString(): Promise<ExportedHistogram> {
    return this.#exported(false);
  }

  /** As prom-client's get(): the same values with the series' labels joined into each value's own. */
  override async get(): ReturnType<Histogram<T>['get']> {
    // The registry's structural type: prom-client's typings name fields its own Histogram does not return either.
    return this.#exported(true) as unknown as Awaited<ReturnType<Histogram<T>['get']>>;
  }

  #exported(splay: boolean): ExportedHistogram {
    const values: ExportedValue[] = [];
    const { name, help } = nameAndHelp(this);
    // prom-client gives the buckets `exemplar: null`, the sum and the count `exemplar: undefined`.
    const entry = (
      metricName: string,
      own: Labels,
      shared: Labels,
      value: number,
      exemplar: null | undefined,
    ): ExportedValue =>
      splay
        ? { labels: { ...own, ...shared }, value, metricName, exemplar }
        : { labels: own, sharedLabels: shared, value, metricName, exemplar };
    for (const series of this.#series.values()) {
      const shared = series.labels as Labels;
      let cumulative = 0;
      this.#bounds.forEach((bound, i) => {
        cumulative += series.counts[i] as number;
        values.push(entry(`${name}_bucket`, { le: bound }, shared, cumulative, null));
      });
      values.push(entry(`${name}_bucket`, { le: '+Inf' }, shared, series.count, null));
      values.push(
        entry(`${name}_sum`, {}, shared, series.sum, undefined),
        entry(`${name}_count`, {}, shared, series.count, undefined),
      );
    }
    return { name, help, type: 'histogram', values, aggregator: 'sum' };
  }
}

type Labels = Record<string, string | number | undefined>;

interface ExportedValue {
  readonly labels: Labels;
  readonly sharedLabels?: Labels;
  readonly value: number;
  readonly metricName: string;
  readonly exemplar: null | undefined;
}

interface ExportedHistogram {
  readonly name: string;
  readonly help: string;
  readonly type: 'histogram';
  readonly values: ExportedValue[];
  readonly aggregator: 'sum';
}

interface CounterSeries<T extends string> {
  readonly labels: LabelValues<T>;
  value: number;
}

/** A prom-client Counter whose series live in a Map by label values (see the file header). */
export class KeyedCounter<T extends string = string> extends Counter<T> {
  readonly #series: SeriesByLabels<T, CounterSeries<T>>;

  constructor(configuration: CounterConfiguration<T>) {
    // Its exports do not call a collect hook (the per-scrape counters have none); refused rather than ignored.
    if (configuration.collect !== undefined) throw new Error(`${configuration.name}: KeyedCounter has no collect`);
    super(configuration);
    this.#series = new SeriesByLabels([...(configuration.labelNames ?? [])], (labels) => ({ labels, value: 0 }));
    // prom-client's constructor sets `inc` on the instance (with or without exemplars): this class's wins.
    this.inc = KeyedCounter.prototype.inc;
    this.reset();
  }

  override inc(labelsOrValue?: LabelValues<T> | number | object, value?: number): void {
    const labelled = typeof labelsOrValue === 'object' && labelsOrValue !== null;
    const labels = labelled ? (labelsOrValue as LabelValues<T>) : (EMPTY as LabelValues<T>);
    const amount = (labelled ? value : (labelsOrValue as number | undefined)) ?? 1;
    if (!Number.isFinite(amount)) throw new TypeError(`Value is not a valid number: ${amount}`);
    if (amount < 0) throw new Error('It is not possible to decrease a counter');
    this.#series.of(labels).value += amount;
  }

  override reset(): void {
    // prom-client's constructor resets the metric before this class's fields exist.
    if (#series in this) this.#series.reset();
  }

  override remove(...args: unknown[]): void {
    this.#series.remove(args);
  }

  override labels(...args: unknown[]): Counter.Internal {
    const labels = labelsOf(this.#series.names, args);
    return { inc: (value?: number) => this.inc(labels, value) };
  }

  /** As prom-client's get(): one `{ value, labels }` per series, under the name the registry reads now. */
  override async get(): ReturnType<Counter<T>['get']> {
    const { name, help } = nameAndHelp(this);
    const values = [...this.#series.values()].map((series) => ({ value: series.value, labels: series.labels }));
    return { name, help, type: 'counter', values, aggregator: 'sum' } as unknown as Awaited<
      ReturnType<Counter<T>['get']>
    >;
  }
}

/** The name and help prom-client's constructor set (the registry may rename a counter for OpenMetrics). */
function nameAndHelp(metric: object): { readonly name: string; readonly help: string } {
  return metric as { readonly name: string; readonly help: string };
}

/** labels() and remove()'s arguments: a labels object, or label values in label-name order. */
function labelsOf<T extends string>(names: readonly T[], args: readonly unknown[]): LabelValues<T> {
  return typeof args[0] === 'object' ? (args[0] as LabelValues<T>) : labelsFromValues(names, args as string[]);
}

/** Positional label values (metric.labels('a', 'b')) as a labels object, in label-name order. */
function labelsFromValues<T extends string>(names: readonly T[], values: readonly string[]): LabelValues<T> {
  const labels: Partial<Record<T, string>> = {};
  names.forEach((name, i) => {
    if (values[i] !== undefined) labels[name] = values[i];
  });
  return labels as LabelValues<T>;
}
