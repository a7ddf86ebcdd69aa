// Loads the config a command runs on: the file given, or the embedded default; ready to serve (modules compiled).
import { EMBEDDED_CONFIG_SOURCE, EMBEDDED_CONFIG_YAML } from '../config/embedded.js';
import { loadConfigFile, parseConfig } from '../config/index.js';
import type { Config } from '../config/types.js';

/** A loader that can be called again on reload: it re-reads the file each time. */
export function configLoader(configFile: string | undefined): () => Config {
  if (configFile === undefined) return () => parseConfig(EMBEDDED_CONFIG_YAML, EMBEDDED_CONFIG_SOURCE);
  return () => loadConfigFile(configFile);
}

/** The message a user sees for a config that does not load: ours are complete without a stack trace. */
export function describeLoadError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
