// The validated, frozen configuration: what the rest of the exporter trusts after config/ has checked a file.

export type ScrapeType = 'value' | 'object';
export type ValueType = 'gauge' | 'counter' | 'untyped';

export interface MetricConfig {
  /** Metric name (`type: object` appends `_<valuekey>` per key of `values`). */
  readonly name: string;
  /** JSONPath template: the value (`type: value`) or the elements (`type: object`). */
  readonly path: string;
  readonly type: ScrapeType;
  /** Defaults to `name`, as json_exporter does. */
  readonly help: string;
  /** Defaults to `untyped`, as json_exporter does. */
  readonly valuetype: ValueType;
  /** Label name → template (literal text mixed with `{…}` blocks). Order as written in the file. */
  readonly labels: Readonly<Record<string, string>>;
  /** Value key → template (or a literal number such as `1`). Only for `type: object`; `{}` otherwise. */
  readonly values: Readonly<Record<string, string>>;
  /** Template of a millisecond epoch timestamp, evaluated like a value; absent when not set. */
  readonly epochTimestamp?: string;
  /**
   * json_exporter's `valueconverter`: value template text (a key of `values`' templates, e.g. `{.state}`)
   * → (lower-cased source string → replacement string, e.g. `active` → `1`).
   */
  readonly valueconverter: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** `allow_missing_key`: a missing key yields no sample and no error. Default false. */
  readonly allowMissingKey: boolean;
  /**
   * Extension `duplicate_series: sum`: series with equal labels in one scrape add up instead of the first one
   * winning — how a preset counts elements per label (SRS clients per type) without a series per element.
   */
  readonly duplicateSeries?: 'sum';
  /**
   * `label_number_format` (metric key, or module key for all its metrics): how a label read from a JSON number is
   * written. Absent or `go`: json_exporter's text (`1.681903514993e+12`); `integer`: integers whole (`1681903514993`).
   */
  readonly labelNumberFormat?: 'go' | 'integer';
}

/** Extension `error_code`: the API's status field; a value other than 0 makes the scrape fail (reason api_error). */
export interface ErrorCodeConfig {
  /** JSONPath template of the code, e.g. `{.code}` (SRS answers HTTP 200 with `{"code":2048}`). */
  readonly path: string;
}

/**
 * Extension `paging`: fetch every item of a paged list in one request (`<count_param>=max_items+1`, SRS has no
 * upper bound), and cut the list at `max_items` with a counted problem (`items_truncated`) when there are more.
 */
export interface PagingConfig {
  /** JSONPath template of the list, e.g. `{.streams}`. */
  readonly items: string;
  /** Query parameter that sets the page size (SRS: `count`). */
  readonly countParam: string;
  readonly maxItems: number;
}

export interface BodyConfig {
  readonly content: string;
  /** Render `content` as a Go text/template (the supported subset) with the probe's URL parameters. */
  readonly templatize: boolean;
}

export interface BasicAuthConfig {
  /** Empty when the username comes from `usernameFile`. */
  readonly username: string;
  readonly usernameFile?: string;
  readonly password?: string;
  readonly passwordFile?: string;
}

export interface AuthorizationConfig {
  /** Scheme, default `Bearer`. */
  readonly type: string;
  readonly credentials?: string;
  readonly credentialsFile?: string;
}

export interface TlsConfig {
  readonly caFile?: string;
  readonly ca?: string;
  readonly certFile?: string;
  readonly cert?: string;
  readonly keyFile?: string;
  readonly key?: string;
  readonly serverName?: string;
  readonly insecureSkipVerify: boolean;
  /** `TLS10` | `TLS11` | `TLS12` | `TLS13` as in Prometheus's common config. */
  readonly minVersion?: string;
  readonly maxVersion?: string;
}

