// `http_sd`: Prometheus HTTP service discovery, a JSON list of target groups polled at refresh_interval with undici.
import { request, type Dispatcher } from 'undici';
import type { FleetJobConfig } from '../config/types.js';
import type { Logger } from '../telemetry/logger.js';
import { VERSION } from '../version.js';
import { TargetSource, type DiscoveredTarget } from './source.js';
import { readTargetGroups } from './target-groups.js';
import { DiscoveryError } from './errors.js';

/** An SD answer larger than this is refused: 16 MiB is ~100,000 targets, far beyond one exporter's fleet. */
const MAX_SD_BODY_BYTES = 16 * 1024 * 1024;
/** A round never outlives its interval, and never waits more than this for a slow SD server. */
const MAX_SD_TIMEOUT_MS = 30_000;

function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  // undici puts the socket's reason (ECONNREFUSED, …) in `cause`.
  const cause = err.cause instanceof Error ? err.cause.message : undefined;
  return cause !== undefined && cause !== err.message ? `${err.message} (${cause})` : err.message;
}

async function fetchTargetGroups(
  url: string,
  refreshIntervalMs: number,
  signal: AbortSignal,
): Promise<DiscoveredTarget[]> {
  const timeoutMs = Math.min(refreshIntervalMs, MAX_SD_TIMEOUT_MS);
  let response: Dispatcher.ResponseData;
  try {
    response = await request(url, {
      signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
      headers: {
        accept: 'application/json',
        'user-agent': `fleet-json-exporter/${VERSION}`,
        'x-prometheus-refresh-interval-seconds': String(refreshIntervalMs / 1000),
      },
    });
  } catch (err) {
    const reason =
      err instanceof Error && err.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : describeError(err);
    throw new DiscoveryError('FJE_DISCOVERY_HTTP_SD', `GET ${url} failed: ${reason}`, { cause: err });
  }
  if (response.statusCode !== 200) {
    await response.body.dump();
    throw new DiscoveryError(
      'FJE_DISCOVERY_HTTP_SD',
      `GET ${url} answered HTTP ${response.statusCode}; http_sd needs 200 with a JSON list of target groups`,
    );
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += (chunk as Buffer).length;
    if (size > MAX_SD_BODY_BYTES) {
      response.body.destroy();
      throw new DiscoveryError(
        'FJE_DISCOVERY_HTTP_SD',
        `GET ${url} answered more than ${MAX_SD_BODY_BYTES} bytes; refused`,
      );
    }
    chunks.push(chunk as Buffer);
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (err) {
    throw new DiscoveryError(
      'FJE_DISCOVERY_HTTP_SD',
      `GET ${url} did not answer JSON: ${err instanceof Error ? err.message : String(err)}`,
      {
        cause: err,
      },
    );
  }
  return readTargetGroups(value, `http_sd:${url}`);
}

export function createHttpSdSource(
  job: FleetJobConfig,
  httpSd: NonNullable<FleetJobConfig['httpSd']>,
  logger: Logger,
): TargetSource {
  return new TargetSource({
    job: job.name,
    name: `http_sd:${httpSd.url}`,
    logger,
    refreshIntervalMs: httpSd.refreshIntervalMs,
    refresh: (signal) => fetchTargetGroups(httpSd.url, httpSd.refreshIntervalMs, signal),
  });
}
