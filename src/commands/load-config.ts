// Loads the config a command runs on: the file given, or the embedded default; ready to serve (modules compiled).
import { hostname } from 'node:os';
import { EMBEDDED_CONFIG_SOURCE, EMBEDDED_CONFIG_YAML } from '../config/embedded.js';
import { loadConfigFile, parseConfig } from '../config/index.js';
import type { Config } from '../config/types.js';
import { resolveShardAssignment, type ShardSettings } from '../discovery/shard-assignment.js';

/** A loader that can be called again on reload: it re-reads the file each time. */
export function configLoader(configFile: string | undefined): () => Config {
  if (configFile === undefined) return () => parseConfig(EMBEDDED_CONFIG_YAML, EMBEDDED_CONFIG_SOURCE);
  return () => loadConfigFile(configFile);
}

/**
 * The serve loader: also resolves the fleet's shard (flags, `fleet.shard`, hostname), so a `fleet:` section this
 * replica cannot run fails the load — at start, or on reload where the previous config then keeps serving and
 * `/-/reload` answers 500 — instead of failing later inside fleet mode.
 */
export function serveConfigLoader(
  configFile: string | undefined,
  shardFlags: ShardSettings['flags'],
  machineName: string = hostname(),
): () => Config {
  const load = configLoader(configFile);
  return () => {
    const config = load();
    if (config.fleet !== undefined)
      resolveShardAssignment({ config: config.fleet.shard, flags: shardFlags, hostname: machineName });
    return config;
  };
}

/** The message a user sees for a config that does not load: ours are complete without a stack trace. */
export function describeLoadError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
