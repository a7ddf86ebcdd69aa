// Serve flags: defaults as json_exporter's, and every bad value refused with a usage error naming the flag.
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { test } from 'node:test';
import { UsageError } from '../../src/commands/errors.js';
import { parseServeFlags } from '../../src/commands/flags.js';
import { applyRuntimeFlags } from '../../src/commands/runtime-flags.js';

test('defaults: :7979, /metrics, info, 32 MiB bodies, 500 ms offset, embedded config, one worker per CPU', () => {
  assert.deepEqual(parseServeFlags([]), {
    configFile: undefined,
    configCheck: false,
    listenAddress: ':7979',
    telemetryPath: '/metrics',
    logLevel: 'info',
    maxBodyBytes: 33_554_432,
    timeoutOffsetMs: 500,
    workers: availableParallelism(),
    workersInlineMaxBytes: 32768,
    probeAndShutdown: {
      probeLimits: { maxConcurrent: 256, maxQueue: 1024 },
      targetPolicy: { allowPrefixes: [], allowRegexes: [], allowCidrs: [], denyLocal: false },
      shutdownTimeoutMs: 15_000,
    },
    workersMaxHeapMb: 1024,
    workersIdleTimeoutMs: 60_000,
  });
});

test('the probe limits, target policy and shutdown deadline are read; rules are repeatable', () => {
  const flags = parseServeFlags([
    '--probe.max-concurrent=8',
    '--probe.max-queue=0',
    '--probe.allow-target-prefix=http://srs:1985/api/',
    '--probe.allow-target-prefix',
    'https://edge.example/',
    '--probe.allow-target-regex=http://srs-\\d+:1985/.*',
    '--probe.allow-target-cidr=10.0.0.0/8',
    '--probe.deny-local-targets',
    '--shutdown.timeout=3s',
  ]);
  assert.deepEqual(flags.probeAndShutdown, {
    probeLimits: { maxConcurrent: 8, maxQueue: 0 },
    targetPolicy: {
      allowPrefixes: ['http://srs:1985/api/', 'https://edge.example/'],
      allowRegexes: ['http://srs-\\d+:1985/.*'],
      allowCidrs: ['10.0.0.0/8'],
      denyLocal: true,
    },
    shutdownTimeoutMs: 3000,
  });
});

test('a bad probe limit, rule or shutdown deadline is a usage error naming the flag', () => {
  const cases: ReadonlyArray<readonly [string, RegExp]> = [
    ['--probe.max-concurrent=0', /--probe\.max-concurrent must be a whole number of at least 1 \(got "0"\)/],
    ['--probe.max-queue=-1', /--probe\.max-queue must be a whole number of at least 0/],
    [
      '--probe.allow-target-prefix=srs:1985',
      /--probe\.allow-target-prefix: "srs:1985" is not an absolute http\(s\) URL/,
    ],
    ['--probe.allow-target-regex=http://(', /--probe\.allow-target-regex: "http:\/\/\(" is not a regular expression/],
    ['--probe.allow-target-cidr=10.0.0.0/33', /--probe\.allow-target-cidr: "10\.0\.0\.0\/33" is not a CIDR/],
    ['--probe.allow-target-cidr=srs', /is not a CIDR/],
    ['--shutdown.timeout=soon', /--shutdown\.timeout: /],
  ];
  for (const [flag, message] of cases) {
    assert.throws(
      () => parseServeFlags([flag]),
      (err: Error) => err.name === 'UsageError' && message.test(err.message),
      flag,
    );
  }
});

test('--workers=0 turns the pool off; the queue bound and inline threshold are read as numbers', () => {
  const flags = parseServeFlags([
    '--workers=0',
    '--workers.max-queue',
    '0',
    '--workers.inline-max-bytes=1024',
    '--workers.idle-timeout=5m',
  ]);
  assert.equal(flags.workers, 0);
  assert.equal(flags.workersMaxQueue, 0);
  assert.equal(flags.workersInlineMaxBytes, 1024);
  assert.equal(flags.workersIdleTimeoutMs, 300_000);
  assert.equal(parseServeFlags(['--workers.idle-timeout=0']).workersIdleTimeoutMs, 0);
});

test('kingpin spellings --flag=value and --flag value are both read', () => {
  const flags = parseServeFlags([
    '--config.file',
    'c.yml',
    '--web.listen-address=127.0.0.1:9',
    '--scrape.timeout-offset=1s',
  ]);
  assert.equal(flags.configFile, 'c.yml');
  assert.equal(flags.listenAddress, '127.0.0.1:9');
  assert.equal(flags.timeoutOffsetMs, 1000);
});

