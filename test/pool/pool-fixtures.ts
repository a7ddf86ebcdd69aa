// Shared inputs of the pool tests: the reference SRS module as the hot path takes it, and body bytes.
import { BroadcastChannel } from 'node:worker_threads';
import { loadConfigFile, parseConfig } from '../../src/config/load.js';
import type { HotPath, HotPathModule, HotPathResult, HotPathTask } from '../../src/pool/hot-path.js';
import { prepareConfig } from '../../src/scrape/prepared-config.js';
import { fixturePath, readFixture } from '../helpers/fixtures.js';
import { within } from '../helpers/wait-for.js';
import { HOLD_CHANNEL } from './controlled-worker.js';

/** The reference config's `default` module, of a given generation. */
export function referenceModule(generation = 1): HotPathModule {
  const prepared = prepareConfig(loadConfigFile(fixturePath('config', 'srs-reference.yml'), generation));
  const module = prepared.modules.get('default');
  if (module === undefined) throw new Error('srs-reference.yml has no default module');
  return module.hotPath;
}

/** A module whose one template walks `{..a..a}`: on a deep chain, seconds of work that checks its budget often. */
export function recursiveModule(): HotPathModule {
  const prepared = prepareConfig(
    parseConfig("modules:\n  m:\n    metrics:\n    - { name: deep, path: '{..a..a}' }\n", '<test>', 1),
  );
  const found = prepared.modules.get('m');
  if (found === undefined) throw new Error('the recursive module did not compile');
  return found.hotPath;
}

/** A chain `{"a":{"a":…1…}}` 2,800 levels deep: `{..a..a}` on it runs for seconds. */
export const longChain = (): Uint8Array => bytesOf('{"a":'.repeat(2800) + '1' + '}'.repeat(2800));

export function bytesOf(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

export const referenceBody = (): Uint8Array => bytesOf(readFixture('srs', 'reference-streams.json'));

export function taskFor(
  module: HotPathModule,
  body: Uint8Array,
  targetLabels: Record<string, string> = {},
): HotPathTask {
  return { module, body, targetLabels, formats: ['text', 'openmetrics'] };
}

/** The worker module that crashes or holds on request, next to this file in the build output. */
export const controlledWorkerUrl = new URL('./controlled-worker.js', import.meta.url).href;

/** Bytes of padding on a hold body: any inlineMaxBytes up to this still routes it to the pool. */
export const HOLD_BODY_PADDING = 1024;

/** How long a test waits for a worker to announce a held task (a worker's start can take seconds on a busy machine). */
export const HOLD_WAIT_MS = 60_000;

/**
 * Starts a "hold" task on a pool using the controlled worker and resolves once a worker is busy with it;
 * `release()` lets it finish. The way to fill a pool deterministically, without timing.
 * A hold task that answers without being held (refused, run inline, failed) or is not announced within HOLD_WAIT_MS
 * fails the wait with what happened, instead of leaving the test waiting for an announcement that cannot come.
 */
export async function holdWorker(
  hotPath: HotPath,
  module: HotPathModule,
): Promise<{ release(): Promise<HotPathResult> }> {
  const channel = new BroadcastChannel(HOLD_CHANNEL);
  const held = new Promise<void>((resolve) => {
    channel.onmessage = (event) => {
      if ((event as MessageEvent).data === 'held') resolve();
    };
  });
  // Padded (still valid JSON) so that a size-routed hot path sends it to the pool, not inline.
  // An object, as the module's paths expect: released, the task succeeds with no samples.
  const running = hotPath.run(taskFor(module, bytesOf('{"hold":0}' + ' '.repeat(HOLD_BODY_PADDING))));
  const answeredFirst = running.then((result) => {
    throw new Error(`the hold task answered before a worker held it: ${JSON.stringify(result).slice(0, 300)}`);
  });
  try {
    await within('a worker to announce the hold task', Promise.race([held, answeredFirst]), HOLD_WAIT_MS);
  } catch (err) {
    channel.postMessage('release');
    channel.close();
    throw err;
  }
  return {
    release: async () => {
      channel.postMessage('release');
      channel.close();
      return within('the released hold task to answer (was its release missed?)', running, HOLD_WAIT_MS);
    },
  };
}