/** Prometheus common `http_client_config`, the keys json_exporter users set, plus our timeouts. */
export interface HttpClientConfig {
  readonly basicAuth?: BasicAuthConfig;
  /** `bearer_token` / `bearer_token_file` are normalised into `authorization` (type Bearer). */
  readonly authorization?: AuthorizationConfig;
  readonly tlsConfig: TlsConfig;
  readonly proxyUrl?: string;
  readonly noProxy?: string;
  /** Use HTTP_PROXY / HTTPS_PROXY / NO_PROXY from the environment. Default false. */
  readonly proxyFromEnvironment: boolean;
  readonly proxyConnectHeader: Readonly<Record<string, string>>;
  /** Default true, as in Prometheus's common config. */
  readonly followRedirects: boolean;
  /** Extra headers from `http_headers` are not supported; module `headers` is the json_exporter way. */
  /** Extension: connect timeout in ms (default 10 000). */
  readonly connectTimeoutMs: number;
  /** Extension: upper bound for the whole request in ms when Prometheus sends no scrape timeout (default 10 000). */
  readonly timeoutMs: number;
}

export interface ModuleConfig {
  readonly name: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly metrics: readonly MetricConfig[];
  readonly httpClientConfig: HttpClientConfig;
  /** Absent when the module has no `body` (then the request is a GET). */
  readonly body?: BodyConfig;
  /** Empty means: any 2xx. */
  readonly validStatusCodes: readonly number[];
  /** The preset the module was built from (`preset: srs_streams`), for docs and logs; absent for plain modules. */
  readonly preset?: string;
  readonly errorCode?: ErrorCodeConfig;
  readonly paging?: PagingConfig;
  /**
   * `series_limit` (Prometheus's `sample_limit`): more series than this in one scrape fail it (reason
   * `series_limit`). 0 or absent: no limit.
   */
  readonly seriesLimit?: number;
  /**
   * `invalid_utf8`: `fail` (default) fails a body that is not valid UTF-8 (reason `invalid_utf8`); `replace`
   * decodes it with U+FFFD as Go's encoding/json (json_exporter) does, and counts the problem.
   */
  readonly invalidUtf8?: 'fail' | 'replace';
}

export interface Config {
  /** Bumped on every successful load; workers cache compiled modules per generation. */
  readonly generation: number;
  /** The file the config came from, or `<embedded>`. */
  readonly source: string;
  readonly modules: Readonly<Record<string, ModuleConfig>>;
  /** Absent: probe mode only. */
  readonly fleet?: FleetConfig;
}

/** One `fleet.jobs[]` entry: a set of targets scraped with one module. Durations in ms. */
export interface FleetJobConfig {
  readonly name: string;
  /** A key of `modules`. */
  readonly module: string;
  readonly scrapeIntervalMs: number;
  readonly scrapeTimeoutMs: number;
  /** Extra labels on every series of the job's targets (after `job` and `instance`). */
  readonly labels: Readonly<Record<string, string>>;
  /** Turns a discovered `host:port` into a URL: `{{address}}` is replaced. Absent: `http://{{address}}/`. */
  readonly targetUrl?: string;
  readonly staticTargets: readonly string[];
  /** Prometheus file_sd files (JSON or YAML), globs allowed, relative to the config file's folder. */
  readonly fileSd: readonly string[];
  readonly fileSdRefreshIntervalMs: number;
  readonly httpSd?: { readonly url: string; readonly refreshIntervalMs: number };
  readonly dnsSd?: {
    readonly names: readonly string[];
    readonly type: 'A' | 'AAAA' | 'SRV';
    /** Required for A/AAAA; SRV records carry their own port. */
    readonly port?: number;
    readonly refreshIntervalMs: number;
  };
}

/** The top-level `fleet:` section: present means the exporter runs fleet mode (beside /probe). */
export interface FleetConfig {
  readonly scrapeIntervalMs: number;
  readonly scrapeTimeoutMs: number;
  /** Scrapes in flight, all jobs together. */
  readonly concurrency: number;
  readonly maxBodyBytes: number;
  /**
   * As written: `total` absent means 1 (or --shard.total); `index` absent: --shard.index, else the StatefulSet
   * hostname's ordinal, else 0. A flag contradicting a written value stops the start (FJE_SHARD_CONFLICT).
   */
  readonly shard: { readonly total?: number; readonly index?: number };
  readonly jobs: readonly FleetJobConfig[];
}
