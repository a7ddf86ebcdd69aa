// One config generation made ready to serve: each module compiled, its HTTP client and body template built.
import type { Config, ModuleConfig } from '../config/types.js';
import { compileModule, type CompiledModule } from '../extract/compile-module.js';
import type { HotPathModule } from '../pool/hot-path.js';
import { compileBodyTemplate, type BodyTemplate } from '../body-template/index.js';
import { createHttpClient, type HttpClient } from '../fetch/http-client.js';
import type { TargetPolicy } from '../fetch/target-policy.js';

export interface PreparedModule {
  readonly config: ModuleConfig;
  readonly compiled: CompiledModule;
  readonly client: HttpClient;
  /** What /probe fetches with: `client` itself, or one that enforces the probe target policy when it has rules. */
  readonly probeClient: HttpClient;
  readonly bodyTemplate: BodyTemplate | undefined;
  /** What the hot path (inline or a worker) needs of the module: name, generation, plain config, compiled form. */
  readonly hotPath: HotPathModule;
}

export interface PreparedConfig {
  readonly config: Config;
  readonly modules: ReadonlyMap<string, PreparedModule>;
}

/**
 * Everything that can fail about a config fails here, at load time (inconsistent families, unreadable TLS
 * files), so a reload that succeeds cannot fail later at probe time for the same reason.
 */
export function prepareConfig(config: Config, probePolicy?: TargetPolicy): PreparedConfig {
  const modules = new Map<string, PreparedModule>();
  try {
    for (const [name, module] of Object.entries(config.modules)) {
      const compiled = compileModule(module);
      const bodyTemplate = module.body?.templatize ? compileBodyTemplate(module.body.content) : undefined;
      const hotPath = { name, generation: config.generation, config: module, compiled };
      const client = createHttpClient(module.httpClientConfig);
      modules.set(name, {
        config: module,
        compiled,
        client,
        // Fleet targets come from the operator's config and discovery; only /probe takes URLs from whoever asks.
        probeClient:
          probePolicy === undefined || probePolicy.isOpen
            ? client
            : createHttpClient(module.httpClientConfig, probePolicy),
        bodyTemplate,
        hotPath,
      });
    }
  } catch (err) {
    void closePreparedConfig({ config, modules });
    throw err;
  }
  return { config, modules };
}

/** Closes the generation's connection pools; in-flight requests finish first (undici's graceful close). */
export async function closePreparedConfig(prepared: PreparedConfig): Promise<void> {
  const clients = new Set([...prepared.modules.values()].flatMap((module) => [module.client, module.probeClient]));
  await Promise.allSettled([...clients].map((client) => client.close()));
}
