// The Helm chart, rendered (tools/chart-render, helm's semantics) in each supported shape and checked for what breaks a
// deployment: schema validity, selectors, ports and probe paths against the app's flags, shards, monitors, the config.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, describe, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { startFleetSimulator } from '../../../bench/simulator/fleet-simulator.js';
import { parseServeFlags } from '../../../src/commands/flags.js';
import { startExporter } from '../../../src/commands/serve.js';
import { resolveShardAssignment } from '../../../src/discovery/shard-assignment.js';
import {
  CHART_DIR,
  findAll,
  findOne,
  type K8sObject,
  chartTemplate,
  renderChart,
  selects,
  validateObject,
} from '../../helpers/chart.js';
import { repoRoot } from '../../helpers/fixtures.js';
import { httpGet } from '../../helpers/http.js';
import { runPromtool } from '../../helpers/promtool.js';
import { waitFor } from '../../helpers/wait-for.js';
import { createLogger } from '../../../src/telemetry/logger.js';

const CLI = join(repoRoot, 'dist', 'src', 'cli.js');
const work = mkdtempSync(join(tmpdir(), 'fje-chart-'));
after(() => rmSync(work, { recursive: true, force: true }));

// biome-ignore lint/suspicious/noExplicitAny: pod specs of rendered manifests, validated by the schemas first.
type PodSpec = any;

function workload(objects: readonly K8sObject[]): K8sObject {
  const found = [...findAll(objects, 'StatefulSet'), ...findAll(objects, 'Deployment')];
  assert.equal(found.length, 1, 'one workload');
  return found[0] as K8sObject;
}

function exporterContainer(pod: PodSpec) {
  const container = pod.containers.find((c: { name: string }) => c.name === 'exporter');
  assert.ok(container, 'the exporter container');
  return container;
}

