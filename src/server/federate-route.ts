// GET /federate?match[]=<selector>: the stored series matching any selector, for a Prometheus with honor_labels.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CONTENT_TYPES, negotiateFormat } from '../exposition/negotiate.js';
import { seriesName } from '../exposition/render.js';
import { matchesSelector, parseSelector, selectorMayMatchName, type Selector } from '../exposition/selector.js';
import { SelectorError } from '../exposition/errors.js';
import { parseSeriesLine } from '../exposition/series-line.js';
import type { ExpositionFormat } from '../exposition/types.js';
import { planFleetExpositionInTurns, type ExpositionFamily } from '../fleet/fleet-exposition.js';
import type { FleetMetricsSource } from '../fleet/fleet-endpoints.js';
import { archiveShortcut } from '../fleet/group-archive.js';
import { MemberInflater } from '../fleet/member-inflater.js';
import { familyLines, selfMetricNames } from './fleet-metrics-route.js';
import { sendBody, sendText } from './respond.js';

const decoder = new TextDecoder();

/** The matching series lines of one family; '' when none. */
function matchingLines(
  family: ExpositionFamily,
  selectors: readonly Selector[],
  format: ExpositionFormat,
  inflater: MemberInflater,
): string {
  if (family.groups.length === 0) return '';
  // Known from the family: no piece is decoded for a family no selector can match by name.
  const candidates = selectors.filter((selector) => selectorMayMatchName(selector, seriesName(family, format)));
  if (candidates.length === 0) return '';
  let text = '';
  for (const lines of familyLines(family, inflater)) text += decoder.decode(lines);
  // A selector on the name only takes the whole family: no line needs reading.
  if (candidates.some((selector) => selector.matchers.every((matcher) => matcher.name === '__name__'))) return text;
  let out = '';
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const series = parseSeriesLine(line);
    const labels = (name: string): string | undefined => series.labels.get(name);
    if (candidates.some((selector) => matchesSelector(selector, series.name, labels))) out += line + '\n';
  }
  return out;
}

/** Target and health series only: the exporter's own metrics are on /metrics, not federated. */
export async function handleFederate(
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  source: FleetMetricsSource,
): Promise<void> {
  const texts = url.searchParams.getAll('match[]');
  if (texts.length === 0) {
    sendText(response, 400, 'federate needs at least one match[] parameter, e.g. /federate?match[]={job="srs"}\n');
    return;
  }
  const selectors: Selector[] = [];
  for (const text of texts) {
    try {
      selectors.push(parseSelector(text));
    } catch (err) {
      if (!(err instanceof SelectorError)) throw err;
      sendText(response, 400, `match[]: ${err.message}\n`);
      return;
    }
  }
  const format = negotiateFormat(request.headers.accept);
  // Walked in turns as /metrics is: the plan covers every target whatever match[] selects (20–50 ms at 10,000).
  let body = '';
  // The plan holds views of the store's bytes over loop turns; they are decoded into the body before release.
  const release = source.store.pin();
  const inflater = new MemberInflater();
  try {
    // Archived groups are read from their archives, one family at a time, not put back into the store.
    const plan = await planFleetExpositionInTurns(source.store, format, selfMetricNames(source.metrics, format), {
      shortcut: archiveShortcut(source.store, format),
    });
    for (const family of plan.families) {
      const lines = matchingLines(family, selectors, format, inflater);
      if (lines !== '') body += family.header + lines;
    }
  } finally {
    release();
    inflater.close();
  }
  if (format === 'openmetrics') body += '# EOF\n';
  await sendBody(request, response, CONTENT_TYPES[format], body);
}
