// `dns_sd`: A / AAAA / SRV lookups (a Kubernetes headless Service lists its pods this way), re-resolved at refresh_interval.
import { Resolver } from 'node:dns/promises';
import type { FleetJobConfig } from '../config/types.js';
import type { Logger } from '../telemetry/logger.js';
import { TargetSource, type DiscoveredTarget } from './source.js';
import { DiscoveryError } from './errors.js';

type DnsSd = NonNullable<FleetJobConfig['dnsSd']>;

/** Answers meaning "this name has no such records": zero targets (a Service scaled to 0), as Prometheus reads them. */
const NO_RECORDS = new Set(['ENOTFOUND', 'ENODATA']);

/** The `host:port` addresses a name resolves to, sorted so round-robin answer order is not a change. */
export async function resolveAddresses(resolver: Resolver, name: string, dnsSd: DnsSd): Promise<string[]> {
  let addresses: string[];
  try {
    if (dnsSd.type === 'SRV') {
      addresses = (await resolver.resolveSrv(name)).map((record) => `${record.name.replace(/\.$/, '')}:${record.port}`);
    } else if (dnsSd.type === 'AAAA') {
      addresses = (await resolver.resolve6(name)).map((ip) => `[${ip}]:${dnsSd.port}`);
    } else {
      addresses = (await resolver.resolve4(name)).map((ip) => `${ip}:${dnsSd.port}`);
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== undefined && NO_RECORDS.has(code)) return [];
    throw new DiscoveryError(
      'FJE_DISCOVERY_DNS_SD',
      `${dnsSd.type} lookup of ${name} failed: ${code ?? (err instanceof Error ? err.message : String(err))}`,
      { cause: err },
    );
  }
  return [...new Set(addresses)].sort();
}

export function createDnsSdSource(
  job: FleetJobConfig,
  dnsSd: DnsSd,
  name: string,
  logger: Logger,
  dnsServers?: readonly string[],
): TargetSource {
  const resolver = new Resolver({ timeout: 5_000, tries: 2 });
  if (dnsServers !== undefined) resolver.setServers([...dnsServers]);
  const source = `dns_sd:${name}`;
  return new TargetSource({
    job: job.name,
    name: source,
    logger,
    refreshIntervalMs: dnsSd.refreshIntervalMs,
    refresh: async (signal): Promise<DiscoveredTarget[]> => {
      const onAbort = (): void => resolver.cancel();
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        return (await resolveAddresses(resolver, name, dnsSd)).map((address) => ({ address, labels: {}, source }));
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    },
  });
}