/** The config.yml the pods read, run through the exporter's own `check` (exit 0 and its summary). */
function checkConfig(objects: readonly K8sObject[], name: string): { text: string; output: string } {
  const configMap = findOne(objects, 'ConfigMap', name);
  const text = configMap.data?.['config.yml'];
  assert.ok(text, 'config.yml in the ConfigMap');
  const file = join(work, `${name}-${createHash('sha256').update(text).digest('hex').slice(0, 8)}.yml`);
  writeFileSync(file, text);
  const result = spawnSync(process.execPath, [CLI, 'check', file], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(result.status, 0, `check ${file}:\n${result.stdout}${result.stderr}`);
  return { text, output: result.stdout };
}

/** Every assertion that holds for the aggregator and the probe workloads alike. */
function assertWorkloadWiring(objects: readonly K8sObject[]): void {
  for (const object of objects) validateObject(object);
  const kinds = objects.map((o) => `${o.kind}/${o.metadata.name}`);
  assert.equal(new Set(kinds).size, kinds.length, `no two objects of a kind share a name: ${kinds.join(', ')}`);
  const work = workload(objects);
  const podLabels = work.spec.template.metadata.labels;
  assert.ok(selects(work.spec.selector.matchLabels, podLabels), 'the workload selects its own pods');
  const service = findOne(objects, 'Service');
  assert.ok(selects(service.spec.selector, podLabels), 'the Service selects the pods');
  assert.ok(
    selects(findOne(objects, 'PodDisruptionBudget').spec.selector.matchLabels, podLabels),
    'the PDB selects the pods',
  );

  const pod: PodSpec = work.spec.template.spec;
  const container = exporterContainer(pod);
  // The app's own flag parser on the container's args: the port it listens on is the port the pod declares.
  const flags = parseServeFlags(container.args);
  const listenPort = Number(flags.listenAddress.split(':').pop());
  const ports = new Map<string, number>(
    container.ports.map((p: { name: string; containerPort: number }) => [p.name, p.containerPort]),
  );
  assert.equal(ports.get('http'), listenPort, '--web.listen-address and containerPort agree');
  const servicePort = service.spec.ports.find((p: { name: string }) => p.name === 'http');
  assert.ok(ports.has(servicePort.targetPort), "the Service's targetPort names a container port");
  for (const [probe, path] of [
    ['livenessProbe', '/-/healthy'],
    ['readinessProbe', '/-/ready'],
  ] as const) {
    assert.equal(container[probe].httpGet.path, path, probe);
    assert.ok(ports.has(container[probe].httpGet.port), `${probe} port names a container port`);
  }
  // The config file the flag names is the one the ConfigMap provides.
  const mount = container.volumeMounts.find((m: { name: string }) => m.name === 'config');
  const volume = pod.volumes.find((v: { name: string }) => v.name === 'config');
  const configItem = volume.projected.sources[0].configMap;
  assert.equal(flags.configFile, `${mount.mountPath}/${configItem.items[0].path}`);
  findOne(objects, 'ConfigMap', configItem.name);
  // Restricted Pod Security Standard.
  assert.equal(pod.securityContext.runAsNonRoot, true);
  assert.equal(pod.securityContext.seccompProfile.type, 'RuntimeDefault');
  assert.equal(container.securityContext.allowPrivilegeEscalation, false);
  assert.equal(container.securityContext.readOnlyRootFilesystem, true);
  assert.deepEqual(container.securityContext.capabilities.drop, ['ALL']);
  assert.equal(pod.serviceAccountName, findOne(objects, 'ServiceAccount').metadata.name);

  // The ServiceMonitor scraping the exporter's /metrics selects the Service, on a port it has, in its namespace.
  const monitor = findOne(objects, 'ServiceMonitor', work.metadata.name);
  assert.ok(
    selects(monitor.spec.selector.matchLabels, service.metadata.labels),
    'the ServiceMonitor selects the Service',
  );
  assert.deepEqual(monitor.spec.namespaceSelector.matchNames, [service.metadata.namespace]);
  assert.equal(monitor.spec.endpoints[0].port, servicePort.name);
  assert.equal(monitor.spec.endpoints[0].path, flags.telemetryPath);
}

function assertShards(objects: readonly K8sObject[], shards: number): void {
  const set = findOne(objects, 'StatefulSet');
  assert.equal(set.spec.replicas, shards);
  assert.equal(set.spec.serviceName, findOne(objects, 'Service').metadata.name, 'the governing Service exists');
  assert.equal(findOne(objects, 'Service').spec.clusterIP, 'None');
  const flags = parseServeFlags(exporterContainer(set.spec.template.spec).args);
  assert.equal(flags.shardTotal, shards, '--shard.total equals the replicas');
  assert.equal(flags.shardIndex, undefined, 'the index comes from the pod ordinal');
  const config = parseYaml(findOne(objects, 'ConfigMap', set.metadata.name).data?.['config.yml'] ?? '');
  // Each StatefulSet pod resolves its own shard, as the exporter does at start: 0..N-1, every one once.
  const indexes = Array.from({ length: shards }, (_, ordinal) =>
    resolveShardAssignment({
      // As loaded: an absent fleet.shard stays absent (a flag may then set it without contradicting the file).
      config: config.fleet.shard ?? {},
      flags: { total: flags.shardTotal as number },
      hostname: `${set.metadata.name}-${ordinal}`,
    }),
  );
  assert.deepEqual(
    indexes,
    Array.from({ length: shards }, (_, index) => ({ total: shards, index })),
  );
}

describe('defaults (aggregator, one shard)', () => {
  const objects = renderChart();

  test('renders the aggregator objects, each valid against its schema, wired together', () => {
    assert.deepEqual(objects.map((o) => o.kind).sort(), [
      'ConfigMap',
      'PodDisruptionBudget',
      'Service',
      'ServiceAccount',
      'ServiceMonitor',
      'StatefulSet',
    ]);
    assertWorkloadWiring(objects);
    assertShards(objects, 1);
  });

  test("the ConfigMap's config passes the exporter's own check, fleet mode included", () => {
    const { output } = checkConfig(objects, 'release-name-fleet-json-exporter');
    assert.match(output, /fleet: 1 job\(s\) \(srs-edge\)/);
  });

  test('the config checksum annotation is the hash of config.yml and changes with it', () => {
    const text = findOne(objects, 'ConfigMap').data?.['config.yml'] ?? '';
    const annotation = findOne(objects, 'StatefulSet').spec.template.metadata.annotations['checksum/config'];
    assert.equal(annotation, createHash('sha256').update(text.replace(/\n$/, '')).digest('hex'));
    const changed = renderChart(['--set', 'config.fleet.scrape_interval=30s']);
    assert.notEqual(findOne(changed, 'StatefulSet').spec.template.metadata.annotations['checksum/config'], annotation);
  });

  test('the ServiceMonitor keeps the fleet labels (honorLabels) and drops the exporter pod as a `pod` label', () => {
    const endpoint = findOne(objects, 'ServiceMonitor').spec.endpoints[0];
    assert.equal(endpoint.honorLabels, true);
    assert.deepEqual(endpoint.relabelings[0], { action: 'labeldrop', regex: '(pod|service|container|endpoint)' });
  });
});

describe('aggregator with 3 shards, file_sd targets, credentials, web config and a NetworkPolicy', () => {
  const values = join(work, 'three-shards.yml');
  writeFileSync(
    values,
    `aggregator: { shards: 3 }
fileSd:
  srs-edge.yml:
    - targets: ["10.0.0.7:1985", "10.0.0.8:1985"]
      labels: { namespace: live, pod: srs-edge-0 }
credentials: { stringData: { srs-password: s3cret } }
webConfig:
  enabled: true
  content: { basic_auth_users: { prometheus: "$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi" } }
networkPolicy:
  enabled: true
  ingressFrom: [{ namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: monitoring } } }]
`,
  );
  const objects = renderChart(['-f', values, '--namespace', 'streaming', '--release-name', 'srs']);

  test('valid and wired; shard total equals the 3 replicas and each pod gets its own index', () => {
    assertWorkloadWiring(objects);
    assertShards(objects, 3);
    assert.ok(objects.every((o) => o.metadata.namespace === 'streaming'));
  });

  test("file_sd files land where the job's glob looks, beside config.yml, outside the checksum", () => {
    const set = findOne(objects, 'StatefulSet');
    const sources = set.spec.template.spec.volumes.find((v: { name: string }) => v.name === 'config').projected.sources;
    const targets = findOne(objects, 'ConfigMap', 'srs-fleet-json-exporter-targets');
    const items = sources.find((s: { configMap?: { name: string } }) => s.configMap?.name === targets.metadata.name)
      .configMap.items;
    assert.deepEqual(items, [{ key: 'srs-edge.yml', path: 'targets/srs-edge.yml' }]);
    const config = parseYaml(checkConfig(objects, 'srs-fleet-json-exporter').text);
    assert.deepEqual(config.fleet.jobs[0].file_sd, ['targets/*.yml']);
    assert.deepEqual(parseYaml(targets.data?.['srs-edge.yml'] ?? ''), [
      { targets: ['10.0.0.7:1985', '10.0.0.8:1985'], labels: { namespace: 'live', pod: 'srs-edge-0' } },
    ]);
  });

  test('the web config Secret is mounted where --web.config.file points; credentials are mounted', () => {
    const pod = findOne(objects, 'StatefulSet').spec.template.spec;
    const flags = parseServeFlags(exporterContainer(pod).args);
    assert.equal(flags.webConfigFile, '/etc/fleet-json-exporter/web-config.yml');
    const web = findOne(objects, 'Secret', 'srs-fleet-json-exporter-web-config');
    assert.match(web.stringData?.['web-config.yml'] ?? '', /basic_auth_users:/);
    const mounted = pod.volumes.find((v: { name: string }) => v.name === 'credentials');
    assert.equal(
      mounted.secret.secretName,
      findOne(objects, 'Secret', 'srs-fleet-json-exporter-credentials').metadata.name,
    );
  });

  test('the NetworkPolicy selects the pods and opens only the http port to the given peers', () => {
    const policy = findOne(objects, 'NetworkPolicy');
    assert.ok(
      selects(policy.spec.podSelector.matchLabels, findOne(objects, 'StatefulSet').spec.template.metadata.labels),
    );
    assert.deepEqual(policy.spec.ingress[0].ports, [{ port: 'http', protocol: 'TCP' }]);
    assert.equal(policy.spec.ingress[0].from.length, 1);
  });
});

describe('probe mode', () => {
  const values = join(work, 'probe.yml');
  writeFileSync(
    values,
    `mode: probe
probe:
  replicas: 2
  targets:
    - name: srs-edge
      urls: ["http://srs-edge-0.srs-edge.live.svc:1985/api/v1/streams/", "http://srs-edge-1.srs-edge.live.svc:1985/api/v1/streams/"]
      labels: { team: video }
    - name: srs-origin
      module: srs_summaries
      urls: ["http://srs-origin.live.svc:1985/api/v1/summaries"]
config:
  modules:
    default: { preset: srs_streams }
    srs_summaries: { preset: srs_summaries }
`,
  );
  const objects = renderChart(['-f', values]);

  test('a Deployment serving /probe, valid and wired, with a config without fleet:', () => {
    assertWorkloadWiring(objects);
    assert.equal(findOne(objects, 'Deployment').spec.replicas, 2);
    assert.deepEqual(findAll(objects, 'StatefulSet'), []);
    const { text } = checkConfig(objects, 'release-name-fleet-json-exporter');
    assert.equal(parseYaml(text).fleet, undefined);
  });

  test('one ServiceMonitor per target list, one /probe endpoint per URL with module and target, as json_exporter users write it', () => {
    const service = findOne(objects, 'Service');
    const monitor = findOne(objects, 'ServiceMonitor', 'release-name-fleet-json-exporter-srs-edge');
    assert.ok(selects(monitor.spec.selector.matchLabels, service.metadata.labels));
    assert.deepEqual(
      monitor.spec.endpoints.map((e: { port: string; path: string; params: unknown }) => [e.port, e.path, e.params]),
      [
        [
          'http',
          '/probe',
          { module: ['default'], target: ['http://srs-edge-0.srs-edge.live.svc:1985/api/v1/streams/'] },
        ],
        [
          'http',
          '/probe',
          { module: ['default'], target: ['http://srs-edge-1.srs-edge.live.svc:1985/api/v1/streams/'] },
        ],
      ],
    );
    const origin = findOne(objects, 'ServiceMonitor', 'release-name-fleet-json-exporter-srs-origin');
    assert.deepEqual(origin.spec.endpoints[0].params.module, ['srs_summaries']);
    const config = parseYaml(findOne(objects, 'ConfigMap').data?.['config.yml'] ?? '');
    for (const m of findAll(objects, 'ServiceMonitor').flatMap((s) => s.spec.endpoints)) {
      if (m.path === '/probe') assert.ok(config.modules[m.params.module[0]], `module ${m.params.module[0]} exists`);
    }
  });

  test('monitorKind Probe: Prometheus Operator Probes whose prober is the Service', () => {
    const probes = renderChart(['-f', values, '--set', 'probe.monitorKind=Probe']);
    for (const object of probes) validateObject(object);
    const probe = findOne(probes, 'Probe', 'release-name-fleet-json-exporter-srs-edge');
    const service = findOne(probes, 'Service');
    assert.equal(probe.spec.prober.url, `${service.metadata.name}.default.svc:${service.spec.ports[0].port}`);
    assert.equal(probe.spec.prober.path, '/probe');
    assert.equal(probe.spec.targets.staticConfig.static.length, 2);
  });
});

describe('sidecar snippet', () => {
  const result = chartTemplate(['--set', 'mode=sidecar', '--notes']);
  const [manifests = '', notes = ''] = result.stdout.split(/^NOTES:\n/m);
  const objects = renderChart(['--set', 'mode=sidecar']);

  test('renders only the ConfigMap and a PodMonitor; the notes carry the container and volume to add', () => {
    assert.equal(result.exitCode, 0, result.stderr);
    assert.ok(manifests.length > 0);
    for (const object of objects) validateObject(object);
    assert.deepEqual(objects.map((o) => o.kind).sort(), ['ConfigMap', 'PodMonitor']);
    assert.match(notes, /containers:/);
  });

  test("an SRS Deployment with the snippet added is valid, and the sidecar reads the chart's ConfigMap in the seed's layout", () => {
    const block = notes.slice(
      notes.lastIndexOf('\n', notes.indexOf('containers:')) + 1,
      notes.indexOf('The PodMonitor'),
    );
    const indent = /^ */.exec(block)?.[0].length ?? 0;
    const snippet = parseYaml(
      block
        .split('\n')
        .map((line) => line.slice(indent))
        .join('\n'),
    );
    const srs = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'srs-edge', namespace: 'default' },
      spec: {
        selector: { matchLabels: { app: 'srs' } },
        template: {
          metadata: { labels: { app: 'srs' } },
          spec: {
            containers: [
              { name: 'srs', image: 'ossrs/srs:6', ports: [{ name: 'api', containerPort: 1985 }] },
              ...snippet.containers,
            ],
            volumes: snippet.volumes,
          },
        },
      },
    } as K8sObject;
    validateObject(srs);
    const sidecar = snippet.containers[0];
    assert.deepEqual(sidecar.args, ['--config.file', '/config.yml']);
    assert.equal(parseServeFlags(sidecar.args).configFile, '/config.yml');
    const mount = sidecar.volumeMounts[0];
    assert.deepEqual([mount.mountPath, mount.subPath], ['/config.yml', 'config.yml']);
    const volume = snippet.volumes.find((v: { name: string }) => v.name === mount.name);
    const configMap = findOne(objects, 'ConfigMap', volume.configMap.name);
    checkConfig(objects, configMap.metadata.name);
    const podMonitor = findOne(objects, 'PodMonitor');
    assert.ok(
      selects(podMonitor.spec.selector.matchLabels, srs.spec.template.metadata.labels),
      'the PodMonitor selects the SRS pods',
    );
    const endpoint = podMonitor.spec.podMetricsEndpoints[0];
    assert.equal(
      sidecar.ports.find((p: { name: string }) => p.name === endpoint.port)?.containerPort,
      Number(parseServeFlags(sidecar.args).listenAddress.split(':').pop()),
    );
    assert.deepEqual(endpoint.params, { module: ['default'], target: ['http://127.0.0.1:1985/api/v1/streams/'] });
    assert.equal(sidecar.securityContext.runAsNonRoot, true);
  });
});

