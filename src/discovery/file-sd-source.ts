// `file_sd`: Prometheus file_sd files (JSON or YAML target groups) matched by a glob, watched and re-read as a backstop.
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { escapePath, glob, isDynamicPattern } from 'tinyglobby';
import { parse as parseYaml } from 'yaml';
import type { FleetJobConfig } from '../config/types.js';
import type { Logger } from '../telemetry/logger.js';
import { TargetSource, type DiscoveredTarget, type PartialRefresh } from './source.js';
import { readTargetGroups } from './target-groups.js';

/** Quiet time after a change event before reading: an editor's truncate-then-write is read once, complete. */
const WATCH_SETTLE_MS = 50;

/** The folder to watch for a pattern: the longest leading part without glob characters. */
export function watchedFolder(absolutePattern: string): string {
  const parts = absolutePattern.split(sep);
  const fixed: string[] = [];
  for (const part of parts.slice(0, -1)) {
    if (isDynamicPattern(part)) break;
    fixed.push(part);
  }
  return fixed.join(sep) || sep;
}

async function readFileTargets(file: string, source: string): Promise<DiscoveredTarget[]> {
  const text = await readFile(file, 'utf8');
  // Prometheus picks the parser by extension; YAML also reads JSON, so anything not .json goes through YAML.
  const value: unknown = file.endsWith('.json') ? JSON.parse(text || 'null') : parseYaml(text);
  return readTargetGroups(value, source);
}

export function createFileSdSource(
  job: FleetJobConfig,
  pattern: string,
  configDir: string,
  logger: Logger,
): TargetSource {
  const absolute = isAbsolute(pattern) ? pattern : join(configDir, pattern);
  // The config folder is a path, not a pattern: brackets or stars in it must match themselves.
  const globPattern = isAbsolute(pattern) ? pattern : `${escapePath(configDir)}/${pattern}`;
  /** Each file's last good targets: one broken file does not drop the targets of the others, nor its own. */
  const lastGood = new Map<string, readonly DiscoveredTarget[]>();

  const refresh = async (): Promise<readonly DiscoveredTarget[] | PartialRefresh> => {
    const files = (await glob(globPattern, { absolute: true, onlyFiles: true, expandDirectories: false })).sort();
    const targets: DiscoveredTarget[] = [];
    const problems: string[] = [];
    for (const file of files) {
      const name = relative(configDir, file) || file;
      try {
        const found = await readFileTargets(file, `file_sd:${name}`);
        lastGood.set(file, found);
        targets.push(...found);
      } catch (err) {
        problems.push(`${name}: ${err instanceof Error ? err.message : String(err)}`);
        targets.push(...(lastGood.get(file) ?? []));
      }
    }
    // A deleted file's targets go with it (Prometheus does the same).
    for (const file of lastGood.keys()) if (!files.includes(file)) lastGood.delete(file);
    return problems.length === 0 ? targets : { targets, error: problems.join('; ') };
  };

  const watchFolder = (trigger: () => void): (() => void) => {
    const folder = watchedFolder(absolute);
    let settle: NodeJS.Timeout | undefined;
    let watcher: FSWatcher | undefined;
    try {
      watcher = watch(folder, { persistent: false }, () => {
        clearTimeout(settle);
        settle = setTimeout(trigger, WATCH_SETTLE_MS);
        settle.unref();
      });
      watcher.on('error', (err) =>
        logger.warn({ folder, err: err.message }, 'file_sd watch failed; re-reading on file_sd_refresh_interval only'),
      );
    } catch (err) {
      // A folder that does not exist yet is not an error: the periodic re-read finds files once it does.
      logger.warn(
        { folder, err: err instanceof Error ? err.message : String(err) },
        'file_sd folder cannot be watched; re-reading on file_sd_refresh_interval only',
      );
    }
    return () => {
      clearTimeout(settle);
      watcher?.close();
    };
  };

  return new TargetSource({
    job: job.name,
    name: `file_sd:${pattern}`,
    logger,
    refreshIntervalMs: job.fileSdRefreshIntervalMs,
    refresh,
    watch: watchFolder,
  });
}
