// `npm test` on a fresh machine: missing real tools are installed as root, else their test files are skipped with
// one line naming what to install; under CI=true a missing tool fails the run.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { repoRoot } from '../helpers/fixtures.js';

const RUNNER = join(repoRoot, 'tools', 'run-tests.mjs');
const scratch = mkdtempSync(join(tmpdir(), 'fje-run-tests-'));
const emptyPath = join(scratch, 'empty');
const toolPath = join(scratch, 'tools');
mkdirSync(emptyPath);
mkdirSync(toolPath);
for (const tool of ['promtool', 'prometheus', 'chromium', 'go']) {
  writeFileSync(join(toolPath, tool), '#!/bin/sh\nexit 0\n');
  chmodSync(join(toolPath, tool), 0o755);
}
after(() => rmSync(scratch, { recursive: true, force: true }));

/** A machine without the tools (PATH holds none of them) where nothing may be installed. */
function runRunner(args: string[], env: Record<string, string>) {
  const childEnv: Record<string, string> = { HOME: scratch, FJE_TEST_NO_INSTALL: '1', ...env };
  const result = spawnSync(process.execPath, [RUNNER, ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: childEnv,
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const SMALL = join(repoRoot, 'dist', 'test', 'project', 'package-files.test.js');
const NEEDS_CHROMIUM = join(repoRoot, 'dist', 'test', 'server', 'targets-page.test.js');

test('the plan on a machine without promtool, prometheus and chromium skips exactly the files that use them', () => {
  const run = runRunner(['--plan'], { PATH: emptyPath });
  assert.equal(run.status, 0, run.stderr);
  const plan = JSON.parse(run.stdout) as { missing: string[]; install: string[]; fail: boolean; skip: string[] };
  assert.deepEqual(plan.missing, ['promtool', 'prometheus', 'chromium', 'go and sprig (the Helm chart renderer)']);
  assert.deepEqual(plan.install, []);
  assert.equal(plan.fail, false);
  assert.ok(plan.skip.includes('dist/test/server/targets-page.test.js'));
  assert.ok(plan.skip.includes('dist/test/e2e/prometheus-fleet.test.js'));
  assert.ok(plan.skip.includes('dist/test/server/probe-route.test.js'));
  assert.ok(plan.skip.includes('dist/test/deploy/helm/chart.test.js'));
  assert.ok(!plan.skip.includes('dist/test/config/load.test.js'));
  assert.ok(!plan.skip.includes('dist/test/project/run-tests.test.js'));
});

test("with the tools on PATH (and Debian's sprig sources) nothing is missing, skipped or installed", () => {
  const plan = JSON.parse(runRunner(['--plan'], { PATH: toolPath }).stdout) as { missing: string[]; skip: string[] };
  const sprig = existsSync('/usr/share/gocode/src/github.com/Masterminds/sprig');
  assert.deepEqual(plan.missing, sprig ? [] : ['go and sprig (the Helm chart renderer)']);
  if (sprig) assert.deepEqual(plan.skip, []);
});

test('without the tools and not under CI the run passes, skipping their files with one line naming the packages', () => {
  const run = runRunner([SMALL, NEEDS_CHROMIUM], { PATH: emptyPath });
  assert.equal(run.status, 0, run.stdout + run.stderr);
  const skipLines = run.stderr.split('\n').filter((line) => line.includes('SKIPPED'));
  assert.equal(skipLines.length, 1, run.stderr);
  assert.match(
    skipLines[0] ?? '',
    /^npm test: SKIPPED 1 test files that need promtool, prometheus, chromium, go and sprig \(the Helm chart renderer\), not installed: run `apt-get install prometheus chromium golang-go golang-github-masterminds-sprig-dev golang-gopkg-yaml\.v2-dev golang-gopkg-yaml\.v3-dev` as root .*dist\/test\/server\/targets-page\.test\.js$/,
  );
  assert.match(run.stdout, /# pass 2\n/);
});

test('under CI=true a missing tool fails the run instead of skipping', () => {
  const run = runRunner([SMALL, NEEDS_CHROMIUM], { PATH: emptyPath, CI: 'true' });
  assert.equal(run.status, 1);
  assert.match(
    run.stderr,
    /CI=true and promtool, prometheus, chromium, go and sprig \(the Helm chart renderer\) missing: a missing tool fails under CI, never skips/,
  );
  assert.doesNotMatch(run.stdout, /# pass/);
  const plan = JSON.parse(runRunner(['--plan'], { PATH: emptyPath, CI: 'true' }).stdout) as { fail: boolean };
  assert.equal(plan.fail, true);
});

test('a file whose process never exits is cut off at the timeout and fails the run; every test of the others counts', () => {
  const files = join(scratch, 'files');
  mkdirSync(files);
  // Passes, but its interval keeps the process alive for ever.
  writeFileSync(
    join(files, 'leaky.test.js'),
    "import { test } from 'node:test';\ntest('passes, leaving a handle', () => { setInterval(() => {}, 1000); });\n",
  );
  writeFileSync(
    join(files, 'many.test.js'),
    "import assert from 'node:assert/strict';\nimport { test } from 'node:test';\n" +
      "for (let i = 0; i < 60; i++) test('quick ' + i, () => assert.equal(i, i));\n",
  );
  const run = runRunner([files], { PATH: toolPath, FJE_TEST_TIMEOUT_MS: '2000' });
  assert.equal(run.status, 1, run.stdout + run.stderr);
  assert.match(run.stdout, /leaky\.test\.js[\s\S]*test timed out after 2000ms/);
  assert.match(run.stdout, /# cancelled 1\n/);
  // The leaky file's one test, the file itself and the 60 others: none lost from the report.
  assert.match(run.stdout, /# tests 62\n/);
  assert.match(run.stdout, /# pass 61\n/);
});
