// A hot-path result as the hot path gives it for a body whose families rendered alike in both formats.
import type { RenderedFamily } from '../../src/exposition/types.js';
import type { HotPathResult } from '../../src/pool/hot-path.js';

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
