// `dns_sd`: A / AAAA / SRV lookups (a Kubernetes headless Service lists its pods this way), re-resolved at refresh_interval.
import { Resolver } from 'node:dns/promises';
import type { FleetJobConfig } from '../config/types.js';
import type { Logger } from '../telemetry/logger.js';
import { kubernetesDnsLabels } from './kubernetes-dns-labels.js';
import { TargetSource, type DiscoveredTarget } from './source.js';
import { DiscoveryError } from './errors.js';

type DnsSd = NonNullable<FleetJobConfig['dnsSd']>;

/** Answers meaning "this name has no such records": zero targets (a Service scaled to 0), as Prometheus reads them. */
const NO_RECORDS = new Set(['ENOTFOUND', 'ENODATA']);

/** The `host:port` addresses a name resolves to, sorted so round-robin answer order is not a change. */
export async function resolveAddresses(resolver: Resolver, name: string, dnsSd: DnsSd): Promise<string[]> {
  return (await resolveTargets(resolver, name, dnsSd)).map((target) => target.address);
}

/**
 * Each address with the labels its Kubernetes name gives (kubernetes-dns-labels.ts): an SRV record's target names the
 * pod; A/AAAA addresses only have the queried (Service) name.
 */
export async function resolveTargets(
  resolver: Resolver,
  name: string,
  dnsSd: DnsSd,
): Promise<{ address: string; labels: Record<string, string> }[]> {
  let found: { address: string; labels: Record<string, string> }[];
  try {
    if (dnsSd.type === 'SRV') {
      found = (await resolver.resolveSrv(name)).map((record) => {
        const host = record.name.replace(/\.$/, '');
        return {
          address: `${host}:${record.port}`,
          labels: { ...kubernetesDnsLabels(name), ...kubernetesDnsLabels(host) },
        };
      });
    } else {
      const labels = kubernetesDnsLabels(name);
      found =
        dnsSd.type === 'AAAA'
          ? (await resolver.resolve6(name)).map((ip) => ({ address: `[${ip}]:${dnsSd.port}`, labels }))
          : (await resolver.resolve4(name)).map((ip) => ({ address: `${ip}:${dnsSd.port}`, labels }));
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
  const byAddress = new Map(found.map((target) => [target.address, target]));
  return [...byAddress.keys()].sort().map((address) => byAddress.get(address) as (typeof found)[number]);
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
        return (await resolveTargets(resolver, name, dnsSd)).map(({ address, labels }) => ({
          address,
          labels,
          source,
        }));
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    },
  });
}
