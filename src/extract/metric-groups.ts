// The extraction plan, made at compile time: consecutive object metrics that select the same elements with the same
// labels form one group, so each element is selected once and its labels evaluated once for all of them.
import type { CompiledMetric } from './compile-module.js';

/**
 * Metrics run together over one element selection. `shared` groups (every object metric whose families no other
 * metric feeds) keep one duplicate-series index per element for all their families; the others run metric by metric.
 */
export interface MetricGroup {
  readonly metrics: readonly CompiledMetric[];
  readonly shared: boolean;
  /** Per metric of the group, the index of its first value among the group's values (the duplicate index's slots). */
  readonly slotBase: readonly number[];
  /** Values of all the group's metrics. */
  readonly slotCount: number;
}

function sameTemplates(a: CompiledMetric, b: CompiledMetric): boolean {
  if (a.elements?.text !== b.elements?.text || a.allowMissingKey !== b.allowMissingKey) return false;
  if (a.labelOptions !== b.labelOptions) return false;
  if (a.labels.length !== b.labels.length) return false;
  for (let i = 0; i < a.labels.length; i++) if (a.labels[i]?.text !== b.labels[i]?.text) return false;
  return true;
}

/**
 * Groups only consecutive metrics whose families are fed by nothing else: a family's samples then keep document
 * order and first-wins duplicate handling exactly as metric-by-metric extraction gives them, and problems, buffered
 * per metric and flushed in metric order, keep their order too.
 */
export function planMetricGroups(metrics: readonly CompiledMetric[], familyCount: number): MetricGroup[] {
  const feeds = new Array<number>(familyCount).fill(0);
  for (const metric of metrics) for (const value of metric.values) feeds[value.family] = (feeds[value.family] ?? 0) + 1;
  const exclusive = (metric: CompiledMetric): boolean =>
    metric.elements !== undefined && metric.values.every((value) => feeds[value.family] === 1);

  const groups: MetricGroup[] = [];
  let current: CompiledMetric[] = [];
  const close = (): void => {
    if (current.length === 0) return;
    const slotBase: number[] = [];
    let slotCount = 0;
    for (const metric of current) {
      slotBase.push(slotCount);
      slotCount += metric.values.length;
    }
    groups.push({ metrics: current, shared: exclusive(current[0] as CompiledMetric), slotBase, slotCount });
    current = [];
  };
  for (const metric of metrics) {
    const last = current[current.length - 1];
    if (last !== undefined && !(exclusive(last) && exclusive(metric) && sameTemplates(last, metric))) close();
    current.push(metric);
  }
  close();
  return groups;
}

/**
 * Per family: whether its samples share label-values arrays with samples of another family or value (the metrics of
 * a shared group share each element's labels; a metric's values share them too), so a rendered label block can serve
 * more than one line. The renderer caches blocks only for these families.
 */
export function familiesSharingLabels(plan: readonly MetricGroup[], familyCount: number): boolean[] {
  const sharing = new Array<boolean>(familyCount).fill(false);
  for (const group of plan) {
    for (const metric of group.metrics) {
      if (group.shared ? group.slotCount < 2 : metric.values.length < 2) continue;
      for (const value of metric.values) sharing[value.family] = true;
    }
  }
  return sharing;
}