describe('PrometheusRule, HPA and dashboard on', () => {
  const objects = renderChart([
    '--set',
    'prometheusRule.enabled=true,srsAutoscaling.enabled=true,srsAutoscaling.adapterRules=true,grafanaDashboard.enabled=true',
  ]);
  const rulesFile = parseYaml(readFileSync(join(CHART_DIR, 'files', 'srs-rules.yml'), 'utf8'));

  test('every object is valid against its schema', () => {
    for (const object of objects) validateObject(object);
    assertWorkloadWiring(objects);
  });

  test('the PrometheusRule carries srs-rules.yml unchanged plus the alerts, and promtool accepts them', () => {
    const rule = findOne(objects, 'PrometheusRule');
    const groups = rule.spec.groups as Array<{ name: string; rules: Array<{ alert?: string }> }>;
    assert.deepEqual(groups.slice(0, rulesFile.groups.length), rulesFile.groups);
    const alerts = groups.flatMap((g) => g.rules.map((r) => r.alert)).filter((a) => a !== undefined);
    assert.deepEqual(alerts, [
      'FleetJsonExporterDown',
      'FleetJsonExporterTargetDown',
      'FleetJsonExporterScrapeErrors',
      'FleetJsonExporterConfigReloadFailed',
    ]);
    const file = join(work, 'prometheusrule-groups.yml');
    writeFileSync(file, JSON.stringify({ groups }));
    const checked = runPromtool(['check', 'rules', file]);
    assert.equal(checked.exitCode, 0, checked.output);
    assert.match(checked.output, /SUCCESS: 10 rules found/);
    // The exporter-down alert watches the job the ServiceMonitor gives the exporter: the Service's name.
    assert.match(
      JSON.stringify(groups),
      /up\{job=\\"release-name-fleet-json-exporter\\", namespace=\\"default\\"\} == 0/,
    );
  });

  test('the HPA, the adapter rule and the recording rule agree on the metric name and its labels', () => {
    const hpa = findOne(objects, 'HorizontalPodAutoscaler');
    assert.deepEqual(hpa.spec.metrics[0].type, 'Pods');
    const metricName = hpa.spec.metrics[0].pods.metric.name;
    const recording = rulesFile.groups[0].rules.find((r: { record?: string }) => r.record === metricName);
    assert.ok(recording, `${metricName} is recorded by srs-rules.yml`);
    const by = /sum by \(([^)]*)\)/.exec(recording.expr)?.[1]?.split(/,\s*/) ?? [];
    const adapter = parseYaml(
      findOne(objects, 'ConfigMap', 'release-name-fleet-json-exporter-adapter-rules').data?.['config.yaml'] ?? '',
    );
    assert.deepEqual(
      adapter,
      parseYaml(readFileSync(join(CHART_DIR, 'files', 'prometheus-adapter-rules.yml'), 'utf8')),
    );
    const rule = adapter.rules[0];
    assert.equal(rule.name.as, metricName);
    assert.match(rule.seriesQuery, new RegExp(`^${metricName}\\{`));
    for (const label of Object.keys(rule.resources.overrides)) assert.ok(by.includes(label), `the rule keeps ${label}`);
    assert.deepEqual(Object.keys(rule.resources.overrides).sort(), ['namespace', 'pod', 'service']);
    const object = renderChart(['--set', 'srsAutoscaling.enabled=true,srsAutoscaling.metricType=Object']);
    const objectHpa = findOne(object, 'HorizontalPodAutoscaler');
    validateObject(objectHpa);
    assert.deepEqual(objectHpa.spec.metrics[0].object.describedObject, {
      apiVersion: 'v1',
      kind: 'Service',
      name: 'srs-edge',
    });
  });

  test("the dashboard ConfigMap carries the dashboard JSON for Grafana's sidecar", () => {
    const dashboards = findOne(objects, 'ConfigMap', 'release-name-fleet-json-exporter-dashboards');
    assert.equal(dashboards.metadata.labels?.['grafana_dashboard'], '1');
    const dashboard = JSON.parse(dashboards.data?.['srs-fleet.json'] ?? '');
    assert.deepEqual(
      dashboard,
      JSON.parse(readFileSync(join(CHART_DIR, 'files', 'dashboards', 'srs-fleet.json'), 'utf8')),
    );
  });

  test('every metric the dashboard queries is one the exporter serves in fleet mode or a rule records', async () => {
    const dashboard = JSON.parse(readFileSync(join(CHART_DIR, 'files', 'dashboards', 'srs-fleet.json'), 'utf8'));
    const exprs: string[] = dashboard.panels.flatMap((p: { targets?: Array<{ expr: string }> }) =>
      (p.targets ?? []).map((t) => t.expr),
    );
    assert.ok(exprs.length >= 20);
    const simulator = await startFleetSimulator({ servers: 1, streamsPerServer: 3, seed: 1 });
    after(() => simulator.close());
    const config = join(work, 'dashboard-exporter.yml');
    writeFileSync(
      config,
      `modules:\n  default: { preset: srs_streams }\nfleet:\n  scrape_interval: 1s\n  scrape_timeout: 800ms\n  jobs:\n    - { name: srs-edge, module: default, static_targets: [${JSON.stringify(simulator.urls[0])}] }\n`,
    );
    const exporter = await startExporter(
      {
        configFile: config,
        configCheck: false,
        listenAddress: '127.0.0.1:0',
        telemetryPath: '/metrics',
        logLevel: 'error',
        maxBodyBytes: 1 << 20,
        timeoutOffsetMs: 200,
        workers: 1,
      },
      createLogger('error', new PassThrough()),
    );
    try {
      const body = await waitFor('a fleet scrape on /metrics', async () => {
        const response = await httpGet(`http://127.0.0.1:${exporter.port}/metrics`);
        return response.text.includes('srs_stream_clients{') ? response.text : undefined;
      });
      const served = new Set<string>();
      for (const [, name = '', type] of body.matchAll(/^# TYPE (\S+) (\S+)/gm)) {
        served.add(name);
        if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) served.add(name + suffix);
      }
      const recorded = new Set<string>(
        parseYaml(readFileSync(join(CHART_DIR, 'files', 'srs-rules.yml'), 'utf8')).groups.flatMap(
          (g: { rules: Array<{ record: string }> }) => g.rules.map((r) => r.record),
        ),
      );
      for (const expr of exprs) {
        // Metric names: identifiers outside label matchers, ranges and strings, followed by a selector or an end.
        const bare = expr.replace(/\{[^}]*\}|\[[^\]]*\]|"[^"]*"/g, ' ');
        const metrics = (bare.match(/[a-z_:][a-z0-9_:]*/g) ?? []).filter((n) =>
          /^(srs_|fleet_json_exporter_|process_|stream_total)|:/.test(n),
        );
        assert.ok(metrics.length > 0, `a metric in ${expr}`);
        for (const name of metrics) assert.ok(served.has(name) || recorded.has(name), `${name} (in ${expr}) exists`);
      }
    } finally {
      await exporter.stop();
    }
  });
});

