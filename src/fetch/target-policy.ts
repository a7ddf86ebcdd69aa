// Which targets /probe may fetch (SSRF guard): URL rules (prefixes, anchored regexes) and address rules (CIDRs,
// refusing loopback and link-local), checked on the target, on every redirect hop and on every address a host
// name resolves to at connect time (so DNS cannot point an allowed name at a refused address).
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions, type LookupOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { TargetForbiddenError } from './errors.js';
import { redactUrl } from './redact-url.js';

export interface TargetPolicySettings {
  /** The target's URL (normalised, as `new URL(target).href`) must start with one of these, when any are given. */
  readonly allowPrefixes: readonly string[];
  /** …or match one of these (fully anchored), when any are given. */
  readonly allowRegexes: readonly string[];
  /** Every address the target's host is or resolves to must be in one of these, when any are given. */
  readonly allowCidrs: readonly string[];
  /** Refuse loopback (127.0.0.0/8, ::1), link-local (169.254.0.0/16 — cloud metadata —, fe80::/10) and unspecified. */
  readonly denyLocal: boolean;
}

export const OPEN_TARGET_POLICY_SETTINGS: TargetPolicySettings = Object.freeze({
  allowPrefixes: [],
  allowRegexes: [],
  allowCidrs: [],
  denyLocal: false,
});

const LOCAL_SUBNETS: ReadonlyArray<readonly [string, number, 'ipv4' | 'ipv6']> = [
  ['127.0.0.0', 8, 'ipv4'],
  ['0.0.0.0', 8, 'ipv4'],
  ['169.254.0.0', 16, 'ipv4'],
  ['::1', 128, 'ipv6'],
  ['::', 128, 'ipv6'],
  ['fe80::', 10, 'ipv6'],
];

/** A settings value that cannot be a rule: the message names it (the caller prefixes the flag). */
export class TargetPolicySettingError extends Error {}

/** `::ffff:127.0.0.1` and `::ffff:7f00:1` (how URLs write it) are the IPv4 address they map. */
function unmapIpv4(address: string): string {
  const lower = address.toLowerCase();
  if (!lower.startsWith('::ffff:')) return address;
  const rest = lower.slice(7);
  if (isIP(rest) === 4) return rest;
  const hex = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(rest);
  if (hex === null) return address;
  const high = Number.parseInt(hex[1] as string, 16);
  const low = Number.parseInt(hex[2] as string, 16);
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}

function familyOf(address: string): 'ipv4' | 'ipv6' {
  return isIP(address) === 4 ? 'ipv4' : 'ipv6';
}

export class TargetPolicy {
  readonly #prefixes: readonly string[];
  readonly #regexes: readonly RegExp[];
  readonly #allowed: BlockList | undefined;
  readonly #local: BlockList | undefined;

  /** Throws TargetPolicySettingError naming a prefix that is no URL, a regex that does not compile, a bad CIDR. */
  constructor(settings: TargetPolicySettings) {
    this.#prefixes = settings.allowPrefixes.map((prefix) => {
      // Normalised as targets are, so "http://srs:1985" means "http://srs:1985/" and cannot match srs:19850.
      const url = URL.canParse(prefix) ? new URL(prefix) : undefined;
      if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:'))
        throw new TargetPolicySettingError(`"${prefix}" is not an absolute http(s) URL`);
      return url.href;
    });
    this.#regexes = settings.allowRegexes.map((source) => {
      try {
        return new RegExp(`^(?:${source})$`);
      } catch (err) {
        throw new TargetPolicySettingError(`"${source}" is not a regular expression: ${(err as Error).message}`);
      }
    });
    if (settings.allowCidrs.length > 0) {
      const allowed = new BlockList();
      for (const cidr of settings.allowCidrs) {
        const [address = '', bits = '', extra] = cidr.split('/');
        const family = isIP(address);
        const prefix = Number(bits);
        const max = family === 4 ? 32 : 128;
        if (family === 0 || extra !== undefined || !/^\d+$/.test(bits) || prefix > max) {
          throw new TargetPolicySettingError(`"${cidr}" is not a CIDR (address/bits, e.g. 10.0.0.0/8 or fd00::/8)`);
        }
        allowed.addSubnet(address, prefix, familyOf(address));
      }
      this.#allowed = allowed;
    }
    if (settings.denyLocal) {
      const local = new BlockList();
      for (const [address, prefix, family] of LOCAL_SUBNETS) local.addSubnet(address, prefix, family);
      this.#local = local;
    }
  }

  /** No rule at all: every target is fetched, as json_exporter does. */
  get isOpen(): boolean {
    return this.#prefixes.length === 0 && this.#regexes.length === 0 && !this.checksAddresses;
  }

  /** True when connections must check the addresses they go to. */
  get checksAddresses(): boolean {
    return this.#allowed !== undefined || this.#local !== undefined;
  }

  /** Why this URL may not be fetched (URL rules, and address rules when its host is an IP literal); undefined: allowed. */
  checkUrl(url: URL): string | undefined {
    if (this.#prefixes.length > 0 || this.#regexes.length > 0) {
      const href = url.href;
      const allowed =
        this.#prefixes.some((prefix) => href.startsWith(prefix)) || this.#regexes.some((regex) => regex.test(href));
      if (!allowed) {
        return `${redactUrl(url)} is not an allowed target (--probe.allow-target-prefix, --probe.allow-target-regex)`;
      }
    }
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    if (isIP(host) === 0) return undefined;
    const refusal = this.checkAddress(host);
    return refusal === undefined ? undefined : `${redactUrl(url)}: ${host} ${refusal}`;
  }

  /** Why a connection to this address is refused (address rules), as "is …"; undefined: allowed. */
  checkAddress(address: string): string | undefined {
    const plain = unmapIpv4(address);
    const family = familyOf(plain);
    if (this.#local?.check(plain, family)) return 'is a loopback or link-local address (--probe.deny-local-targets)';
    if (this.#allowed !== undefined && !this.#allowed.check(plain, family))
      return 'is not in the allowed networks (--probe.allow-target-cidr)';
    return undefined;
  }

  /** A `lookup` for net.connect that fails when any address the name resolves to is refused. */
  readonly lookup = (
    hostname: string,
    options: LookupOptions,
    callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ): void => {
    dnsLookup(hostname, { ...options, all: true } as LookupAllOptions, (err, addresses) => {
      if (err !== null) {
        callback(err, []);
        return;
      }
      for (const { address } of addresses) {
        const refusal = this.checkAddress(address);
        if (refusal !== undefined) {
          callback(new TargetForbiddenError(`${hostname} resolves to ${address}, which ${refusal}`), []);
          return;
        }
      }
      const first = addresses[0];
      if (options.all === true || first === undefined) callback(null, addresses);
      else callback(null, first.address, first.family);
    });
  };
}
