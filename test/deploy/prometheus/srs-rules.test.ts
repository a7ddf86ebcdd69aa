// deploy/prometheus/srs-rules.yml: valid for Prometheus, each rule computes what it says (promtool's rule unit tests), and
// it is the chart's file, not a copy.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../../helpers/fixtures.js';
import { runPromtool } from '../../helpers/promtool.js';

const RULES = join(repoRoot, 'deploy', 'prometheus', 'srs-rules.yml');
const CHART_RULES = join(repoRoot, 'deploy', 'helm', 'fleet-json-exporter', 'files', 'srs-rules.yml');

test("deploy/prometheus/srs-rules.yml is the Helm chart's rules file itself (one source)", () => {
  assert.equal(realpathSync(RULES), realpathSync(CHART_RULES));
  assert.equal(readFileSync(RULES, 'utf8'), readFileSync(CHART_RULES, 'utf8'));
});

test('promtool check rules accepts the SRS rules file', () => {
  const result = runPromtool(['check', 'rules', RULES]);
  assert.equal(result.exitCode, 0, result.output);
  assert.match(result.output, /SUCCESS: 6 rules found/);
});

// Two SRS pods in namespace `live` (edge-0 also behind Service `srs-edge`, as dns_sd SRV names give it); one server
// without Kubernetes labels (probe mode): grouping keeps `instance`. The HPA needs namespace + pod (Pods metric) or
// namespace + service (Object metric) on stream_total_clients_by_pod.
const UNIT_TESTS = `rule_files: [${JSON.stringify(RULES)}]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - { series: 'srs_stream_clients{namespace="live",service="srs-edge",instance="10.0.0.1:1985",pod="srs-edge-0",app="live",stream="a",vhost="v"}', values: '3 3 4' }
      - { series: 'srs_stream_clients{namespace="live",service="srs-edge",instance="10.0.0.1:1985",pod="srs-edge-0",app="live",stream="b",vhost="v"}', values: '2 2 2' }
      - { series: 'srs_stream_clients{namespace="live",instance="10.0.0.2:1985",pod="srs-edge-1",app="live",stream="a",vhost="v"}', values: '7 7 7' }
      - { series: 'srs_stream_clients{instance="http://srs-2:1985/api/v1/streams/",app="live",stream="c",vhost="v"}', values: '1 1 1' }
      - { series: 'srs_stream_publishing{instance="10.0.0.1:1985",pod="srs-edge-0",app="live",stream="a",vhost="v"}', values: '1 1 1' }
      - { series: 'srs_stream_publishing{instance="10.0.0.1:1985",pod="srs-edge-0",app="live",stream="b",vhost="v"}', values: '0 0 0' }
      - { series: 'srs_stream_send_kbps{instance="10.0.0.1:1985",pod="srs-edge-0",app="live",stream="a",vhost="v"}', values: '640 640 640' }
      - { series: 'srs_stream_receive_kbps{instance="10.0.0.1:1985",pod="srs-edge-0",app="live",stream="a",vhost="v"}', values: '320 320 320' }
      - { series: 'srs_stream_send_bytes_total{instance="10.0.0.1:1985",pod="srs-edge-0",app="live",stream="a",vhost="v"}', values: '0+6000x3' }
    promql_expr_test:
      - expr: stream_total_clients_by_pod
        eval_time: 2m
        exp_samples:
          - { labels: 'stream_total_clients_by_pod{namespace="live",service="srs-edge",instance="10.0.0.1:1985",pod="srs-edge-0"}', value: 6 }
          - { labels: 'stream_total_clients_by_pod{namespace="live",instance="10.0.0.2:1985",pod="srs-edge-1"}', value: 7 }
          - { labels: 'stream_total_clients_by_pod{instance="http://srs-2:1985/api/v1/streams/"}', value: 1 }
      - expr: srs:stream_publishing:sum_by_pod
        eval_time: 1m
        exp_samples:
          - { labels: 'srs:stream_publishing:sum_by_pod{instance="10.0.0.1:1985",pod="srs-edge-0"}', value: 1 }
      - expr: srs:stream_send_kbps:sum_by_pod
        eval_time: 1m
        exp_samples:
          - { labels: 'srs:stream_send_kbps:sum_by_pod{instance="10.0.0.1:1985",pod="srs-edge-0"}', value: 640 }
      - expr: srs:stream_receive_kbps:sum_by_pod
        eval_time: 1m
        exp_samples:
          - { labels: 'srs:stream_receive_kbps:sum_by_pod{instance="10.0.0.1:1985",pod="srs-edge-0"}', value: 320 }
      - expr: srs:stream_send_bytes:rate1m_by_pod
        eval_time: 2m
        exp_samples:
          - { labels: 'srs:stream_send_bytes:rate1m_by_pod{instance="10.0.0.1:1985",pod="srs-edge-0"}', value: 100 }
      - expr: srs:stream_clients:sum
        eval_time: 2m
        exp_samples:
          - { labels: 'srs:stream_clients:sum', value: 14 }
`;

test('promtool test rules: each recording rule gives the expected series on known input', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fje-rules-'));
  try {
    const file = join(dir, 'srs-rules.test.yml');
    writeFileSync(file, UNIT_TESTS);
    const result = runPromtool(['test', 'rules', file]);
    assert.equal(result.exitCode, 0, result.output);
    assert.match(result.output, /SUCCESS/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
