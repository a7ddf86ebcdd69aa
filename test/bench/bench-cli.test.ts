// Every bench's command line: --help prints the usage and exits 0; a bad flag exits 2 with the problem and the usage
// on stderr, no stack trace, nothing measured (no server started, no result file written).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { repoRoot } from '../helpers/fixtures.js';

const BENCHES = ['hotpath', 'jsonpath', 'parse', 'load', 'probe', 'fleet-gzip', 'gzip-codec'] as const;
const outDir = mkdtempSync(join(tmpdir(), 'fje-bench-cli-'));
after(() => rmSync(outDir, { recursive: true, force: true }));

function runBench(name: string, args: readonly string[]): ReturnType<typeof spawnSync> {
  return spawnSync(process.execPath, [join(repoRoot, 'dist', 'bench', `${name}.js`), `--out-dir=${outDir}`, ...args], {
    encoding: 'utf8',
    timeout: 30_000,
  });
}

function assertRefused(result: ReturnType<typeof spawnSync>, name: string, problem: RegExp): void {
  const stderr = String(result.stderr);
  assert.equal(result.status, 2, stderr);
  assert.match(stderr, problem);
  assert.match(stderr, new RegExp(`usage: npm run bench:${name} -- \\[flags\\]`));
  assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
  assert.equal(String(result.stdout), '');
}

for (const name of BENCHES) {
  test(`bench:${name} --help prints its flags and exits 0`, () => {
    const result = runBench(name, ['--help']);
    assert.equal(result.status, 0, String(result.stderr));
    assert.match(String(result.stdout), new RegExp(`^usage: npm run bench:${name} -- \\[flags\\]`));
    assert.match(String(result.stdout), /--out-dir=bench-results/);
  });

  test(`bench:${name} refuses an unknown flag: exit 2, the problem and the usage`, () => {
    assertRefused(runBench(name, ['--no-such-flag']), name, /^Unknown option '--no-such-flag'/);
  });
}

const badValues: ReadonlyArray<readonly [string, readonly string[], RegExp]> = [
  ['hotpath', ['--seconds=soon'], /^--seconds must be a number > 0 \(got soon\)/],
  ['hotpath', ['--sizes=2k,huge'], /^--sizes: not a size: "huge"/],
  ['hotpath', ['--workers=-1'], /^--workers must be an integer ≥ 0 \(got -1\)/],
  ['probe', ['--connections=1,,5'], /^--connections must be a comma-separated list/],
  ['probe', ['--connections=0'], /^--connections: not a connection count: 0/],
  ['probe', ['--configs=reference,nginx'], /^--configs: unknown config nginx \(known: reference, srs_streams\)/],
  ['probe', ['--bodies=2k,lots'], /^--bodies: not a size: "lots"/],
  ['probe', ['--rounds=0'], /^--rounds must be an integer > 0 \(got 0\)/],
  ['probe', ['--rounds=21'], /^--rounds must be at most 20 \(got 21\)/],
  ['probe', ['--url=ftp://example.invalid/'], /^not an http\(s\) URL: "ftp:\/\/example.invalid\/"/],
  ['load', ['--target=not a url'], /^not a URL: "not a url"/],
  ['jsonpath', ['--streams=2.5'], /^--streams must be an integer > 0 \(got 2.5\)/],
  ['fleet-gzip', ['--levels=1,12'], /^--levels: not a gzip level \(0-9\): 12/],
  ['gzip-codec', ['--pieces=20k,lots'], /^--pieces: not a size: "lots"/],
  ['gzip-codec', ['--mb=0'], /^--mb must be a number > 0 \(got 0\)/],
];

for (const [name, args, problem] of badValues) {
  test(`bench:${name} ${args.join(' ')}: exit 2 with what is wrong, nothing measured`, () => {
    assertRefused(runBench(name, args), name, problem);
    assert.equal(existsSync(join(outDir, `${name}.json`)), false);
  });
}
