// /targets: every fleet target with its state, as JSON or as an HTML page modelled on Prometheus's targets page.
import type { SourceStatus } from '../discovery/source.js';
import { scrapeTargetId } from '../discovery/target.js';
import { redactUrl } from '../fetch/redact-url.js';
import type { StoredTarget } from '../fleet/store.js';
import { escapeHtml } from './landing-page.js';

export interface TargetReport {
  readonly id: string;
  readonly job: string;
  readonly url: string;
  readonly module: string;
  readonly source: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly state: 'unknown' | 'up' | 'down';
  readonly scrapeIntervalSeconds: number;
  readonly scrapeTimeoutSeconds: number;
  /** ISO 8601; null before the first scrape. */
  readonly lastScrape: string | null;
  readonly lastScrapeDurationSeconds: number | null;
  readonly lastSuccess: string | null;
  readonly lastError: { readonly reason: string; readonly message: string } | null;
  readonly samples: number;
  readonly errorsByReason: Readonly<Record<string, number>>;
  /** Set when the target's label set collided with others': the instance it would have had and how many shared it. */
  readonly labelCollision: { readonly instance: string; readonly sharedBy: number } | null;
}

export interface SourceReport {
  readonly job: string;
  readonly source: string;
  readonly targets: number;
  /** ISO 8601; null before the first refresh. */
  readonly lastRefresh: string | null;
  readonly lastError: string | null;
}

export interface TargetsReport {
  readonly shard: { readonly total: number; readonly index: number };
  /** Discovery sources of every job: a failing one keeps its last good targets and says why here. */
  readonly sources: readonly SourceReport[];
  readonly targets: readonly TargetReport[];
}

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

export function reportTargets(
  entries: readonly StoredTarget[],
  shard: TargetsReport['shard'],
  sources: readonly SourceStatus[] = [],
): TargetsReport {
  return {
    shard,
    sources: sources.map((status) => ({
      job: status.job,
      source: status.source,
      targets: status.targetCount,
      lastRefresh: status.lastRefresh === 0 ? null : iso(status.lastRefresh),
      lastError: status.lastError ?? null,
    })),
    targets: entries.map(({ target, meta }) => ({
      // Credentials in a discovered URL stay out of the page (/sd must carry them; a person's browser need not).
      id: scrapeTargetId(target.job, redactUrl(target.url)),
      job: target.job,
      url: redactUrl(target.url),
      module: target.module,
      source: target.source,
      labels: target.labels,
      state: meta.state,
      scrapeIntervalSeconds: target.intervalMs / 1000,
      scrapeTimeoutSeconds: target.timeoutMs / 1000,
      lastScrape: iso(meta.lastScrapeMs),
      lastScrapeDurationSeconds: meta.lastDurationMs === undefined ? null : meta.lastDurationMs / 1000,
      lastSuccess: iso(meta.lastSuccessMs),
      lastError: meta.lastError ?? null,
      samples: meta.sampleCount,
      errorsByReason: Object.fromEntries(meta.errorsByReason),
      labelCollision: target.labelCollision ?? null,
    })),
  };
}

function formatDuration(seconds: number | null): string {
  if (seconds === null) return '';
  return seconds < 1 ? `${(seconds * 1000).toFixed(1)}ms` : `${seconds.toFixed(3)}s`;
}

function renderRow(target: TargetReport): string {
  const labels = Object.entries(target.labels)
    .map(([name, value]) => `<span class="label">${escapeHtml(name)}="${escapeHtml(value)}"</span>`)
    .join(' ');
  const error =
    target.lastError === null
      ? ''
      : `<span class="reason">${escapeHtml(target.lastError.reason)}</span> ${escapeHtml(target.lastError.message)}`;
  const collision =
    target.labelCollision === null
      ? ''
      : `<div class="meta collision">label collision: ${target.labelCollision.sharedBy} targets had instance="${escapeHtml(target.labelCollision.instance)}" and the same labels; instance is the URL</div>`;
  const scraped =
    target.lastScrape === null
      ? 'never'
      : `<time class="age" datetime="${escapeHtml(target.lastScrape)}" title="${escapeHtml(target.lastScrape)}">${escapeHtml(target.lastScrape)}</time>`;
  // Only http(s) URLs become links: a discovered `javascript:` URL must stay text.
  const endpoint = /^https?:\/\//i.test(target.url)
    ? `<a href="${escapeHtml(target.url)}">${escapeHtml(target.url)}</a>`
    : escapeHtml(target.url);
  return `<tr class="target" data-state="${target.state}" data-url="${escapeHtml(target.url)}">
<td class="endpoint">${endpoint}<div class="meta">module ${escapeHtml(target.module)} · ${escapeHtml(target.source)}</div></td>
<td><span class="state state-${target.state}">${target.state.toUpperCase()}</span></td>
<td class="labels">${labels}${collision}</td>
<td class="last-scrape">${scraped}</td>
<td class="duration">${formatDuration(target.lastScrapeDurationSeconds)}</td>
<td class="samples">${target.samples}</td>
<td class="error">${error}</td>
</tr>`;
}

