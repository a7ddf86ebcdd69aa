// A series label that clashes with a target label is renamed `exported_<name>`, as Prometheus does without honor_labels.
import type { FamilySamples } from './types.js';

/**
 * Target labels (job, instance, the job's and discovery's labels) are written first and win, the way Prometheus's
 * target labels win over scraped ones; the family's own label keeps its value under `exported_<name>` (again
 * prefixed while that name is taken too). Families without a clash are returned as they are, allocation-free.
 */
export function resolveLabelClashes(
  family: FamilySamples,
  targetLabels: Readonly<Record<string, string>>,
): FamilySamples {
  let renamed: string[] | undefined;
  let taken: Set<string> | undefined;
  for (let i = 0; i < family.labelNames.length; i++) {
    const name = family.labelNames[i] as string;
    if (!Object.hasOwn(targetLabels, name)) continue;
    renamed ??= [...family.labelNames];
    taken ??= new Set([...Object.keys(targetLabels), ...family.labelNames]);
    let candidate = 'exported_' + name;
    while (taken.has(candidate)) candidate = 'exported_' + candidate;
    taken.add(candidate);
    renamed[i] = candidate;
  }
  return renamed === undefined ? family : { ...family, labelNames: renamed };
}
