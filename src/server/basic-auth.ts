// Basic authentication against bcrypt hashes (web config basic_auth_users), with exporter-toolkit's verification cache.
import { createHash } from 'node:crypto';
import bcrypt from 'bcryptjs';

/**
 * A bcrypt hash of "fakepassword" (exporter-toolkit's): an unknown user still costs one bcrypt comparison,
 * so response times do not tell which usernames exist.
 */
const UNKNOWN_USER_HASH = '$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi';

/** exporter-toolkit's cache size: enough for every Prometheus and person scraping one exporter. */
const CACHE_SIZE = 100;

export interface Credentials {
  readonly user: string;
  readonly password: string;
}

/** `Authorization: Basic base64(user:password)` as Go's Request.BasicAuth reads it; undefined when absent or malformed. */
export function parseBasicAuth(header: string | undefined): Credentials | undefined {
  if (header === undefined || header.length < 6 || header.slice(0, 6).toLowerCase() !== 'basic ') return undefined;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export class BasicAuthVerifier {
  /**
   * Outcomes by (user, hash, password). bcrypt is slow on purpose (~50-100 ms at cost 10 in pure JS) and
   * Prometheus sends the same credentials on every scrape, so without this each scrape would spend that much
   * CPU on the main thread. Keyed by a SHA-256 digest, so the cache holds no password in clear; the promise is
   * stored, so concurrent requests with the same credentials share one comparison. Failures are cached too,
   * as exporter-toolkit does: repeating a wrong password costs nothing.
   */
  private readonly outcomes = new Map<string, Promise<boolean>>();

  constructor(private readonly users: Readonly<Record<string, string>>) {}

  /** True when the credentials name a configured user and match that user's hash. */
  verify(credentials: Credentials): Promise<boolean> {
    const known = Object.hasOwn(this.users, credentials.user);
    const hash = known ? (this.users[credentials.user] as string) : UNKNOWN_USER_HASH;
    const key = createHash('sha256')
      .update(JSON.stringify([credentials.user, hash, credentials.password]))
      .digest('base64');
    let outcome = this.outcomes.get(key);
    if (outcome === undefined) {
      outcome = bcrypt.compare(credentials.password, hash).then(
        (match) => known && match,
        () => false,
      );
      if (this.outcomes.size >= CACHE_SIZE) this.evictOldest();
      this.outcomes.set(key, outcome);
    }
    return outcome;
  }

  /** Drops the oldest tenth (Map keeps insertion order), so eviction runs once per ten new entries, not on each. */
  private evictOldest(): void {
    let toDelete = Math.max(1, Math.floor(this.outcomes.size / 10));
    for (const key of this.outcomes.keys()) {
      if (toDelete-- === 0) break;
      this.outcomes.delete(key);
    }
  }
}
