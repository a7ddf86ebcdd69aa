// Parses a Go-style listen address (`:7979`, `127.0.0.1:7979`, `[::1]:7979`) into Node's host and port.
import { ListenAddressError } from './errors.js';

export interface ListenAddress {
  /** Undefined means every interface, as Go's `:7979`. */
  readonly host: string | undefined;
  readonly port: number;
}

export function parseListenAddress(address: string): ListenAddress {
  const colon = address.lastIndexOf(':');
  if (colon < 0) throw new ListenAddressError(address, 'no port');
  let host = address.slice(0, colon);
  const portText = address.slice(colon + 1);
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535)
    throw new ListenAddressError(address, `port "${portText}" is not a number from 0 to 65535`);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  else if (host.includes(':')) throw new ListenAddressError(address, 'an IPv6 host must be in brackets');
  return { host: host === '' ? undefined : host, port: Number(portText) };
}
