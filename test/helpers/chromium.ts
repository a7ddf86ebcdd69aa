// Headless Chromium for page tests: the DOM after scripts ran, and screenshots into test-artifacts/.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './fixtures.js';
import { within } from './wait-for.js';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

function chromiumPath(): string {
  const found = CANDIDATES.find((path) => existsSync(path));
  // A missing browser fails the test, never skips it: CI installs it in .ci/run.
  if (found === undefined) {
    throw new Error(
      `headless Chromium is not installed (looked for ${CANDIDATES.join(', ')}); install the Debian package \`chromium\` (as .ci/run does) to run the page tests`,
    );
  }
  return found;
}

/** Runs Chromium headless on `url` with the extra arguments; resolves with its stdout. Asynchronous: the page's server runs in this process. */
async function runChromium(url: string, extra: readonly string[]): Promise<string> {
  const profile = mkdtempSync(join(tmpdir(), 'fje-chromium-'));
  // No background traffic: a closed network refuses Chromium's own connections (updates, sync, QUIC probes).
  const quiet = ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'];
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-dev-shm-usage',
    '--no-first-run',
    ...quiet,
    `--user-data-dir=${profile}`,
    ...extra,
    url,
  ];
  try {
    // Killed (SIGKILL: a browser stuck in its start may not heed SIGTERM) after 60 s; and bounded once more, since the
    // callback also waits for Chromium's helper processes to let go of its stdout.
    const run = new Promise<string>((resolve, reject) => {
      execFile(
        chromiumPath(),
        args,
        { timeout: 60_000, killSignal: 'SIGKILL', maxBuffer: 16 << 20 },
        (err, stdout, stderr) => {
          if (err !== null) reject(new Error(`chromium failed: ${err.message}\n${stderr.slice(-2000)}`));
          else resolve(stdout);
        },
      );
    });
    return await within(`headless Chromium on ${url}`, run, 90_000);
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

/** The serialized DOM once the page loaded and its scripts ran. */
export function dumpDom(url: string): Promise<string> {
  return runChromium(url, ['--dump-dom']);
}

/** Saves a PNG of the page under test-artifacts/ (gitignored); returns its path. */
export async function screenshot(url: string, name: string): Promise<string> {
  const dir = join(repoRoot, 'test-artifacts');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  await runChromium(url, [`--screenshot=${path}`, '--window-size=1400,900', '--hide-scrollbars']);
  return path;
}
