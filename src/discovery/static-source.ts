// `static_targets`: the job's fixed list, one round, no timer.
import type { FleetJobConfig } from '../config/types.js';
import type { Logger } from '../telemetry/logger.js';
import { TargetSource } from './source.js';

export function createStaticSource(job: FleetJobConfig, logger: Logger): TargetSource {
  const targets = job.staticTargets.map((address) => ({ address, labels: {}, source: 'static' }));
  return new TargetSource({ job: job.name, name: 'static', logger, refresh: () => Promise.resolve(targets) });
}