const STYLE = `body{font-family:system-ui,sans-serif;margin:1.5rem;color:#222}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}
table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{border-top:1px solid #ddd;padding:.4rem .5rem;text-align:left;vertical-align:top}
th{background:#f5f5f5}.state{padding:.1rem .45rem;border-radius:.25rem;color:#fff;font-weight:600;font-size:.8rem}
.state-up{background:#28a745}.state-down{background:#dc3545}.state-unknown{background:#6c757d}
.label{display:inline-block;background:#eef3fb;border-radius:.2rem;padding:0 .3rem;margin:.1rem;font-family:ui-monospace,monospace;font-size:.8rem}
.meta{color:#777;font-size:.8rem}.error{color:#b02a37;max-width:28rem;word-break:break-word}.reason{font-weight:600}
.count-down{color:#b02a37}details.sources{margin:1rem 0}details.sources summary{cursor:pointer;font-weight:600}.count-up{color:#1e7e34}#filter{margin:.5rem 0;padding:.3rem;width:20rem}`;

/** Turns ISO times into "12.3s ago" in the browser, so the page stays right while it is open. */
const SCRIPT = `(function(){
function ages(){var now=Date.now();document.querySelectorAll('time.age').forEach(function(t){var s=(now-Date.parse(t.dateTime))/1000;t.textContent=(s<0?0:s).toFixed(1)+'s ago';});}
ages();setInterval(ages,1000);
var f=document.getElementById('filter');f.addEventListener('input',function(){var q=f.value.toLowerCase();document.querySelectorAll('tr.target').forEach(function(r){r.hidden=q!==''&&r.textContent.toLowerCase().indexOf(q)<0;});});
document.body.setAttribute('data-ready','1');})();`;

function renderSources(sources: readonly SourceReport[]): string {
  if (sources.length === 0) return '';
  const rows = sources
    .map(
      (source) =>
        `<tr class="source" data-failing="${source.lastError === null ? 'no' : 'yes'}"><td>${escapeHtml(source.job)}</td><td>${escapeHtml(source.source)}</td>` +
        `<td>${source.targets}</td><td>${source.lastRefresh === null ? 'never' : `<time class="age" datetime="${escapeHtml(source.lastRefresh)}">${escapeHtml(source.lastRefresh)}</time>`}</td>` +
        `<td class="error">${source.lastError === null ? '' : escapeHtml(source.lastError)}</td></tr>`,
    )
    .join('\n');
  return (
    `<details class="sources"${sources.some((s) => s.lastError !== null) ? ' open' : ''}><summary>Discovery: ${sources.length} sources` +
    `${sources.some((s) => s.lastError !== null) ? ' <span class="count-down">(some failing: their last good targets are kept)</span>' : ''}</summary>
<table><thead><tr><th>Job</th><th>Source</th><th>Targets</th><th>Last refresh</th><th>Error</th></tr></thead><tbody>${rows}</tbody></table></details>`
  );
}

export function renderTargetsPage(report: TargetsReport): string {
  const jobs = new Map<string, TargetReport[]>();
  for (const target of report.targets) {
    const list = jobs.get(target.job);
    if (list === undefined) jobs.set(target.job, [target]);
    else list.push(target);
  }
  const sections = [...jobs.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([job, targets]) => {
      const up = targets.filter((t) => t.state === 'up').length;
      return `<section class="job" data-job="${escapeHtml(job)}"><h2>${escapeHtml(job)} <span class="${up === targets.length ? 'count-up' : 'count-down'}">(${up}/${targets.length} up)</span></h2>
<table><thead><tr><th>Endpoint</th><th>State</th><th>Labels</th><th>Last scrape</th><th>Duration</th><th>Samples</th><th>Error</th></tr></thead>
<tbody>${targets.map(renderRow).join('\n')}</tbody></table></section>`;
    })
    .join('\n');
  const empty =
    report.targets.length === 0
      ? '<p class="empty">No targets in this shard (yet): check the <code>fleet.jobs</code> of the config and the discovery logs.</p>'
      : '';
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Targets · Fleet JSON Exporter</title><style>${STYLE}</style></head>
<body><h1>Targets</h1>
<p>Shard ${report.shard.index + 1} of ${report.shard.total} · ${report.targets.length} targets · <a href="/targets?format=json">JSON</a> · <a href="/">home</a></p>
${renderSources(report.sources)}
<input id="filter" type="search" placeholder="Filter by URL, label, error…" aria-label="Filter targets">
${empty}${sections}
<script>${SCRIPT}</script>
</body></html>
`;
}
