// The HTML page at `/`: what this is, its version, and links to the endpoints (as exporter-toolkit's landing page).
import type { PreparedConfig } from '../scrape/prepared-config.js';
import { VERSION } from '../version.js';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

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
<li><a href="${escapeHtml(telemetryPath)}">${escapeHtml(telemetryPath)}</a>: the exporter's own metrics</li>
<li><code>/probe?module=&lt;module&gt;&amp;target=&lt;url&gt;</code>: metrics of one target</li>
<li><a href="/-/healthy">/-/healthy</a>, <a href="/-/ready">/-/ready</a>; <code>POST /-/reload</code> reloads the config</li>
</ul>
<p>Config <code>${escapeHtml(prepared.config.source)}</code>, generation ${prepared.config.generation}, modules:</p><ul>${modules}</ul>
</body></html>
`;
}
