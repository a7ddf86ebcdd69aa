#!/usr/bin/env node
// `npm run chart:template -- [--set k=v]... [-f values.yml]... [--notes] [-s templates/x.yaml]`: prints the chart's
// manifests as `helm template` would, with no helm binary. Builds tools/chart-render (Go text/template + sprig from
// Debian's packages, offline, GOPATH mode) into node_modules/.cache once per source change, checks the merged values
// against values.schema.json (as helm does before rendering), then renders.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..');
const DEFAULT_CHART = join(repoRoot, 'deploy', 'helm', 'fleet-json-exporter');
const GOPATH = '/usr/share/gocode';

function fail(message) {
  process.stderr.write(`chart:template: ${message}\n`);
  process.exit(1);
}

/** The renderer's binary, built when missing or when main.go changed. Debian: golang-go, golang-github-masterminds-sprig-dev. */
function buildRenderer() {
  const source = readFileSync(join(here, 'main.go'));
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
  const cacheDir = join(repoRoot, 'node_modules', '.cache', 'chart-render');
  const binary = join(cacheDir, `chart-render-${hash}`);
  if (existsSync(binary)) return binary;
  mkdirSync(cacheDir, { recursive: true });
  if (!existsSync(join(GOPATH, 'src', 'github.com', 'Masterminds', 'sprig'))) {
    fail(
      `sprig is not in ${GOPATH}; install Debian's golang-go golang-github-masterminds-sprig-dev golang-gopkg-yaml.v2-dev golang-gopkg-yaml.v3-dev (as .ci/run does)`,
    );
  }
  // Built under a name of its own, then renamed: test files running side by side may build at the same time.
  const partial = `${binary}.${process.pid}.tmp`;
  const built = spawnSync('go', ['build', '-o', partial, '.'], {
    cwd: here,
    encoding: 'utf8',
    // GOPATH mode against Debian's Go sources: nothing is fetched, no module proxy.
    env: { ...process.env, GO111MODULE: 'off', GOPATH, GOCACHE: join(cacheDir, 'go-build'), GOFLAGS: '' },
  });
  if (built.error !== undefined) fail(`go did not run (${built.error.message}); install Debian's golang-go`);
  if (built.status !== 0) fail(`go build failed:\n${built.stderr}`);
  renameSync(partial, binary);
  return binary;
}

/** Runs the renderer on the chart; returns its stdout or exits with its error. */
function render(binary, args) {
  const result = spawnSync(binary, [chart, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (result.status !== 0) {
    process.stderr.write(result.stderr);
    process.exit(result.status ?? 1);
  }
  return result.stdout;
}

/** values.schema.json against the merged values, as helm does; every problem listed with its path. */
async function checkValues(binary, args) {
  const schemaFile = join(chart, 'values.schema.json');
  if (!existsSync(schemaFile)) return;
  const { default: Ajv } = await import('ajv');
  const schema = JSON.parse(readFileSync(schemaFile, 'utf8'));
  const values = JSON.parse(render(binary, [...args.filter((a) => a !== '--notes'), '--print-values']));
  const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
  if (!validate(values)) {
    const problems = (validate.errors ?? []).map((e) => `- ${e.instancePath || '(root)'}: ${e.message}`);
    fail(`values don't meet the specifications of the schema(s) in values.schema.json:\n${problems.join('\n')}`);
  }
}

// `--chart=<dir>` renders another chart (the renderer's own tests use a small one); default: this project's.
const chartFlag = process.argv.slice(2).find((a) => a.startsWith('--chart='));
const chart = chartFlag === undefined ? DEFAULT_CHART : resolve(chartFlag.slice('--chart='.length));
const args = process.argv.slice(2).filter((a) => a !== chartFlag);
const binary = buildRenderer();
await checkValues(binary, args);
process.stdout.write(render(binary, args));
