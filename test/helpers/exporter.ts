// An exporter started for a test: its config written to a temporary folder, on an ephemeral port of 127.0.0.1, its
// log lines dropped. stop() stops it and removes the folder.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { ServeFlags } from '../../src/commands/flags.js';
import { startExporter, type RunningExporter } from '../../src/commands/serve.js';
import { createLogger } from '../../src/telemetry/logger.js';

export interface ConfiguredExporter {
  readonly exporter: RunningExporter;
  /** The config file, for a test that rewrites it and reloads. */
  readonly configFile: string;
  stop(): Promise<void>;
}

/** Starts an exporter on `config` (YAML text); `flags` override the test defaults below. */
export async function startConfiguredExporter(
  config: string,
  flags: Partial<ServeFlags> = {},
): Promise<ConfiguredExporter> {
  const dir = mkdtempSync(join(tmpdir(), 'fje-exporter-'));
  const configFile = join(dir, 'config.yml');
  writeFileSync(configFile, config);
  const logLevel = flags.logLevel ?? 'error';
  const sink = new PassThrough();
  sink.resume();
  try {
    const exporter = await startExporter(
      {
        configFile,
        configCheck: false,
        listenAddress: '127.0.0.1:0',
        telemetryPath: '/metrics',
        maxBodyBytes: 1 << 20,
        timeoutOffsetMs: 500,
        ...flags,
        logLevel,
      },
      createLogger(logLevel, sink),
    );
    return {
      exporter,
      configFile,
      async stop() {
        await exporter.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
