// The sockets of the lean HTTP/1.1 client (lean-http1.ts): per host:port, a pool of keep-alive sockets (busy, idle or
// connecting; unbounded unless the client sets a cap), idle ones closed after the keep-alive timeout, requests beyond a
// cap waiting in order.
import { connect, type Socket } from 'node:net';
import { atEndOfTurn } from './end-of-turn.js';

/** What a socket needs of the request it carries. */
export interface PooledRequest {
  readonly requestHead: string;
  readonly requestBody: string | undefined;
  attach(connection: Connection): void;
  /** A read: a view of the buffer every socket reads into (READ_BUFFER), valid only until this returns. */
  onData(data: Buffer): void;
  /** The server ended the connection. */
  onEnd(): void;
  onSocketError(error: Error): void;
}

export interface PoolLimits {
  /** Sockets per host:port, busy, idle or connecting (Infinity: no cap). */
  readonly maxSockets: number;
  readonly keepAliveMs: number;
  readonly connectTimeoutMs: number;
  /** Once set, a socket whose response is done is closed instead of kept. */
  readonly closed: boolean;
}

/** Where a URL's sockets go: its pool's key (host:port) and what to connect to. */
export interface Origin {
  readonly key: string;
  readonly host: string;
  readonly port: number;
}

/** The origin of an http: URL (port 80 when none is given; an IPv6 host without its brackets to connect to). */
export function originOf(url: URL): Origin {
  const port = url.port === '' ? 80 : Number(url.port);
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return { key: `${url.hostname}:${port}`, host, port };
}

/** The pools by host:port; a pool is dropped when its last socket is gone and nothing waits. */
export class OriginPools {
  private readonly pools = new Map<string, Pool>();

  constructor(private readonly limits: PoolLimits) {}

  poolFor(origin: Origin): Pool {
    let pool = this.pools.get(origin.key);
    if (pool === undefined) {
      pool = new Pool(this, this.limits, origin.key, origin.host, origin.port);
      this.pools.set(origin.key, pool);
    }
    return pool;
  }

  drop(key: string): void {
    this.pools.delete(key);
  }

  closeIdle(): void {
    for (const pool of [...this.pools.values()]) for (const connection of [...pool.idle]) connection.destroy();
  }
}

/** The sockets to one host:port. */
export class Pool {
  /** Idle sockets, the most recently used last (taken first: the furthest from its idle timeout). */
  readonly idle: Connection[] = [];
  readonly waiting: PooledRequest[] = [];
  total = 0;

  constructor(
    private readonly pools: OriginPools,
    readonly limits: PoolLimits,
    private readonly key: string,
    readonly host: string,
    readonly port: number,
  ) {}

  acquire(exchange: PooledRequest, fresh: boolean): void {
    const connection = fresh ? undefined : this.idle.pop();
    if (connection !== undefined) {
      connection.assign(exchange);
      return;
    }
    if (this.total < this.limits.maxSockets) {
      this.total++;
      new Connection(this).assign(exchange);
      return;
    }
    this.waiting.push(exchange);
  }

  /** A socket whose response is complete and that may carry another. */
  release(connection: Connection): void {
    const next = this.waiting.shift();
    if (next !== undefined) {
      connection.assign(next);
      return;
    }
    this.idle.push(connection);
    connection.startIdleTimer();
  }

  /** A socket is gone: its slot goes to the next waiting request. */
  remove(connection: Connection): void {
    const at = this.idle.indexOf(connection);
    if (at >= 0) this.idle.splice(at, 1);
    this.total--;
    const next = this.waiting.shift();
    if (next !== undefined) {
      this.total++;
      new Connection(this).assign(next);
    } else if (this.total === 0) this.pools.drop(this.key);
  }

  forget(exchange: PooledRequest): void {
    const at = this.waiting.indexOf(exchange);
    if (at >= 0) this.waiting.splice(at, 1);
  }
}

/**
 * The one buffer every socket of every pool reads into (net's `onread`): reads are handled one at a time on this
 * thread, and whatever keeps bytes of a read copies them before the callback returns. Without it each read made a
 * Buffer of its own (an ArrayBuffer the size of the read, external memory V8 collects only with the heap) and went
 * through the stream's push and 'data' emit.
 */
