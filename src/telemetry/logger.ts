// The structured logger (pino): JSON lines, or logfmt as json_exporter's default; levels as Prometheus exporters name them.
import { pino, type Logger } from 'pino';
import { logfmtDestination } from './logfmt.js';

export type { Logger };
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
/** promslog's --log.format values. */
export const LOG_FORMATS = ['json', 'logfmt'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Log lines on stderr, like Prometheus exporters log; `destination` lets tests capture them. */
export function createLogger(
  level: LogLevel,
  destination: NodeJS.WritableStream = process.stderr,
  format: LogFormat = 'json',
): Logger {
  return pino(
    {
      level,
      base: { service: 'fleet-json-exporter' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    format === 'logfmt' ? logfmtDestination(destination) : destination,
  );
}
