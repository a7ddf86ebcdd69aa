// Prometheus target groups (file_sd and http_sd share the format): `[{ targets: [...], labels: {...} }]`, checked.
import { labelNameProblem } from '../config/label-name.js';
import { parseTargetAddress } from '../config/target-address.js';
import type { DiscoveredTarget } from './source.js';
import { DiscoveryError } from './errors.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads a parsed target-group list; throws a DiscoveryError (FJE_DISCOVERY_TARGET_GROUPS) saying which group and entry is wrong (the caller keeps the
 * last good list). `__`-prefixed labels (`__meta_*`, as http_sd servers send) are meta data and dropped.
 */
export function readTargetGroups(value: unknown, source: string): DiscoveredTarget[] {
  // An empty file_sd file parses to null: no targets, as Prometheus reads it.
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value))
    throw new DiscoveryError(
      'FJE_DISCOVERY_TARGET_GROUPS',
      'must be a list of target groups ({ targets: [...], labels: {...} })',
    );
  const found: DiscoveredTarget[] = [];
  value.forEach((group: unknown, index) => {
    const where = `target group ${index}`;
    if (!isRecord(group))
      throw new DiscoveryError('FJE_DISCOVERY_TARGET_GROUPS', `${where} must be a map with targets and labels`);
    for (const key of Object.keys(group)) {
      if (key !== 'targets' && key !== 'labels')
        throw new DiscoveryError(
          'FJE_DISCOVERY_TARGET_GROUPS',
          `${where} has an unknown key ${JSON.stringify(key)}; only targets and labels are read`,
        );
    }
    const labels = readLabels(group['labels'], where);
    const targets = group['targets'] ?? [];
    if (!Array.isArray(targets))
      throw new DiscoveryError('FJE_DISCOVERY_TARGET_GROUPS', `${where}: targets must be a list`);
    for (const target of targets) {
      if (typeof target !== 'string')
        throw new DiscoveryError(
          'FJE_DISCOVERY_TARGET_GROUPS',
          `${where}: target ${JSON.stringify(target)} must be a string`,
        );
      const parsed = parseTargetAddress(target);
      if ('problem' in parsed) throw new DiscoveryError('FJE_DISCOVERY_TARGET_GROUPS', `${where}: ${parsed.problem}`);
      found.push({ address: target, labels, source });
    }
  });
  return found;
}

function readLabels(value: unknown, where: string): Readonly<Record<string, string>> {
  if (value === undefined || value === null) return {};
  if (!isRecord(value))
    throw new DiscoveryError('FJE_DISCOVERY_TARGET_GROUPS', `${where}: labels must be a map of label names to strings`);
  const labels: Record<string, string> = {};
  for (const [name, labelValue] of Object.entries(value)) {
    if (name.startsWith('__')) continue;
    const problem = labelNameProblem(name);
    if (problem !== undefined) throw new DiscoveryError('FJE_DISCOVERY_TARGET_GROUPS', `${where}: ${problem}`);
    if (typeof labelValue !== 'string')
      throw new DiscoveryError(
        'FJE_DISCOVERY_TARGET_GROUPS',
        `${where}: label ${name} must be a string (got ${JSON.stringify(labelValue)})`,
      );
    Object.defineProperty(labels, name, { value: labelValue, enumerable: true });
  }
  return Object.freeze(labels);
}
