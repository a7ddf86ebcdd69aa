// The exporter's version, read once from package.json (one source of truth for --version and build_info).
import { readFileSync } from 'node:fs';

function readVersion(): string {
  // Compiled to dist/src/version.js; package.json is two folders up from there, one from src/.
  for (const candidate of ['../../package.json', '../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(candidate, import.meta.url), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'fleet-json-exporter' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // try the next location
    }
  }
  return 'unknown';
}

export const VERSION = readVersion();
