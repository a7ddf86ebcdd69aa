// The `fleet:` section (fleet mode: discovery, scrape intervals, sharding): keys, defaults and checks in one place.
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import { checkLabelName } from './label-name.js';
import { entryNode, keyNodeOf, objectOf, optional, required, withDefault } from './object-schema.js';
import { parseTargetAddress, targetUrlProblem } from './target-address.js';
import type { FleetConfig, FleetJobConfig } from './types.js';
import {
  durationMs,
  integer,
  INVALID,
  listOf,
  mapOf,
  oneOf,
  text,
  type Invalid,
  type ValidationContext,
} from './validate.js';
import { isNullNode, scalarText, type KeyPath } from './yaml-source.js';

/** Set by the exporter on every target's series; a job cannot override them. */
const TARGET_LABELS = ['job', 'instance'];

function checkJobLabelName(name: string, keyNode: Node | null, path: KeyPath, context: ValidationContext): boolean {
  if (!checkLabelName(name, keyNode, path, context)) return false;
  if (!TARGET_LABELS.includes(name)) return true;
  context.report(
    'FJE_CONFIG_INVALID_VALUE',
    keyNode,
    path,
    `${JSON.stringify(name)} is set by the exporter on every target (job: the job's name, instance: the target's host:port); use another label name`,
  );
  return false;
}

const nonEmptyText = text((value, node, path, context) =>
  value === '' ? context.report('FJE_CONFIG_REQUIRED', node, path, 'must not be empty') : value,
);

const staticTarget = text((value, node, path, context) => {
  const parsed = parseTargetAddress(value);
  return 'problem' in parsed ? context.report('FJE_CONFIG_INVALID_VALUE', node, path, parsed.problem) : value;
});

const targetUrl = text((value, node, path, context) => {
  const problem = targetUrlProblem(value);
  return problem === undefined ? value : context.report('FJE_CONFIG_INVALID_VALUE', node, path, problem);
});

const httpSdUrl = text((value, node, path, context) => {
  const parsed = parseTargetAddress(value);
  return 'problem' in parsed || parsed.kind !== 'url'
    ? context.report(
        'FJE_CONFIG_INVALID_VALUE',
        node,
        path,
        `must be an absolute http(s) URL serving Prometheus http_sd JSON (got ${JSON.stringify(value)})`,
      )
    : value;
});

/** Prometheus's default scrape_timeout; a shorter scrape_interval lowers it. */
const DEFAULT_SCRAPE_TIMEOUT_MS = 10_000;

const port = integer(1, 65535, 'a port number between 1 and 65535');
const interval = durationMs({ positive: true });

// Refresh defaults are Prometheus's own (file_sd 5m, http_sd 60s, dns_sd 30s).
const httpSdSchema = objectOf({
  url: required('url', httpSdUrl),
  refreshIntervalMs: withDefault('refresh_interval', interval, 60_000),
});

const dnsSdSchema = objectOf(
  {
    names: required('names', listOf(nonEmptyText, { nonEmpty: true })),
    type: withDefault('type', oneOf(['A', 'AAAA', 'SRV'] as const), 'SRV'),
    port: optional('port', port),
    refreshIntervalMs: withDefault('refresh_interval', interval, 30_000),
  },
  {
    refine: (value, node, path, context): NonNullable<FleetJobConfig['dnsSd']> | Invalid => {
      if (value.type !== 'SRV' && value.port === undefined) {
        return context.report(
          'FJE_CONFIG_REQUIRED',
          node,
          path,
          `type ${value.type} needs \`port\`: ${value.type} records carry no port`,
        );
      }
      if (value.type === 'SRV' && value.port !== undefined) {
        return context.report(
          'FJE_CONFIG_INVALID_VALUE',
          keyNodeOf(context, node, 'port'),
          [...path, 'port'],
          'SRV records carry their own port; remove port, or use type A or AAAA',
        );
      }
      return value;
    },
  },
);

const jobSchema = objectOf(
  {
    name: required('name', nonEmptyText),
    module: required('module', nonEmptyText),
    scrapeIntervalMs: optional('scrape_interval', interval),
    scrapeTimeoutMs: optional('scrape_timeout', interval),
    labels: withDefault('labels', mapOf(text(), { key: checkJobLabelName }), {}),
    targetUrl: optional('target_url', targetUrl),
    staticTargets: withDefault('static_targets', listOf(staticTarget), []),
    fileSd: withDefault('file_sd', listOf(nonEmptyText), []),
    fileSdRefreshIntervalMs: withDefault('file_sd_refresh_interval', interval, 300_000),
    httpSd: optional('http_sd', httpSdSchema),
    dnsSd: optional('dns_sd', dnsSdSchema),
  },
  {
    refine: (job, node, path, context) => {
      if (
        job.staticTargets.length === 0 &&
        job.fileSd.length === 0 &&
        job.httpSd === undefined &&
        job.dnsSd === undefined
      ) {
        return context.report(
          'FJE_CONFIG_REQUIRED',
          node,
          path,
          'a job needs targets: set at least one of static_targets, file_sd, http_sd, dns_sd',
        );
      }
      return job;
    },
  },
);

