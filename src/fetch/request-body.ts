// json_exporter's renderBody: which method and body a probe sends, given the module's `body`.
import type { BodyConfig } from '../config/types.js';
import type { BodyTemplate, BodyTemplateParams } from '../body-template/index.js';

export interface PreparedBody {
  readonly method: 'GET' | 'POST';
  readonly body?: string;
  /** Set when the template failed to render: the static content is sent instead (json_exporter logs and does so). */
  readonly templateError?: string;
}

/** No content → GET; content → POST, rendered from the probe's URL parameters when `templatize` is set. */
export function prepareRequestBody(
  config: BodyConfig | undefined,
  template: BodyTemplate | undefined,
  params: BodyTemplateParams,
): PreparedBody {
  if (config === undefined || config.content === '') return { method: 'GET' };
  if (!config.templatize || template === undefined) return { method: 'POST', body: config.content };
  const rendered = template.render(params);
  return rendered.ok
    ? { method: 'POST', body: rendered.body }
    : { method: 'POST', body: config.content, templateError: rendered.error };
}