test("--web.config.file (exporter-toolkit's flag) is read, and absent when not given", () => {
  assert.equal(parseServeFlags(['--web.config.file=web.yml']).webConfigFile, 'web.yml');
  assert.equal(parseServeFlags(['--web.config.file', 'other.yml']).webConfigFile, 'other.yml');
  assert.equal('webConfigFile' in parseServeFlags([]), false);
});

test('--shard.total and --shard.index are read as whole numbers, and absent when not given', () => {
  assert.deepEqual(
    { ...parseServeFlags(['--shard.total=3', '--shard.index', '2']) },
    { ...parseServeFlags([]), shardTotal: 3, shardIndex: 2 },
  );
  assert.equal('shardTotal' in parseServeFlags([]), false);
  assert.equal(parseServeFlags(['--shard.index=0']).shardIndex, 0);
});

test("--runtime.heap-growing-percent is read as a whole number, absent when not given, and set as V8's flag", () => {
  assert.equal(parseServeFlags(['--runtime.heap-growing-percent=50']).runtimeHeapGrowingPercent, 50);
  assert.equal('runtimeHeapGrowingPercent' in parseServeFlags([]), false);
  const set: string[] = [];
  assert.deepEqual(
    applyRuntimeFlags({ runtimeHeapGrowingPercent: 50 }, (flag) => set.push(flag)),
    ['--heap-growing-percent=50'],
  );
  assert.deepEqual(set, ['--heap-growing-percent=50']);
  assert.deepEqual(
    applyRuntimeFlags(parseServeFlags([]), (flag) => set.push(flag)),
    [],
    "V8's own factor by default",
  );
  assert.equal(set.length, 1);
});

for (const [args, message] of [
  [['--runtime.heap-growing-percent=0'], /--runtime\.heap-growing-percent must be a whole number of at least 1/],
  [['--runtime.heap-growing-percent=1.5'], /--runtime\.heap-growing-percent must be a whole number of at least 1/],
  [['--shard.total=0'], /--shard\.total must be a whole number of at least 1 \(got "0"\)/],
  [['--shard.total=two'], /--shard\.total must be a whole number of at least 1/],
  [['--shard.index=-1'], /--shard\.index must be a whole number of at least 0 \(got "-1"\)/],
  [
    ['--shard.total=3', '--shard.index=3'],
    /--shard\.index must be less than --shard\.total \(3\); shards are numbered 0 to 2 \(got 3\)/,
  ],
  [['--scrape.max-body-bytes=0'], /--scrape\.max-body-bytes must be a positive whole number of bytes \(got "0"\)/],
  [['--scrape.max-body-bytes=1.5'], /--scrape\.max-body-bytes must be a positive whole number/],
  [['--scrape.max-body-bytes=lots'], /--scrape\.max-body-bytes must be a positive whole number/],
  [['--web.telemetry-path=metrics'], /--web\.telemetry-path must be a path starting with "\/"/],
  [['--web.telemetry-path=/probe'], /other than "\/" and "\/probe"/],
  [['--scrape.timeout-offset=half'], /^--scrape\.timeout-offset: /],
  [['--workers=-1'], /--workers must be a whole number of at least 0 \(got "-1"\)/],
  [['--workers=two'], /--workers must be a whole number of at least 0 \(got "two"\)/],
  [['--workers.max-queue=1.5'], /--workers\.max-queue must be a whole number of at least 0/],
  [['--workers.inline-max-bytes='], /--workers\.inline-max-bytes must be a whole number of at least 0/],
  [['--workers.idle-timeout=soon'], /^--workers\.idle-timeout: /],
  [['--log.level=trace'], /--log\.level must be one of debug, info, warn, error \(got "trace"\)/],
  [['--config.file'], /--config\.file/],
  [['positional'], /positional/],
] as const) {
  test(`${args.join(' ')} is a usage error`, () => {
    assert.throws(
      () => parseServeFlags(args),
      (err: unknown) => {
        assert.ok(err instanceof UsageError);
        assert.equal(err.code, 'FJE_USAGE');
        assert.match(err.message, message);
        assert.match(err.message, /Run 'fleet-json-exporter --help' for usage\.$/);
        return true;
      },
    );
  });
}
