// `npm test` after the build: make sure the real tools the tests use are there, then run node:test.
//
// promtool and prometheus (Debian package `prometheus`) and headless chromium (Debian `chromium`) are real
// parts of the suite. Missing ones are installed with apt-get when this runs as root; otherwise the test files
// that use them (those importing test/helpers/promtool.js, prometheus.js or chromium.js) are left out, with one
// line naming what to install. Under CI (CI=true) a missing tool is a failure, never a skip.
//
//   node tools/run-tests.mjs [test files or folders…]   default: dist/test/
//   node tools/run-tests.mjs --plan                     print what would be installed, skipped or failed (JSON)
// FJE_TEST_NO_INSTALL=1 never installs (the skip, or the CI failure, then shows what a fresh machine sees).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { delimiter, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..');

/** Each real tool: the commands that provide it, its Debian package, the helper its tests import. */
const COMPONENTS = [
  { name: 'promtool', commands: ['promtool'], debianPackage: 'prometheus', helper: 'helpers/promtool.js' },
  { name: 'prometheus', commands: ['prometheus'], debianPackage: 'prometheus', helper: 'helpers/prometheus.js' },
  {
    name: 'chromium',
    commands: ['chromium', 'chromium-browser', 'google-chrome'],
    debianPackage: 'chromium',
    helper: 'helpers/chromium.js',
  },
];

function onPath(command) {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && existsSync(join(dir, command)));
}

function missingComponents() {
  return COMPONENTS.filter((component) => !component.commands.some(onPath));
}

function packagesOf(components) {
  return [...new Set(components.map((component) => component.debianPackage))];
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

let files = decided.targets;
if (missing.length > 0) {
  const all = decided.targets.flatMap((target) => (statSync(target).isDirectory() ? testFiles(target) : [target]));
  const skipped = new Set(filesNeeding(all, missing));
  files = all.filter((file) => !skipped.has(file));
  process.stderr.write(
    `npm test: SKIPPED ${skipped.size} test files that need ${names}, not installed: run \`${apt}\` as root (or npm test as root) to run them: ${[...skipped].map((file) => relative(root, file)).join(', ')}\n`,
  );
}

const run = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...files], { stdio: 'inherit' });
process.exit(run.status ?? 1);

/** The test files that import a helper of one of the components. */
function filesNeeding(files, components) {
  return files.filter((file) => {
    const text = readFileSync(file, 'utf8');
    return components.some((component) => text.includes(component.helper));
  });
}
