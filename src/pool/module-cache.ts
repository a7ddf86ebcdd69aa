// A worker's compiled modules, per (config generation, module name); a newer generation drops the older ones.
import type { ModuleConfig } from '../config/types.js';
import { compileModule, type CompiledModule } from '../extract/compile-module.js';

export interface CachedModule {
  readonly compiled: CompiledModule;
  readonly hit: boolean;
}

export class ModuleCache {
  #generation = -Infinity;
  readonly #modules = new Map<string, CompiledModule>();

  /**
   * The compiled form of `config`. A task from an older generation than the newest seen (a probe that began
   * before a reload) gets its module compiled for it and not cached, so the cache only ever holds one generation.
   */
  get(generation: number, name: string, config: ModuleConfig): CachedModule {
    if (generation > this.#generation) {
      this.#modules.clear();
      this.#generation = generation;
    } else if (generation < this.#generation) {
      return { compiled: compileModule(config), hit: false };
    }
    const cached = this.#modules.get(name);
    if (cached !== undefined) return { compiled: cached, hit: true };
    const compiled = compileModule(config);
    this.#modules.set(name, compiled);
    return { compiled, hit: false };
  }

  /**
   * The cached compiled form of (generation, name), without a config to compile it from: undefined when this worker
   * has not compiled it yet (a batch task then asks for the config, which comes once per generation).
   */
  peek(generation: number, name: string): CompiledModule | undefined {
    return generation === this.#generation ? this.#modules.get(name) : undefined;
  }

  /** The generation the cached modules belong to and their names, for tests and debugging. */
  get contents(): { readonly generation: number; readonly names: readonly string[] } {
    return { generation: this.#generation, names: [...this.#modules.keys()] };
  }
}
