// Errors of the HTTP server: a listen address that cannot be bound as written.
import { FjeError } from '../errors.js';

export const SERVER_ERROR_CODES = ['FJE_LISTEN_ADDRESS'] as const;

export class ListenAddressError extends FjeError {
  constructor(address: string, why: string) {
    super(
      'FJE_LISTEN_ADDRESS',
      `invalid --web.listen-address "${address}": ${why} (expected host:port, e.g. ":7979" or "127.0.0.1:7979")`,
    );
  }
}
