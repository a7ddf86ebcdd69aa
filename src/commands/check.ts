// `check <config>` (and --config.check): validate a config and its modules; exit status says the verdict.
import { closePreparedConfig, prepareConfig, type PreparedConfig } from '../scrape/prepared-config.js';
import { configLoader, describeLoadError } from './load-config.js';

export async function runCheck(
  configFile: string | undefined,
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): Promise<number> {
  let prepared: PreparedConfig;
  try {
    prepared = prepareConfig(configLoader(configFile)());
  } catch (error) {
    err.write(describeLoadError(error) + '\n');
    return 1;
  }
  const modules = Object.values(prepared.config.modules);
  const metricCount = modules.reduce((sum, module) => sum + module.metrics.length, 0);
  const jobs = prepared.config.fleet?.jobs ?? [];
  const fleet = jobs.length === 0 ? '' : `, fleet: ${jobs.length} job(s) (${jobs.map((job) => job.name).join(', ')})`;
  out.write(
    `${prepared.config.source}: OK, ${modules.length} module(s) (${modules.map((m) => m.name).join(', ')}), ${metricCount} metric(s)${fleet}\n`,
  );
  // json_exporter loads such modules too; a probe of one fetches the target and answers no samples.
  for (const module of modules) {
    if (module.metrics.length === 0) {
      out.write(
        `module ${JSON.stringify(module.name)} has no metrics: it exports nothing (a probe answers 200, empty)\n`,
      );
    }
  }
  await closePreparedConfig(prepared);
  return 0;
}
