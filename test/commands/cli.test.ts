import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseExposition } from '../helpers/exposition-parser.js';
import { fixturePath, readFixture, repoRoot } from '../helpers/fixtures.js';
import { checkMetricsWithPromtool } from '../helpers/promtool.js';

const CLI = join(repoRoot, 'dist', 'src', 'cli.js');
const REFERENCE_CONFIG = fixturePath('config', 'srs-reference.yml');
const REFERENCE_BODY = fixturePath('srs', 'reference-streams.json');
const INVALID_CONFIG = fixturePath('config', 'invalid-multiple.yml');

const EXPECTED_REFERENCE_EXPOSITION = readFixture('srs', 'reference-streams.expected.txt');

interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runCli(args: string[], input?: string): CliRun {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    input,
    timeout: 30_000,
  });
  if (result.error !== undefined) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A stack trace line (`    at fn (file:1:2)`): user-facing errors must not show one. */
const STACK_LINE = /^\s+at /m;

function assertUsageError(run: CliRun, message: RegExp): void {
  assert.equal(run.status, 2, run.stderr);
  assert.match(run.stderr, message);
  assert.match(run.stderr, /Run 'fleet-json-exporter --help' for usage\./);
  assert.doesNotMatch(run.stderr, STACK_LINE);
  assert.equal(run.stdout, '');
}

let scratch: string;

before(() => {
  assert.ok(existsSync(CLI), `${CLI} is missing: build first (npm test runs tsc)`);
  scratch = mkdtempSync(join(tmpdir(), 'fje-cli-'));
});

after(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe('help and version', () => {
  test('--help exits 0 and documents --config.file and port 7979', () => {
    const run = runCli(['--help']);
    assert.equal(run.status, 0);
    assert.match(run.stdout, /--config\.file/);
    assert.match(run.stdout, /7979/);
    assert.match(run.stdout, /^usage: fleet-json-exporter/);
    assert.equal(run.stderr, '');
  });

  test('-h and help print the same text as --help', () => {
    const help = runCli(['--help']).stdout;
    assert.equal(runCli(['-h']).stdout, help);
    assert.equal(runCli(['help']).stdout, help);
  });

  test('--version prints the package version and exits 0', () => {
    const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    const run = runCli(['--version']);
    assert.equal(run.status, 0);
    assert.match(run.stdout, new RegExp(`^fleet-json-exporter ${version.replace(/\./g, '\\.')} \\(node v\\d+`));
  });
});

describe('check', () => {
  test('check on the reference config exits 0 and summarises modules and metrics', () => {
    const run = runCli(['check', REFERENCE_CONFIG]);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, `${REFERENCE_CONFIG}: OK, 1 module(s) (default), 2 metric(s)\n`);
  });

  test('check on a fleet config exits 0 and names its jobs', () => {
    const run = runCli(['check', fixturePath('config', 'fleet-example.yml')]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(
      run.stdout,
      /fleet-example\.yml: OK, 1 module\(s\) \(default\), 1 metric\(s\), fleet: 2 job\(s\) \(srs-edge, srs-origin\)\n$/,
    );
  });

  test("check on json_exporter's example config exits 0 with both modules", () => {
    const run = runCli(['check', fixturePath('config', 'json-exporter-example.yml')]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /OK, 2 module\(s\) \(default, animals\), 5 metric\(s\)/);
  });

  test('check loads modules without metrics, as json_exporter does, and says they export nothing', () => {
    const file = join(scratch, 'no-metrics.yml');
    writeFileSync(file, 'modules:\n  default: {}\n  auth:\n    headers: { X-Token: abc }\n  both:\n    metrics: []\n');
    const run = runCli(['check', file]);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(
      run.stdout,
      `${file}: OK, 3 module(s) (default, auth, both), 0 metric(s)\n` +
        'module "default" has no metrics: it exports nothing (a probe answers 200, empty)\n' +
        'module "auth" has no metrics: it exports nothing (a probe answers 200, empty)\n' +
        'module "both" has no metrics: it exports nothing (a probe answers 200, empty)\n',
    );
  });

  test('check on an invalid config exits 1 listing every problem at file:line:col, without a stack trace', () => {
    const run = runCli(['check', INVALID_CONFIG]);
    assert.equal(run.status, 1);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /^5 problems in the config:/);
    assert.ok(
      run.stderr.includes(
        `${INVALID_CONFIG}:6:18: modules.default.metrics[0].valuetype: must be one of gauge, counter, untyped (got "gaug")`,
      ),
      run.stderr,
    );
    assert.ok(
      run.stderr.includes(
        `${INVALID_CONFIG}:11:7: modules.default.metrics[2].lables: unknown key "lables"; did you mean "labels"?`,
      ),
      run.stderr,
    );
    assert.equal(
      run.stderr.match(new RegExp(`^${INVALID_CONFIG.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: `, 'gm'))
        ?.length,
      5,
    );
    assert.doesNotMatch(run.stderr, STACK_LINE);
  });

  test('check on a config whose module gives one family two label sets exits 1 naming the family, without a stack trace', () => {
    const file = join(scratch, 'inconsistent.yml');
    writeFileSync(
      file,
      `modules:
  default:
    metrics:
    - name: s_clients
      path: '{.total}'
    - name: s
      type: object
      path: '{.streams[*]}'
      labels: {name: '{.name}'}
      values: {clients: '{.clients}'}
`,
    );
    const run = runCli(['check', file]);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /metric "s_clients" is defined twice with different labels/);
    assert.doesNotMatch(run.stderr, STACK_LINE);
  });

  test('check on a file that does not exist exits 1 saying it cannot be read', () => {
    const run = runCli(['check', join(scratch, 'absent.yml')]);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /absent\.yml: cannot read the config file \(ENOENT/);
    assert.doesNotMatch(run.stderr, STACK_LINE);
  });

  test('check without a file, or with two, is a usage error', () => {
    assertUsageError(runCli(['check']), /check: give exactly one config file/);
    assertUsageError(runCli(['check', REFERENCE_CONFIG, INVALID_CONFIG]), /check: give exactly one config file/);
  });

  test('--config.check --config.file=… validates like check, json_exporter style', () => {
    const good = runCli(['--config.check', `--config.file=${REFERENCE_CONFIG}`]);
    assert.equal(good.status, 0, good.stderr);
    assert.equal(good.stdout, `${REFERENCE_CONFIG}: OK, 1 module(s) (default), 2 metric(s)\n`);
    const bad = runCli(['--config.check', '--config.file', INVALID_CONFIG]);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /invalid-multiple\.yml:6:18: /);
    assert.doesNotMatch(bad.stderr, STACK_LINE);
  });
});

