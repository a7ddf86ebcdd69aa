// `npm test` after the build: make sure the real tools the tests use are there, then run node:test.
//
// promtool and prometheus (Debian package `prometheus`), headless chromium (Debian `chromium`) and Go with Debian's
// sprig (the Helm chart renderer) are real parts of the suite. Missing ones are installed with apt-get when this
// runs as root; otherwise the test files that use them (those importing test/helpers/promtool.js, prometheus.js,
// chromium.js or chart.js, or running tools/chart-render) are left out, with one line naming what to install.
// Under CI (CI=true) a missing tool is a failure, never a skip.
//
//   node tools/run-tests.mjs [test files or folders…]   default: dist/test/
//   node tools/run-tests.mjs --plan                     print what would be installed, skipped or failed (JSON)
// FJE_TEST_NO_INSTALL=1 never installs (the skip, or the CI failure, then shows what a fresh machine sees).
// FJE_TEST_TIMEOUT_MS overrides the per-test (and per-file) timeout below (the runner's own test shortens it).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { delimiter, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..');

/** Where Debian's Go packages put their sources (tools/chart-render builds in GOPATH mode from there). */
const DEBIAN_GOPATH = '/usr/share/gocode';

/**
 * Each real tool: whether it is there, its Debian packages, and what marks a compiled test file that uses it
 * (the helper it imports, or the tool it runs).
 */
const COMPONENTS = [
  {
    name: 'promtool',
    present: () => onPath('promtool'),
    packages: ['prometheus'],
    markers: ['helpers/promtool.js'],
  },
  {
    name: 'prometheus',
    present: () => onPath('prometheus'),
    packages: ['prometheus'],
    markers: ['helpers/prometheus.js'],
  },
  {
    name: 'chromium',
    present: () => ['chromium', 'chromium-browser', 'google-chrome'].some(onPath),
    packages: ['chromium'],
    markers: ['helpers/chromium.js'],
  },
  {
    name: 'go and sprig (the Helm chart renderer)',
    present: () => onPath('go') && existsSync(join(DEBIAN_GOPATH, 'src', 'github.com', 'Masterminds', 'sprig')),
    packages: [
      'golang-go',
      'golang-github-masterminds-sprig-dev',
      'golang-gopkg-yaml.v2-dev',
      'golang-gopkg-yaml.v3-dev',
    ],
    markers: ['helpers/chart.js', 'chart-render'],
  },
];

function onPath(command) {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && existsSync(join(dir, command)));
}

function missingComponents() {
  return COMPONENTS.filter((component) => !component.present());
}

function packagesOf(components) {
  return [...new Set(components.flatMap((component) => component.packages))];
}

function canInstall() {
  return process.getuid?.() === 0 && onPath('apt-get') && process.env.FJE_TEST_NO_INSTALL !== '1';
}

function install(packages) {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  process.stderr.write(`npm test: installing ${packages.join(', ')} with apt-get (missing, and we are root)\n`);
  const options = { stdio: ['ignore', 'inherit', 'inherit'], env };
  const update = spawnSync('apt-get', ['update'], options);
  if (update.status !== 0) return false;
  return spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...packages], options).status === 0;
}

/** Compiled test files under `dir`. */
function testFiles(dir) {
  const files = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) files.push(...testFiles(path));
    else if (entry.endsWith('.test.js')) files.push(path);
  }
  return files.sort();
}

function plan(targets) {
  const missing = missingComponents();
  const ci = process.env.CI === 'true';
  const packages = packagesOf(missing);
  const installable = missing.length > 0 && canInstall();
  return { ci, missing, packages, installable, targets };
}

const args = process.argv.slice(2);
const planOnly = args.includes('--plan');
const targets = args.filter((arg) => arg !== '--plan');
const decided = plan(targets.length > 0 ? targets : [join(root, 'dist', 'test')]);

if (planOnly) {
  const files = decided.targets.flatMap((target) => (statSync(target).isDirectory() ? testFiles(target) : [target]));
  const skipped = decided.ci || decided.installable ? [] : filesNeeding(files, decided.missing);
  process.stdout.write(
    `${JSON.stringify({
      missing: decided.missing.map((component) => component.name),
      install: decided.installable ? decided.packages : [],
      fail: decided.ci && !decided.installable && decided.missing.length > 0,
      skip: skipped.map((file) => relative(root, file)),
    })}\n`,
  );
  process.exit(0);
}

let missing = decided.missing;
if (decided.installable && install(decided.packages)) missing = missingComponents();

const names = missing.map((component) => component.name).join(', ');
const apt = `apt-get install ${packagesOf(missing).join(' ')}`;
if (missing.length > 0 && decided.ci) {
  process.stderr.write(`npm test: CI=true and ${names} missing: a missing tool fails under CI, never skips (${apt})\n`);
  process.exit(1);
}

// Folders are expanded to their *.test.js files here: given a folder, Node 20's runner runs every .js file in it as a
// test file, helpers and worker modules too (18 extra processes, and a helper with a handle at module scope would
// never exit).
const all = decided.targets.flatMap((target) => (statSync(target).isDirectory() ? testFiles(target) : [target]));
let files = all;
if (missing.length > 0) {
  const skipped = new Set(filesNeeding(all, missing));
  files = all.filter((file) => !skipped.has(file));
  process.stderr.write(
    `npm test: SKIPPED ${skipped.size} test files that need ${names}, not installed: run \`${apt}\` as root (or npm test as root) to run them: ${[...skipped].map((file) => relative(root, file)).join(', ')}\n`,
  );
}

// A test that hangs fails after PER_TEST_TIMEOUT_MS instead of holding the run (CI stops a run at 90 minutes, and a
// hang there shows as a timeout with no failing test named); the whole run is bounded too, its process group killed.
// Node 20's runner counts each file as a test too, so the timeout also bounds a file whose process never exits.
// No --test-force-exit: on Node 20.20 it ended a file's process before its reporter had written everything, and the
// run then counted fewer tests than there were, silently (a fresh clone's CI run lost 10 of config/invalid-configs'
// tests, none failing). A file whose process never exits is bounded by the timeout above instead.
const PER_TEST_TIMEOUT_MS = Number(process.env.FJE_TEST_TIMEOUT_MS) || 300_000;
const RUN_TIMEOUT_MS = 45 * 60_000;
const run = spawn(
  process.execPath,
  ['--test', '--test-concurrency=2', `--test-timeout=${PER_TEST_TIMEOUT_MS}`, ...files],
  {
    stdio: ['ignore', 'inherit', 'inherit'],
    detached: true,
  },
);
/** Signals the run's whole process group: the runner and every test file's process. */
function signalRun(signal) {
  try {
    process.kill(-run.pid, signal);
  } catch {
    // Already gone.
  }
}
const watchdog = setTimeout(() => {
  process.stderr.write(`npm test: the run passed ${RUN_TIMEOUT_MS / 60_000} minutes; stopping it (a test hangs)\n`);
  signalRun('SIGKILL');
}, RUN_TIMEOUT_MS);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => signalRun(signal));
run.on('exit', (code, signal) => {
  clearTimeout(watchdog);
  process.exit(code ?? (signal === null ? 1 : 128));
});

/** The test files that import a helper of one of the components. */
function filesNeeding(files, components) {
  return files.filter((file) => {
    const text = readFileSync(file, 'utf8');
    return components.some((component) => component.markers.some((marker) => text.includes(marker)));
  });
}
