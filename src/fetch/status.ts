// Valid status codes and the invalid-status message, shared by both clients (undici's fetchTarget and the lean one).
import { STATUS_CODES } from 'node:http';

/** How much of an invalid-status response is read to keep its connection reusable. */
export const ERROR_BODY_DRAIN_BYTES = 64 * 1024;

/** Empty `valid` means any 2xx, as json_exporter's valid_status_codes. */
export function isValidStatus(status: number, valid: readonly number[]): boolean {
  return valid.length === 0 ? status >= 200 && status < 300 : valid.includes(status);
}

/** `unexpected status 503 Service Unavailable (valid: 2xx)`: Go's resp.Status, the reason text from the response. */
export function invalidStatusDetail(status: number, statusText: string | undefined, valid: readonly number[]): string {
  const text = (statusText ?? '') || (STATUS_CODES[status] ?? '');
  const shown = text === '' ? `${status}` : `${status} ${text}`;
  return `unexpected status ${shown} (valid: ${valid.length === 0 ? '2xx' : valid.join(', ')})`;
}
