// The HTML page at `/`: what this is, its version, and links to the endpoints (as exporter-toolkit's landing page).
import type { PreparedConfig } from '../scrape/prepared-config.js';
import { VERSION } from '../version.js';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Fleet mode's endpoints: listed when the config has a `fleet:` section. */
const FLEET_LINKS = `<li><a href="/targets">/targets</a>: fleet targets, their state and last scrape (<a href="/targets?format=json">JSON</a>)</li>
<li><code>/federate?match[]=&lt;selector&gt;</code>: the fleet series matching Prometheus selectors, e.g. <a href="/federate?match[]=%7Bjob%3D~%22.%2B%22%7D">{job=~".+"}</a></li>
<li><a href="/sd">/sd</a>: this shard's targets as Prometheus http_sd JSON (to scrape <code>/probe</code> per target)</li>
`;

export function renderLandingPage(prepared: PreparedConfig, telemetryPath: string): string {
  const modules = Object.keys(prepared.config.modules)
    .map((name) => `<li><code>${escapeHtml(name)}</code></li>`)
    .join('');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Fleet JSON Exporter</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:50rem}code{background:#f3f3f3;padding:0 .2em}</style></head>
<body><h1>Fleet JSON Exporter</h1>
<p>Turns JSON HTTP APIs into Prometheus metrics; json_exporter compatible. Version ${escapeHtml(VERSION)}.</p>
<ul>
<li><a href="${escapeHtml(telemetryPath)}">${escapeHtml(telemetryPath)}</a>: ${prepared.config.fleet === undefined ? "the exporter's own metrics" : "every fleet target's series, their health, then the exporter's own metrics"}</li>
<li><code>/probe?module=&lt;module&gt;&amp;target=&lt;url&gt;</code>: metrics of one target</li>
${prepared.config.fleet === undefined ? '' : FLEET_LINKS}<li><a href="/-/healthy">/-/healthy</a>, <a href="/-/ready">/-/ready</a>; <code>POST /-/reload</code> reloads the config</li>
</ul>
<p>Config <code>${escapeHtml(prepared.config.source)}</code>, generation ${prepared.config.generation}, modules:</p><ul>${modules}</ul>
</body></html>
`;
}
