// Merges every stored target's fragments into one exposition: HELP/TYPE once per family, series contiguous.
import { familyName, renderHeader } from '../exposition/render.js';
import type { ExpositionFormat, MetricType } from '../exposition/types.js';
import type { StoredFamily, StoredTarget } from './store.js';
import { TARGET_HEALTH_FAMILIES, TARGET_HEALTH_FAMILY_NAMES } from './target-health.js';

export interface ExpositionFamily {
  readonly name: string;
  readonly type: MetricType;
  /** `# HELP` and `# TYPE` lines in the format asked for. */
  readonly header: string;
  /** Each target's series of the family, targets in id order. */
  readonly fragments: StoredFamily[];
}

export interface FleetExposition {
  /** Target families sorted by name, then the health families in their fixed order. */
  readonly families: readonly ExpositionFamily[];
  /**
   * Fragments left out: a family seen with another type than the one it got first (targets in id order), or a
   * target family named like one of the exporter's own. Counted, so a conflict between modules is visible.
   */
  readonly conflicts: number;
}

function byName(a: ExpositionFamily, b: ExpositionFamily): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * Walks targets in id order; the first fragment of a name fixes the family's help and type. Deterministic for a
 * given set of targets, whatever the order their scrapes finished in. `reserved` holds the exporter's own family
 * names as `format` writes them (selfMetricNames), which a target family must not duplicate, any more than a health family's.
 */
export function planFleetExposition(
  entries: readonly StoredTarget[],
  format: ExpositionFormat,
  reserved: ReadonlySet<string>,
): FleetExposition {
  const targetFamilies = new Map<string, ExpositionFamily>();
  const healthFamilies = new Map<string, ExpositionFamily>();
  // Compared as the format names families: in OpenMetrics the gauge `x` and the counter `x_total` are both family `x`.
  const healthNames = new Set(Object.values(TARGET_HEALTH_FAMILIES).map((family) => familyName(family, format)));
  let conflicts = 0;
  const add = (into: Map<string, ExpositionFamily>, fragment: StoredFamily, key: string): void => {
    const { name, type } = fragment;
    let family = into.get(key);
    if (family === undefined) {
      family = { name, type, header: renderHeader(fragment, format), fragments: [] };
      into.set(key, family);
    } else if (family.type !== type) {
      conflicts++;
      return;
    }
    family.fragments.push(fragment);
  };
  for (const entry of entries) {
    for (const fragment of entry.families[format]) {
      const key = familyName(fragment, format);
      if (reserved.has(key) || healthNames.has(key)) conflicts++;
      else add(targetFamilies, fragment, key);
    }
    for (const fragment of entry.health[format]) add(healthFamilies, fragment, fragment.name);
  }
  const families = [...targetFamilies.values()].sort(byName);
  // Health families in their documented order, whatever target came first.
  for (const name of TARGET_HEALTH_FAMILY_NAMES) {
    const family = healthFamilies.get(name);
    if (family !== undefined) families.push(family);
  }
  return { families, conflicts };
}
