// Which shard this replica is: --shard.* flags or the config's fleet.shard (never disagreeing), then the hostname's ordinal.
import type { FleetConfig } from '../config/types.js';
import { DiscoveryError } from './errors.js';
import type { ShardAssignment } from './shard.js';

export interface ShardSettings {
  /** `fleet.shard` of the config. */
  readonly config: FleetConfig['shard'];
  /** --shard.total / --shard.index, when given. */
  readonly flags: { readonly total?: number; readonly index?: number };
  /** The machine's hostname (os.hostname()); a StatefulSet pod's ends in `-<ordinal>`. */
  readonly hostname: string;
}

/** `srs-exporter-2` (or `srs-exporter-2.srs-exporter.ns.svc`) → 2; undefined when the name has no ordinal. */
export function hostnameOrdinal(hostname: string): number | undefined {
  const match = /-(\d+)$/.exec(hostname.split('.')[0] ?? '');
  return match === null ? undefined : Number(match[1]);
}

/**
 * Flags and file must not disagree silently: a copied `fleet.shard: { total: 1, index: 0 }` run with
 * `--shard.total=3` would put every replica on shard 0 and leave two thirds of the fleet unscraped.
 */
function checkFlagsAgreeWithConfig(config: ShardSettings['config'], flags: ShardSettings['flags']): void {
  const fix = 'write the shard in one place: remove fleet.shard from the config, or drop the flag';
  if (flags.total !== undefined && config.total !== undefined && flags.total !== config.total) {
    throw new DiscoveryError(
      'FJE_SHARD_CONFLICT',
      `--shard.total=${flags.total} contradicts fleet.shard.total: ${config.total} in the config; ${fix}`,
    );
  }
  if (flags.index !== undefined && config.index !== undefined && flags.index !== config.index) {
    throw new DiscoveryError(
      'FJE_SHARD_CONFLICT',
      `--shard.index=${flags.index} contradicts fleet.shard.index: ${config.index} in the config; ${fix}`,
    );
  }
  if (flags.total !== undefined && flags.total > 1 && flags.index === undefined && config.index !== undefined) {
    throw new DiscoveryError(
      'FJE_SHARD_CONFLICT',
      `--shard.total=${flags.total} with fleet.shard.index: ${config.index} in the config would make every replica shard ${config.index}; ` +
        'remove fleet.shard.index (the hostname ordinal of a StatefulSet pod then decides) or pass --shard.index per replica',
    );
  }
}

/** Resolves this replica's shard; throws DiscoveryError (FJE_SHARD_*) when the settings do not give a usable one. */
export function resolveShardAssignment(settings: ShardSettings): ShardAssignment {
  const { config, flags, hostname } = settings;
  checkFlagsAgreeWithConfig(config, flags);
  const total = flags.total ?? config.total ?? 1;
  const totalFrom = flags.total !== undefined ? '--shard.total' : 'fleet.shard.total';
  let index: number;
  let indexFrom: string;
  if (flags.index !== undefined) {
    [index, indexFrom] = [flags.index, '--shard.index'];
  } else if (config.index !== undefined) {
    [index, indexFrom] = [config.index, 'fleet.shard.index'];
  } else if (total > 1) {
    const ordinal = hostnameOrdinal(hostname);
    if (ordinal === undefined) {
      throw new DiscoveryError(
        'FJE_SHARD_INDEX_UNKNOWN',
        `this replica's shard is unknown: ${totalFrom} is ${total} but no index is set and the hostname ${JSON.stringify(hostname)} does not end in -<ordinal>; ` +
          'pass --shard.index, set fleet.shard.index, or run as a StatefulSet pod (srs-exporter-2 → shard 2)',
      );
    }
    [index, indexFrom] = [ordinal, `the hostname ${JSON.stringify(hostname)}`];
  } else {
    [index, indexFrom] = [0, 'the default'];
  }
  if (index >= total) {
    throw new DiscoveryError(
      'FJE_SHARD_INVALID',
      `shard index ${index} (from ${indexFrom}) is not below the shard total ${total} (from ${totalFrom}); shards are numbered 0 to ${total - 1}`,
    );
  }
  return { total, index };
}
