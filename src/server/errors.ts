// Errors of the HTTP server: a listen address that cannot be bound as written, sockets systemd did not pass;
// /probe's own failure reason.
import { FjeError } from '../errors.js';

export const SERVER_ERROR_CODES = ['FJE_LISTEN_ADDRESS', 'FJE_SYSTEMD_SOCKET'] as const;

/** Why /probe refused a probe before fetching: every slot busy and the queue full (--probe.max-concurrent/-queue). */
export const PROBE_FAILURE_REASONS = ['probe_overloaded'] as const;

export class ListenAddressError extends FjeError {
  constructor(address: string, why: string) {
    super(
      'FJE_LISTEN_ADDRESS',
      `invalid --web.listen-address "${address}": ${why} (expected host:port, e.g. ":7979" or "127.0.0.1:7979")`,
    );
  }
}

export class SystemdSocketError extends FjeError {
  constructor(why: string) {
    super(
      'FJE_SYSTEMD_SOCKET',
      `--web.systemd-socket: ${why}; start the exporter from a systemd .socket unit, or use --web.listen-address`,
    );
  }
}