describe('eval', () => {
  test('eval on reference-streams.json prints exactly the expected exposition', () => {
    const run = runCli(['eval', '--config', REFERENCE_CONFIG, '--module', 'default', '--file', REFERENCE_BODY]);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, EXPECTED_REFERENCE_EXPOSITION);
  });

  test('eval reports the skipped server value on stderr', () => {
    const run = runCli(['eval', '--config', REFERENCE_CONFIG, '--module', 'default', '--file', REFERENCE_BODY]);
    assert.equal(
      run.stderr,
      'skipped (not_numeric) in metric server: { .server}: "vid-69t27o3" is not a number or a boolean\n',
    );
  });

  test('eval output passes promtool check metrics', () => {
    const run = runCli(['eval', '--config', REFERENCE_CONFIG, '--file', REFERENCE_BODY]);
    const check = checkMetricsWithPromtool(run.stdout);
    assert.ok(check.ok, `promtool exit ${check.exitCode}:\n${check.output}`);
  });

  test("eval of json_exporter's example passes promtool check metrics", () => {
    const run = runCli([
      'eval',
      '--config',
      fixturePath('config', 'json-exporter-example.yml'),
      '--file',
      fixturePath('json-exporter', 'data.json'),
    ]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^example_global_value\{environment="beta",location="planet-mars"\} 1234$/m);
    const check = checkMetricsWithPromtool(run.stdout);
    assert.ok(check.ok, `promtool exit ${check.exitCode}:\n${check.output}`);
  });

  test('eval --format openmetrics ends with # EOF and reads as OpenMetrics 1.0', () => {
    const run = runCli(['eval', '--config', REFERENCE_CONFIG, '--file', REFERENCE_BODY, '--format', 'openmetrics']);
    assert.equal(run.status, 0, run.stderr);
    assert.ok(run.stdout.endsWith('\n# EOF\n'), run.stdout);
    const families = parseExposition(run.stdout, 'openmetrics');
    assert.deepEqual(
      families.map((f) => [f.name, f.type, f.samples.map((s) => s.valueText).join()]),
      [
        ['stream_clients_clients', 'unknown', '4'],
        ['stream_clients_frames', 'unknown', '0'],
        ['stream_clients_publish', 'unknown', '0'],
        ['stream_clients_recv_bytes', 'unknown', '34930'],
        ['stream_clients_send_bytes', 'unknown', '45370'],
      ],
    );
  });

  test('eval without --config uses the embedded config, whose default module is the srs_streams preset', () => {
    const run = runCli(['eval', '--file', REFERENCE_BODY]);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, readFixture('srs', 'presets', 'srs_streams.reference-streams.txt'));
  });

  test('eval --file - reads the body from stdin', () => {
    const run = runCli(
      ['eval', '--config', REFERENCE_CONFIG, '--file', '-'],
      readFixture('srs', 'reference-streams.json'),
    );
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, EXPECTED_REFERENCE_EXPOSITION);
  });

  test('eval with an unknown module exits 1 and lists the modules there are', () => {
    const run = runCli(['eval', '--config', REFERENCE_CONFIG, '--module', 'streams', '--file', REFERENCE_BODY]);
    assert.equal(run.status, 1);
    assert.equal(run.stdout, '');
    assert.equal(run.stderr, `eval: unknown module "streams"; modules in ${REFERENCE_CONFIG}: default\n`);
  });

  test('eval without --file is a usage error', () => {
    assertUsageError(runCli(['eval', '--config', REFERENCE_CONFIG]), /eval: --file <body\.json> is required/);
  });

  test('eval with a body that is not JSON exits 1 naming the file and the parse error', () => {
    const file = join(scratch, 'truncated.json');
    writeFileSync(file, '{"code":0,"streams":[');
    const run = runCli(['eval', '--config', REFERENCE_CONFIG, '--file', file]);
    assert.equal(run.status, 1);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, new RegExp(`^eval: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: invalid JSON: `));
    assert.doesNotMatch(run.stderr, STACK_LINE);
  });

  test('eval with an empty body exits 1 saying the body is empty', () => {
    const run = runCli(['eval', '--config', REFERENCE_CONFIG, '--file', '-'], '');
    assert.equal(run.status, 1);
    assert.equal(run.stderr, 'eval: -: empty body\n');
  });

  test('eval with a body file that does not exist exits 1 saying it cannot be read', () => {
    const run = runCli(['eval', '--config', REFERENCE_CONFIG, '--file', join(scratch, 'absent.json')]);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /^eval: cannot read .*absent\.json: ENOENT/);
  });

  test('eval with an invalid config exits 1 with the config problems', () => {
    const run = runCli(['eval', '--config', INVALID_CONFIG, '--file', REFERENCE_BODY]);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /invalid-multiple\.yml:6:18: /);
    assert.doesNotMatch(run.stderr, STACK_LINE);
  });

  test('eval with an unknown --format is a usage error', () => {
    assertUsageError(
      runCli(['eval', '--file', REFERENCE_BODY, '--format', 'json']),
      /eval: --format must be text or openmetrics \(got "json"\)/,
    );
  });

  test('eval with an unknown flag is a usage error', () => {
    assertUsageError(runCli(['eval', '--file', REFERENCE_BODY, '--target', 'http://x']), /eval: .*--target/);
  });
});

describe('usage errors', () => {
  test('an unknown command exits 2 with a usage hint', () => {
    assertUsageError(runCli(['probe']), /unknown command "probe"/);
  });

  test('an unknown flag exits 2 with a usage hint', () => {
    assertUsageError(runCli(['--web.listen-adress=:9000']), /--web\.listen-adress/);
  });

  test('--log.level=verbose exits 2 naming the valid levels', () => {
    assertUsageError(
      runCli(['--log.level=verbose']),
      /--log\.level must be one of debug, info, warn, error \(got "verbose"\)/,
    );
  });

  test('serve with an invalid config exits 1 before listening, without a stack trace', () => {
    const run = runCli([`--config.file=${INVALID_CONFIG}`, '--web.listen-address=127.0.0.1:0']);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /^fleet-json-exporter: 5 problems in the config:/);
    assert.doesNotMatch(run.stderr, STACK_LINE);
  });
});