const READ_BUFFER = Buffer.allocUnsafeSlow(64 * 1024);

export class Connection {
  readonly socket: Socket;
  exchange: PooledRequest | undefined;
  /** It has carried a complete response: a failure before any byte of the next may be its idle close. */
  reused = false;
  idleMs: number;
  private idleTimer: NodeJS.Timeout | undefined;
  private idleTimerMs = 0;
  private dead = false;
  /** The socket holds a request's bytes until the end of the turn. */
  private corked = false;
  private connectTimer: NodeJS.Timeout | undefined;

  constructor(readonly pool: Pool) {
    this.idleMs = pool.limits.keepAliveMs;
    this.socket = connect({
      host: pool.host,
      port: pool.port,
      noDelay: true,
      onread: { buffer: READ_BUFFER, callback: this.onRead },
    });
    const connectTimeoutMs = pool.limits.connectTimeoutMs;
    this.connectTimer = setTimeout(() => this.fail(new ConnectTimeout(connectTimeoutMs)), connectTimeoutMs);
    this.connectTimer.unref();
    this.socket.once('connect', () => clearTimeout(this.connectTimer));
    this.socket.once('end', () => {
      const exchange = this.exchange;
      this.destroy();
      exchange?.onEnd();
    });
    this.socket.on('error', (error) => this.fail(error));
    this.socket.once('close', () => {
      // Most closes are our own (idle timeout, a finished close-delimited response): no error to build for them.
      if (this.exchange === undefined) this.destroy();
      else this.fail(new Error('other side closed'));
    });
  }

  /** A read into READ_BUFFER (true: `false` would pause the socket). */
  private readonly onRead = (length: number): boolean => {
    if (this.exchange === undefined)
      this.destroy(); // bytes nobody asked for: the socket is not reusable
    else this.exchange.onData(READ_BUFFER.subarray(0, length));
    return true;
  };

  assign(exchange: PooledRequest): void {
    this.exchange = exchange;
    exchange.attach(this);
    const { socket } = this;
    // Held until the end of this turn of the event loop, then sent with the turn's other requests (end-of-turn.ts).
    if (!this.corked) {
      this.corked = true;
      socket.cork();
      atEndOfTurn(this.uncork);
    }
    socket.write(exchange.requestHead, 'latin1');
    if (exchange.requestBody !== undefined) socket.write(exchange.requestBody, 'utf8');
  }

  /** Sends what assign wrote (a destroyed socket drops it). */
  private readonly uncork = (): void => {
    this.corked = false;
    this.socket.uncork();
  };

  /** The response is complete: back to the pool, or closed. */
  done(reusable: boolean): void {
    this.exchange = undefined;
    this.reused = true;
    if (!reusable || this.dead || this.idleMs <= 0 || this.pool.limits.closed) this.destroy();
    else this.pool.release(this);
  }

  /** A server's `Keep-Alive: timeout=N`: idle no longer than N − 1 s. */
  applyKeepAliveHint(seconds: number | undefined): void {
    this.idleMs =
      seconds === undefined
        ? this.pool.limits.keepAliveMs
        : Math.min(this.pool.limits.keepAliveMs, seconds * 1000 - 1000);
  }

  startIdleTimer(): void {
    if (this.idleTimer === undefined || this.idleTimerMs !== this.idleMs) {
      clearTimeout(this.idleTimer);
      this.idleTimerMs = this.idleMs;
      this.idleTimer = setTimeout(() => {
        if (this.exchange === undefined) this.destroy();
      }, this.idleMs);
      this.idleTimer.unref();
    } else this.idleTimer.refresh();
  }

  destroy(): void {
    if (this.dead) return;
    this.dead = true;
    clearTimeout(this.idleTimer);
    clearTimeout(this.connectTimer);
    this.socket.destroy();
    this.pool.remove(this);
  }

  private fail(error: Error): void {
    const exchange = this.exchange;
    this.exchange = undefined;
    this.destroy();
    exchange?.onSocketError(error);
  }
}

class ConnectTimeout extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(ms: number) {
    super(`connect timed out after ${ms} ms`);
  }
}
