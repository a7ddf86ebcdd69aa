// Picks the exposition format from an Accept header, as Prometheus's client libraries do.
import type { ExpositionFormat } from './types.js';

export const CONTENT_TYPES: Readonly<Record<ExpositionFormat, string>> = {
  text: 'text/plain; version=0.0.4; charset=utf-8',
  openmetrics: 'application/openmetrics-text; version=1.0.0; charset=utf-8',
};

/**
 * OpenMetrics when the client lists `application/openmetrics-text` with a quality at least that of
 * `text/plain` (Prometheus sends `application/openmetrics-text;version=1.0.0,…,text/plain;version=0.0.4;q=0.5`);
 * text 0.0.4 otherwise, including when there is no Accept header.
 */
export function negotiateFormat(accept: string | undefined): ExpositionFormat {
  // Media types are case-insensitive (RFC 9110): the quick exit must not be stricter than the loop below.
  if (accept === undefined || !/openmetrics/i.test(accept)) return 'text';
  let openMetricsQuality = -1;
  let textQuality = -1;
  for (const part of accept.split(',')) {
    const [mediaRange = '', ...params] = part.split(';').map((s) => s.trim());
    let quality = 1;
    for (const param of params) {
      if (param.startsWith('q=')) quality = Number.parseFloat(param.slice(2)) || 0;
    }
    const media = mediaRange.toLowerCase();
    if (media === 'application/openmetrics-text') openMetricsQuality = Math.max(openMetricsQuality, quality);
    else if (media === 'text/plain') textQuality = Math.max(textQuality, quality);
  }
  return openMetricsQuality > 0 && openMetricsQuality >= textQuality ? 'openmetrics' : 'text';
}