describe('values.schema.json', () => {
  test('accepts the defaults and rejects bad values, naming the value, before anything renders', () => {
    assert.equal(chartTemplate([]).exitCode, 0);
    for (const [set, path] of [
      ['mode=fleet', '/mode'],
      ['aggregator.shards=0', '/aggregator/shards'],
      ['config.fleet.shard.total=3', '/config/fleet'],
      ['probe.monitorKind=PodMonitor', '/probe/monitorKind'],
      ['serviceMonitor.interval=often', '/serviceMonitor/interval'],
    ] as const) {
      const result = chartTemplate(['--set', set]);
      assert.equal(result.exitCode, 1, set);
      assert.match(result.stderr, new RegExp(`- ${path}: `), set);
      assert.equal(result.stdout, '', set);
    }
  });
});

describe('chart README', () => {
  /** Free-form values (Kubernetes objects, the exporter config): listed as one value, not key by key. */
  const OPAQUE = new Set([
    'modules',
    'fleet',
    'podSelector',
    'livenessProbe',
    'readinessProbe',
    'resources',
    'podSecurityContext',
    'securityContext',
    'updateStrategy',
    'scaleTargetRef',
    'labels',
  ]);

  function valuePaths(value: unknown, path: string): string[] {
    const last = path.split('.').pop() ?? '';
    if (value === null || typeof value !== 'object' || Array.isArray(value) || OPAQUE.has(last)) return [path];
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return [path];
    return entries.flatMap(([key, child]) => valuePaths(child, path === '' ? key : `${path}.${key}`));
  }

  test('lists every value of values.yaml, and no value that does not exist', () => {
    const values = parseYaml(readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8'));
    const readme = readFileSync(join(CHART_DIR, 'README.md'), 'utf8');
    const listed = [...readme.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]);
    assert.deepEqual(listed, valuePaths(values, ''));
  });
});

