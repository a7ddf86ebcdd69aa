// Basic authentication against bcrypt hashes (web config basic_auth_users): bcrypt runs on a worker thread, a
// bounded number of checks wait for it (more are refused at once), and verified credentials are cached.
import { createHash } from 'node:crypto';
import { Piscina } from 'piscina';
import type { BcryptTask } from './bcrypt-worker.js';

/**
 * A bcrypt hash of "fakepassword" (exporter-toolkit's): an unknown user still costs one bcrypt comparison,
 * so response times do not tell which usernames exist.
 */
const UNKNOWN_USER_HASH = '$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi';

/** exporter-toolkit's cache size: enough for every Prometheus and person scraping one exporter. */
const CACHE_SIZE = 100;

/**
 * Distinct credentials being checked at once (one running, the rest queued for the bcrypt thread). At ~70 ms per
 * cost-10 comparison, 16 is about a second of work; a flood of wrong passwords beyond it is answered 429 at once
 * instead of queueing for minutes, and cached credentials (Prometheus's) never wait behind it.
 */
export const DEFAULT_MAX_PENDING_CHECKS = 16;

export interface Credentials {
  readonly user: string;
  readonly password: string;
}

/** `ok`: let in; `denied`: 401; `overloaded`: too many checks in progress, 429 (retry later). */
export type Verdict = 'ok' | 'denied' | 'overloaded';

/** `Authorization: Basic base64(user:password)` as Go's Request.BasicAuth reads it; undefined when absent or malformed. */
export function parseBasicAuth(header: string | undefined): Credentials | undefined {
  if (header === undefined || header.length < 6 || header.slice(0, 6).toLowerCase() !== 'basic ') return undefined;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export interface BasicAuthVerifierOptions {
  /** Distinct credentials checked at once before more are refused; DEFAULT_MAX_PENDING_CHECKS by default. */
  readonly maxPendingChecks?: number;
}

/** A small insertion-ordered set of digests that drops its oldest tenth when full. */
class BoundedDigestSet {
  readonly #entries = new Set<string>();
  has(key: string): boolean {
    return this.#entries.has(key);
  }
  add(key: string): void {
    if (this.#entries.size >= CACHE_SIZE) {
      let toDelete = Math.max(1, Math.floor(this.#entries.size / 10));
      for (const old of this.#entries) {
        if (toDelete-- === 0) break;
        this.#entries.delete(old);
      }
    }
    this.#entries.add(key);
  }
}

export class BasicAuthVerifier {
  /**
   * Verified and refused credentials, apart: bcrypt is slow on purpose and Prometheus sends the same credentials on
   * every scrape, so a verified one is never compared again — and a flood of distinct wrong passwords, which fills
   * only the refused set, cannot evict it (with one shared cache it did, and Prometheus then queued behind the
   * flood). Keyed by a SHA-256 digest, so no password is held in clear.
   */
  readonly #verified = new BoundedDigestSet();
  readonly #refused = new BoundedDigestSet();
  /** Checks in progress by digest: concurrent requests with the same credentials share one comparison. */
  readonly #pending = new Map<string, Promise<Verdict>>();
  readonly #maxPending: number;
  #pool: Piscina<BcryptTask, boolean> | undefined;
  #checks = 0;

  constructor(
    private readonly users: Readonly<Record<string, string>>,
    options: BasicAuthVerifierOptions = {},
  ) {
    this.#maxPending = options.maxPendingChecks ?? DEFAULT_MAX_PENDING_CHECKS;
  }

  /** bcrypt comparisons run so far (a cached or refused-at-once check runs none). */
  get comparisons(): number {
    return this.#checks;
  }

  /** `ok` when the credentials name a configured user and match that user's hash. */
  verify(credentials: Credentials): Promise<Verdict> {
    const known = Object.hasOwn(this.users, credentials.user);
    const hash = known ? (this.users[credentials.user] as string) : UNKNOWN_USER_HASH;
    const key = createHash('sha256')
      .update(JSON.stringify([credentials.user, hash, credentials.password]))
      .digest('base64');
    if (this.#verified.has(key)) return Promise.resolve('ok');
    if (this.#refused.has(key)) return Promise.resolve('denied');
    const pending = this.#pending.get(key);
    if (pending !== undefined) return pending;
    if (this.#pending.size >= this.#maxPending) return Promise.resolve('overloaded');
    this.#checks++;
    const outcome = this.#compare(credentials.password, hash).then(
      (match): Verdict => {
        const verdict = known && match ? 'ok' : 'denied';
        (verdict === 'ok' ? this.#verified : this.#refused).add(key);
        return verdict;
      },
      (): Verdict => 'denied',
    );
    this.#pending.set(key, outcome);
    void outcome.finally(() => this.#pending.delete(key));
    return outcome;
  }

  /** Stops the bcrypt thread (the server is closing). */
  async close(): Promise<void> {
    const pool = this.#pool;
    this.#pool = undefined;
    await pool?.close({ force: true });
  }

  #compare(password: string, hash: string): Promise<boolean> {
    // One thread: the other cores belong to the hot path's pool; started on the first check, not at load.
    this.#pool ??= new Piscina<BcryptTask, boolean>({
      filename: new URL('./bcrypt-worker.js', import.meta.url).href,
      minThreads: 1,
      maxThreads: 1,
      maxQueue: this.#maxPending,
      idleTimeout: 60_000,
    });
    return this.#pool.run({ password, hash });
  }
}
