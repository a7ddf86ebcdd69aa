// The config area's public surface: load a json_exporter-format file into a validated, frozen Config.
export { loadConfigFile, parseConfig } from './load.js';
export {
  CONFIG_ERROR_CODES,
  CONFIG_ERROR_DESCRIPTIONS,
  ConfigError,
  formatProblem,
  type ConfigErrorCode,
  type ConfigProblem,
} from './errors.js';
export { parseDuration, DurationSyntaxError } from './duration.js';
export type * from './types.js';
