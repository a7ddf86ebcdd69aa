// The serve flags that bound and guard /probe (concurrency, the target policy) and the shutdown deadline: parsed
// here, beside flags.ts, so each flag's check sits next to its definition.
import { durationFlag, wholeNumberFlag } from './flag-values.js';
import { TargetPolicy, TargetPolicySettingError, type TargetPolicySettings } from '../fetch/target-policy.js';
import { DEFAULT_PROBE_LIMITS, type ProbeLimits } from '../server/probe-limiter.js';

/** Graceful shutdown: in-flight requests and scrapes get this long to finish before they are cut off. */
export const DEFAULT_SHUTDOWN_TIMEOUT = '15s';

export const PROBE_AND_SHUTDOWN_OPTIONS = {
  'probe.max-concurrent': { type: 'string', default: String(DEFAULT_PROBE_LIMITS.maxConcurrent) },
  'probe.max-queue': { type: 'string', default: String(DEFAULT_PROBE_LIMITS.maxQueue) },
  'probe.allow-target-prefix': { type: 'string', multiple: true, default: [] as string[] },
  'probe.allow-target-regex': { type: 'string', multiple: true, default: [] as string[] },
  'probe.allow-target-cidr': { type: 'string', multiple: true, default: [] as string[] },
  'probe.deny-local-targets': { type: 'boolean', default: false },
  'shutdown.timeout': { type: 'string', default: DEFAULT_SHUTDOWN_TIMEOUT },
} as const;

export const PROBE_AND_SHUTDOWN_HELP = `      --probe.max-concurrent=${DEFAULT_PROBE_LIMITS.maxConcurrent}
                                 Probes fetching and processing at once (so at most this many upstream sockets).
      --probe.max-queue=${DEFAULT_PROBE_LIMITS.maxQueue}
                                 Probes waiting for a slot (within their deadline); more are answered 503 at once
                                 (reason probe_overloaded). Gauges: fleet_json_exporter_probes_in_flight, _queued.
      --probe.allow-target-prefix=<url>
                                 Repeatable. /probe fetches only targets whose URL starts with one of these
                                 (normalised: http://srs:1985 means http://srs:1985/). Default: any target.
      --probe.allow-target-regex=<regex>
                                 Repeatable. …or whose URL matches one of these (fully anchored).
      --probe.allow-target-cidr=<cidr>
                                 Repeatable. Every address a target is or resolves to must be in one of these.
      --probe.deny-local-targets Refuse targets on loopback, link-local (169.254.169.254 …) or unspecified addresses.
                                 A refused target, redirect or resolved address is a 403 (reason forbidden).
      --shutdown.timeout=${DEFAULT_SHUTDOWN_TIMEOUT}
                                 On SIGTERM/SIGINT: stop accepting, abort fleet scrapes, let probes in flight
                                 finish for this long, then cut off the rest and exit 0 (a second signal: at once).
`;

export interface ProbeAndShutdownFlags {
  readonly probeLimits: ProbeLimits;
  readonly targetPolicy: TargetPolicySettings;
  readonly shutdownTimeoutMs: number;
}

type Values = {
  readonly [K in keyof typeof PROBE_AND_SHUTDOWN_OPTIONS]: (typeof PROBE_AND_SHUTDOWN_OPTIONS)[K]['default'] extends boolean
    ? boolean | undefined
    : (typeof PROBE_AND_SHUTDOWN_OPTIONS)[K]['default'] extends string
      ? string | undefined
      : string[] | undefined;
};

/** `fail` raises the caller's usage error (exit 2) with the message. */
export function parseProbeAndShutdownFlags(values: Values, fail: (message: string) => never): ProbeAndShutdownFlags {
  const whole = (name: keyof Values, min: number): number => wholeNumberFlag(name, String(values[name]), min) as number;
  const targetPolicy: TargetPolicySettings = {
    allowPrefixes: values['probe.allow-target-prefix'] ?? [],
    allowRegexes: values['probe.allow-target-regex'] ?? [],
    allowCidrs: values['probe.allow-target-cidr'] ?? [],
    denyLocal: values['probe.deny-local-targets'] ?? false,
  };
  const checks = [
    ['probe.allow-target-prefix', { allowPrefixes: targetPolicy.allowPrefixes }],
    ['probe.allow-target-regex', { allowRegexes: targetPolicy.allowRegexes }],
    ['probe.allow-target-cidr', { allowCidrs: targetPolicy.allowCidrs }],
  ] as const;
  for (const [name, rules] of checks) {
    try {
      new TargetPolicy({ allowPrefixes: [], allowRegexes: [], allowCidrs: [], denyLocal: false, ...rules });
    } catch (err) {
      if (err instanceof TargetPolicySettingError) fail(`--${name}: ${err.message}`);
      throw err;
    }
  }
  const shutdownTimeoutMs = durationFlag('shutdown.timeout', String(values['shutdown.timeout']));
  return {
    probeLimits: { maxConcurrent: whole('probe.max-concurrent', 1), maxQueue: whole('probe.max-queue', 0) },
    targetPolicy,
    shutdownTimeoutMs,
  };
}
