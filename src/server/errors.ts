// Errors of the HTTP server: a listen address that cannot be bound as written; /probe's own failure reason.
import { FjeError } from '../errors.js';

export const SERVER_ERROR_CODES = ['FJE_LISTEN_ADDRESS'] as const;

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
