// The one recorder of scrape outcomes: metrics by module and reason, skipped values logged at warn once per generation.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { ScrapeOutcomeRecorder, type RecordedOutcome } from '../../src/scrape/record-outcome.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { createSelfMetrics } from '../../src/telemetry/self-metrics.js';

function capturedLogger(): { logger: ReturnType<typeof createLogger>; lines: () => Array<Record<string, unknown>> } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  const logger = createLogger('debug', stream);
  return {
    logger,
    lines: () =>
      text
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

const skipped: RecordedOutcome = {
  ok: true,
  sampleCount: 3,
  problemCounts: { not_numeric: 1 },
  problems: [{ metric: 'server', reason: 'not_numeric', message: 'value "vid-1" is not a number' }],
};

describe('ScrapeOutcomeRecorder', () => {
  test('counts samples, problems by reason and failures by reason, per module', async () => {
    const metrics = createSelfMetrics();
    const recorder = new ScrapeOutcomeRecorder(metrics);
    const { logger } = capturedLogger();
    recorder.record({
      module: 'm',
      target: 'http://srs:1985/',
      generation: 1,
      outcome: skipped,
      durationMs: 2,
      logger,
    });
    recorder.record({
      module: 'm',
      target: 'http://srs:1985/',
      generation: 1,
      outcome: { ok: false, reason: 'timeout', message: 'too slow' },
      durationMs: 5,
      logger,
    });
    const text = await metrics.registry.metrics();
    assert.match(text, /^fleet_json_exporter_samples_total\{module="m"\} 3$/m);
    assert.match(text, /^fleet_json_exporter_extract_problems_total\{module="m",reason="not_numeric"\} 1$/m);
    assert.match(text, /^fleet_json_exporter_target_errors_total\{module="m",reason="timeout"\} 1$/m);
    assert.match(text, /^fleet_json_exporter_probes_total\{module="m",result="success"\} 1$/m);
    assert.match(text, /^fleet_json_exporter_probes_total\{module="m",result="failure"\} 1$/m);
    assert.match(text, /^fleet_json_exporter_probe_duration_seconds_count\{module="m"\} 2$/m);
  });

  test('a skipped value is logged at warn once per config generation, then at debug', () => {
    const recorder = new ScrapeOutcomeRecorder(createSelfMetrics());
    const { logger, lines } = capturedLogger();
    for (const generation of [1, 1, 1, 2]) {
      recorder.record({ module: 'm', target: 'http://srs:1985/', generation, outcome: skipped, durationMs: 1, logger });
    }
    const levels = lines()
      .filter((line) => line.metric === 'server')
      .map((line) => line.level);
    assert.deepEqual(levels, ['warn', 'debug', 'debug', 'warn']);
  });

  test('two recorders keep their own logging state (two servers in one process)', () => {
    const { logger, lines } = capturedLogger();
    for (const recorder of [
      new ScrapeOutcomeRecorder(createSelfMetrics()),
      new ScrapeOutcomeRecorder(createSelfMetrics()),
    ]) {
      recorder.record({
        module: 'm',
        target: 'http://srs:1985/',
        generation: 1,
        outcome: skipped,
        durationMs: 1,
        logger,
      });
    }
    assert.deepEqual(
      lines().map((line) => line.level),
      ['warn', 'warn'],
    );
  });

  test('a failed scrape is logged at warn with target, module and reason, then at most once per window per target', () => {
    let now = 1_000_000;
    const recorder = new ScrapeOutcomeRecorder(createSelfMetrics(), { now: () => now, failureWarnIntervalMs: 60_000 });
    const { logger, lines } = capturedLogger();
    const fail = (target: string): void =>
      recorder.record({
        module: 'm',
        target,
        generation: 1,
        outcome: { ok: false, reason: 'connection_refused', message: 'connect ECONNREFUSED 10.0.0.1:1985' },
        durationMs: 1,
        // As /probe and fleet mode build it: the child logger carries the redacted target and the module.
        logger: logger.child({ module: 'm', target }),
      });
    fail('http://xxxxx@srs-0:1985/');
    fail('http://xxxxx@srs-0:1985/');
    fail('http://srs-1:1985/');
    now += 30_000;
    fail('http://xxxxx@srs-0:1985/');
    now += 30_000;
    fail('http://xxxxx@srs-0:1985/');
    const failures = lines().filter((line) => line.reason === 'connection_refused');
    assert.deepEqual(
      failures.map((line) => [line.level, line.target, line.failures_not_logged]),
      [
        ['warn', 'http://xxxxx@srs-0:1985/', undefined],
        ['debug', 'http://xxxxx@srs-0:1985/', undefined],
        ['warn', 'http://srs-1:1985/', undefined],
        ['debug', 'http://xxxxx@srs-0:1985/', undefined],
        ['warn', 'http://xxxxx@srs-0:1985/', 2],
      ],
    );
    const first = failures[0] as Record<string, unknown>;
    assert.equal(first.module, 'm');
    assert.equal(first.err, 'connect ECONNREFUSED 10.0.0.1:1985');
    assert.match(String(first.msg), /^scrape failed/);
  });

  test('with debug off, the logger is read only for lines written: a skipped value already warned reads none', () => {
    const recorder = new ScrapeOutcomeRecorder(createSelfMetrics());
    const { logger } = capturedLogger();
    let reads = 0;
    const scrape = (outcome: RecordedOutcome) => ({
      module: 'm',
      target: 'http://srs:1985/',
      generation: 1,
      outcome,
      durationMs: 1,
      debugEnabled: false,
      get logger() {
        reads++;
        return logger;
      },
    });
    recorder.record(scrape({ ok: true, sampleCount: 1, problemCounts: {}, problems: [] }));
    assert.equal(reads, 0, 'a clean scrape reads no logger');
    recorder.record(scrape(skipped));
    assert.equal(reads, 1, 'the first skipped value is warned');
    recorder.record(scrape(skipped));
    recorder.record(scrape(skipped));
    assert.equal(reads, 1, 'the same skipped value again is a debug line, dropped without reading the logger');
  });
});
