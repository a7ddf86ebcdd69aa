// Hot-path results for tests: as the hot path gives it for a body whose families rendered alike in both formats, and
// a body's result through the fleet path of a single inline body.
import { parseConfig } from '../../src/config/load.js';
import type { FamilyMetaInterner } from '../../src/exposition/encoded-families.js';
import type { RenderedFamily } from '../../src/exposition/types.js';
import { type HotPathEncodedResult, runBatchInline } from '../../src/pool/hot-path-batch.js';
import type { HotPathModule, HotPathResult } from '../../src/pool/hot-path.js';
import { prepareConfig } from '../../src/scrape/prepared-config.js';

export function successResult(family: RenderedFamily): HotPathResult {
  return {
    ok: true,
    families: { text: [family], openmetrics: [family] },
    sampleCount: 1,
    problemCounts: {},
    problems: [],
    timings: { parseStart: 0, extractEnd: 0, renderEnd: 0 },
  };
}

export const LINES_MODULE = prepareConfig(
  parseConfig(
    `modules:
  lines:
    metrics:
    - name: srs_clients
      type: object
      path: '{.items[*]}'
      labels: { s: '{.s}', pad: '{.pad}' }
      values: { n: '{.n}' }
`,
    '<lines module>',
    1,
  ),
).modules.get('lines')?.hotPath as HotPathModule;

/** The lines LINES_MODULE renders for `count` items of `pad` characters each, all with value `value`. */
export function paddedLines(count: number, pad: number, value: number): string {
  return Array.from({ length: count }, (_, i) => `srs_clients_n{pad="${'x'.repeat(pad)}",s="${i}"} ${value}\n`).join(
    '',
  );
}

/**
 * paddedLines' body through the fleet path of a single inline body (runBatchInline: its buffer from resultBuffers,
 * as a 10-stream target's is), with its target labels empty so the lines are exactly paddedLines'.
 */
export function inlineBodyResult(
  count: number,
  pad: number,
  value: number,
  interner: FamilyMetaInterner,
): HotPathEncodedResult {
  const items = Array.from({ length: count }, (_, i) => ({ s: String(i), pad: 'x'.repeat(pad), n: value }));
  const body = new TextEncoder().encode(JSON.stringify({ items }));
  const [result] = runBatchInline(
    { module: LINES_MODULE, formats: ['text', 'openmetrics'], items: [{ body, targetLabels: {} }] },
    interner,
  );
  return result as HotPathEncodedResult;
}
