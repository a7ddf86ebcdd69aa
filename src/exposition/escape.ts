// Escaping rules of the text formats: label values and HELP text (0.0.4 and OpenMetrics differ on HELP).

const LABEL_VALUE_SPECIAL = /[\\"\n]/;
const HELP_SPECIAL_TEXT = /[\\\n]/;
const HELP_SPECIAL_OPENMETRICS = /[\\"\n]/;

/** Label values escape backslash, double quote and newline in both formats. */
export function escapeLabelValue(value: string): string {
  // Most values need no escaping; test once before allocating.
  if (!LABEL_VALUE_SPECIAL.test(value)) return value;
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** HELP in text 0.0.4 escapes backslash and newline only; OpenMetrics also escapes double quotes. */
export function escapeHelp(help: string, openMetrics: boolean): string {
  const special = openMetrics ? HELP_SPECIAL_OPENMETRICS : HELP_SPECIAL_TEXT;
  if (!special.test(help)) return help;
  let out = help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  if (openMetrics) out = out.replace(/"/g, '\\"');
  return out;
}