const shardSchema = objectOf(
  {
    // Absent stays absent (1 shard), so --shard.total can tell "not written" from a written value it contradicts.
    total: optional('total', integer(1, 10_000, 'a whole number of shards between 1 and 10000')),
    index: optional('index', integer(0, 9_999, 'a shard index between 0 and total - 1')),
  },
  {
    refine: (shard, node, path, context): FleetConfig['shard'] | Invalid => {
      const total = shard.total ?? 1;
      if (shard.index !== undefined && shard.index >= total) {
        return context.report(
          'FJE_CONFIG_INVALID_VALUE',
          entryNode(context, node, 'index'),
          [...path, 'index'],
          `must be less than total (${total}); shards are numbered 0 to ${total - 1}`,
        );
      }
      return shard;
    },
  },
);

/** The value node of item `index` of the list under `key`, for positions in cross-item checks. */
function itemNode(context: ValidationContext, node: Node, key: string, index: number): Node | null {
  const list = entryNode(context, node, key);
  return isSeq(list) ? context.yaml.resolve(list.items[index]) : null;
}

export const fleetSchema = objectOf(
  {
    scrapeIntervalMs: withDefault('scrape_interval', interval, 15_000),
    // Absent: min(10s, scrape_interval), as Prometheus's global default.
    scrapeTimeoutMs: optional('scrape_timeout', interval),
    concurrency: withDefault(
      'concurrency',
      integer(1, 1_000_000, 'a whole number of scrapes in flight, at least 1'),
      256,
    ),
    maxBodyBytes: withDefault(
      'max_body_bytes',
      integer(1, Number.MAX_SAFE_INTEGER, 'a positive whole number of bytes'),
      32 * 1024 * 1024,
    ),
    shard: withDefault('shard', shardSchema, {}),
    jobs: required('jobs', listOf(jobSchema, { nonEmpty: true })),
  },
  {
    refine: (fleet, node, path, context): FleetConfig | Invalid => {
      let valid = true;
      const scrapeTimeoutMs = fleet.scrapeTimeoutMs ?? Math.min(DEFAULT_SCRAPE_TIMEOUT_MS, fleet.scrapeIntervalMs);
      if (scrapeTimeoutMs > fleet.scrapeIntervalMs) {
        valid = false;
        context.report(
          'FJE_CONFIG_INVALID_VALUE',
          entryNode(context, node, 'scrape_timeout'),
          [...path, 'scrape_timeout'],
          'must not be longer than scrape_interval',
        );
      }
      const firstByName = new Map<string, number>();
      const jobs: FleetJobConfig[] = [];
      fleet.jobs.forEach((job, index) => {
        const jobNode = itemNode(context, node, 'jobs', index);
        const jobPath = [...path, 'jobs', index];
        const first = firstByName.get(job.name);
        if (first !== undefined) {
          valid = false;
          context.report(
            'FJE_CONFIG_INVALID_VALUE',
            jobNode === null ? null : entryNode(context, jobNode, 'name'),
            [...jobPath, 'name'],
            `job name ${JSON.stringify(job.name)} is already used by jobs[${first}]; job names must be unique (they are the \`job\` label)`,
          );
        } else {
          firstByName.set(job.name, index);
        }
        const intervalMs = job.scrapeIntervalMs ?? fleet.scrapeIntervalMs;
        if (job.scrapeTimeoutMs !== undefined && job.scrapeTimeoutMs > intervalMs) {
          valid = false;
          const where = job.scrapeIntervalMs === undefined ? 'the fleet scrape_interval' : "the job's scrape_interval";
          context.report(
            'FJE_CONFIG_INVALID_VALUE',
            jobNode === null ? null : entryNode(context, jobNode, 'scrape_timeout'),
            [...jobPath, 'scrape_timeout'],
            `must not be longer than ${where}`,
          );
        }
        const timeoutMs = job.scrapeTimeoutMs ?? Math.min(scrapeTimeoutMs, intervalMs);
        jobs.push({ ...job, scrapeIntervalMs: intervalMs, scrapeTimeoutMs: timeoutMs });
      });
      return valid ? { ...fleet, scrapeTimeoutMs, jobs } : INVALID;
    },
  },
);

/**
 * Every job's `module` must name a module of the file; reports each that does not. Reads the YAML of the whole
 * file (`root`), not validated values, so it runs even when other parts of the file have problems.
 */
export function checkFleetModules(root: Node, path: KeyPath, context: ValidationContext): boolean {
  const modulesNode = entryNode(context, root, 'modules');
  const fleetNode = entryNode(context, root, 'fleet');
  if (!isMap(modulesNode) || !isMap(fleetNode)) return true;
  const moduleNames = context.yaml.entriesOf(modulesNode).map((entry) => entry.key);
  const jobsNode = entryNode(context, fleetNode, 'jobs');
  if (!isSeq(jobsNode)) return true;
  let valid = true;
  jobsNode.items.forEach((item, index) => {
    const jobNode = context.yaml.resolve(item);
    if (!isMap(jobNode)) return;
    const moduleNode = entryNode(context, jobNode, 'module');
    if (!isScalar(moduleNode) || isNullNode(moduleNode)) return;
    const module = scalarText(moduleNode);
    if (module === '' || moduleNames.includes(module)) return;
    valid = false;
    context.report(
      'FJE_CONFIG_INVALID_VALUE',
      moduleNode,
      [...path, 'fleet', 'jobs', index, 'module'],
      `module ${JSON.stringify(module)} is not defined under modules (defined: ${moduleNames.join(', ')})`,
    );
  });
  return valid;
}