describe('values examples in the READMEs', () => {
  /** ```yaml blocks starting with a `# <name>.yaml` comment: values files the docs tell users to write. */
  function valuesBlocks(file: string): Array<{ name: string; text: string }> {
    const text = readFileSync(file, 'utf8');
    return [...text.matchAll(/^( *)```yaml\n((?:\1.*\n)*?)\1```/gm)]
      .map((m) => {
        const indent = m[1]?.length ?? 0;
        const body = (m[2] ?? '')
          .split('\n')
          .map((line) => line.slice(indent))
          .join('\n');
        return { name: /^# (\S+\.yaml)\n/.exec(body)?.[1] ?? '', text: body };
      })
      .filter((block) => block.name !== '');
  }

  test('render, validate and pass check as written', () => {
    const blocks = [...valuesBlocks(join(repoRoot, 'README.md')), ...valuesBlocks(join(CHART_DIR, 'README.md'))];
    assert.deepEqual(
      blocks.map((b) => b.name),
      ['values-live.yaml', 'my-values.yaml'],
    );
    for (const block of blocks) {
      const file = join(work, block.name);
      writeFileSync(file, block.text);
      const objects = renderChart(['-f', file, '--namespace', 'live']);
      assertWorkloadWiring(objects);
      checkConfig(objects, 'release-name-fleet-json-exporter');
    }
  });
});
