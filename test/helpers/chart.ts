// The Helm chart rendered by `npm run chart:template` (tools/chart-render) and each document validated against the
// Kubernetes and Prometheus Operator schemas (kubernetes-models' validators).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PodMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor';
import { Probe } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/Probe';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { parseAllDocuments } from 'yaml';
import { repoRoot } from './fixtures.js';

export const CHART_DIR = join(repoRoot, 'deploy', 'helm', 'fleet-json-exporter');

/** A rendered Kubernetes object: what the tests read of it. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  // biome-ignore lint/suspicious/noExplicitAny: rendered manifests are checked by the schema validators, then read freely.
  spec?: any;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

export interface RenderResult {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `npm run chart:template -- <args>` (the same script), without npm's banner. */
export function chartTemplate(args: readonly string[]): RenderResult {
  const result = spawnSync(process.execPath, [join(repoRoot, 'tools', 'chart-render', 'chart-template.mjs'), ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 120_000,
    maxBuffer: 64 << 20,
  });
  if (result.error !== undefined) throw result.error;
  return { exitCode: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Renders the chart and parses every document; throws with the renderer's error when it fails. */
export function renderChart(args: readonly string[] = []): K8sObject[] {
  const result = chartTemplate(args);
  if (result.exitCode !== 0) throw new Error(`chart:template ${args.join(' ')} failed:\n${result.stderr}`);
  return parseAllDocuments(result.stdout).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`rendered YAML does not parse: ${doc.errors[0]?.message}`);
    return doc.toJS() as K8sObject;
  });
}

type Validator = new (data: never) => { validate(): void };

const VALIDATORS: Record<string, Validator> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'apps/v1/StatefulSet': StatefulSet,
  'apps/v1/Deployment': Deployment,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
  'monitoring.coreos.com/v1/PodMonitor': PodMonitor,
  'monitoring.coreos.com/v1/Probe': Probe,
  'monitoring.coreos.com/v1/PrometheusRule': PrometheusRule,
};

/** Throws naming the object and the schema's complaint; an apiVersion/kind without a validator is an error too. */
export function validateObject(object: K8sObject): void {
  const key = `${object.apiVersion}/${object.kind}`;
  const Model = VALIDATORS[key];
  if (Model === undefined) throw new Error(`no schema validator for ${key} (${object.metadata?.name})`);
  try {
    new Model(object as never).validate();
  } catch (err) {
    throw new Error(`${key} ${object.metadata?.name}: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
}

export function findAll(objects: readonly K8sObject[], kind: string): K8sObject[] {
  return objects.filter((o) => o.kind === kind);
}

/** The only object of a kind; throws when there are none or several. */
export function findOne(objects: readonly K8sObject[], kind: string, name?: string): K8sObject {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (found.length !== 1)
    throw new Error(`expected one ${kind}${name === undefined ? '' : ` ${name}`}, found ${found.length}`);
  return found[0] as K8sObject;
}

/** True when every key/value of `selector` is in `labels` (a matchLabels or a Service selector). */
export function selects(
  selector: Record<string, string> | undefined,
  labels: Record<string, string> | undefined,
): boolean {
  if (selector === undefined || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}
