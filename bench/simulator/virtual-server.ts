// One virtual SRS server's state (streams, their publishers and players, counters) and its seeded churn.
import { Prng } from './prng.js';
import type { SrsClientJson, SrsStreamJson, SrsVhostJson } from './srs-shapes.js';
import { PLAYER_TYPES, PROFILE_WEIGHT, PROFILES, STREAM_NAMES, type Profile } from './stream-profiles.js';

/** The simulated clock starts where the SRS 6 fixtures were captured, so bodies look like real ones. */
export const SIMULATOR_EPOCH_MS = 1795523034841;
const SRS_VERSION = { major: 6, minor: 0, revision: 157, version: '6.0.157' };
/** SRS reports 0 kbps for the first ~30 s of a stream or a client (its 30 s window is not full yet). */
const KBPS_WINDOW_MS = 30_000;
const MAX_PLAYERS = 40;
/** Bytes a publisher's connection sends (handshake, acks), as in the fixtures (4386). */
const PUBLISHER_SEND_BYTES = 4386;
const RAM_KBYTE = 24684084;

/**
 * Kept small: at 10,000 servers the fleet holds 0.4–0.8 M players, and the simulator's full collections mark them all
 * on the loop that stamps the targets' arrival times. The address is packed (its string is made when a client is
 * listed) and the join time is kept from SIMULATOR_EPOCH_MS, a small integer rather than a boxed epoch number.
 */
interface Player {
  readonly id: string;
  readonly type: string;
  /** 10.a.b.c as (a << 16) | (b << 8) | c. */
  readonly ip: number;
  /** Join time, ms after SIMULATOR_EPOCH_MS (negative: before it). */
  readonly joinedAt: number;
}

interface StreamState {
  readonly id: string;
  readonly name: string;
  readonly profile: Profile;
  readonly startedMs: number;
  readonly publisherId: string | undefined;
  players: Player[];
  frames: number;
  sendBytes: number;
  recvBytes: number;
  kbpsRecv: number;
  kbpsSend: number;
}

/** What a server serves right now, summed: the values e2e tests expect Prometheus to see. */
export interface ServerTotals {
  readonly streams: number;
  /** Sum of every stream's `clients` (players and publishers), what `srs_stream_clients` sums to. */
  readonly clients: number;
  readonly publishers: number;
  readonly players: number;
  /** Client count per SRS client type (`fmle-publish`, `rtmp-play`, …). */
  readonly clientsByType: Readonly<Record<string, number>>;
  readonly sendBytes: number;
  readonly recvBytes: number;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

export class VirtualSrsServer {
  readonly name: string;
  readonly service: string;
  readonly pid: string;
  readonly vhostId: string;
  private readonly prng: Prng;
  private readonly startedMs: number;
  private nowMs = SIMULATOR_EPOCH_MS;
  private streams: StreamState[] = [];
  /**
   * Ids in use (streams, publishers, players), so a new one never repeats a live one. An id leaves with its stream or
   * player: kept for good, the set grew by ~15,000 ids a second at 10,000 servers, and the simulator's old space with
   * it (155 → 630 MB in 80 s), whose full collections then stalled its loop for 130–220 ms (bench/README.md).
   */
  private readonly usedIds = new Set<string>();
  private nameSequence = 0;
  /** Vhost counters keep the bytes of streams that stopped, as SRS's do. */
  private closedSendBytes = 0;
  private closedRecvBytes = 0;

  constructor(
    readonly index: number,
    seed: number,
    streamCount: number,
  ) {
    this.prng = new Prng(seed);
    this.name = `srs-edge-${index}`;
    this.service = this.prng.id(8);
    this.pid = String(this.prng.int(1000, 60000));
    this.vhostId = this.uniqueId('vid-', 7);
    this.startedMs = this.nowMs - this.prng.int(3_600, 864_000) * 1000;
    for (let i = 0; i < streamCount; i++) this.streams.push(this.newStream(this.prng.int(60, 3_600) * 1000));
    this.sortStreams();
  }

  /** Moves the simulated clock by `stepMs`: streams stop and start, players come and go, counters grow. */
  advance(stepMs: number): void {
    const seconds = stepMs / 1000;
    this.nowMs += stepMs;
    let replaced = false;
    for (let i = 0; i < this.streams.length; i++) {
      let stream = this.streams[i] as StreamState;
      if (this.prng.chance(0.005 * seconds)) {
        this.closedSendBytes += stream.sendBytes;
        this.closedRecvBytes += stream.recvBytes;
        this.releaseIds(stream);
        stream = this.newStream(0);
        this.streams[i] = stream;
        replaced = true;
      }
      if (stream.players.length < MAX_PLAYERS && this.prng.chance(0.15))
        stream.players.push(this.newPlayer(this.nowMs));
      const keep = stream.profile.published ? 0 : 1;
      if (stream.players.length > keep && this.prng.chance(0.12))
        for (const gone of stream.players.splice(this.prng.int(0, stream.players.length - 1), 1))
          this.usedIds.delete(gone.id);
      this.refreshRates(stream);
      stream.recvBytes += Math.round(stream.kbpsRecv * 125 * seconds);
      stream.sendBytes += Math.round(stream.kbpsSend * 125 * seconds);
      stream.frames += Math.round(stream.profile.fps * seconds);
    }
    if (replaced) this.sortStreams();
  }

  /** Streams ordered by id, as SRS's std::map keeps them. */
  streamsJson(): SrsStreamJson[] {
    return this.streams.map((stream) => this.streamJson(stream));
  }

  streamById(id: string): SrsStreamJson | undefined {
    const stream = this.streams.find((s) => s.id === id);
    return stream === undefined ? undefined : this.streamJson(stream);
  }

  /** Every client (publishers and players) ordered by id. */
  clientsJson(): SrsClientJson[] {
    const clients: SrsClientJson[] = [];
    for (const stream of this.streams) {
      if (stream.publisherId !== undefined) clients.push(this.publisherJson(stream, stream.publisherId));
      for (const player of stream.players) clients.push(this.playerJson(stream, player));
    }
    return clients.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  vhostJson(): SrsVhostJson {
    const totals = this.totals();
    let recv = 0;
    let send = 0;
    for (const stream of this.streams) {
      recv += stream.kbpsRecv;
      send += stream.kbpsSend;
    }
    return {
      id: this.vhostId,
      name: '__defaultVhost__',
      enabled: true,
      clients: totals.clients,
      streams: totals.streams,
      send_bytes: totals.sendBytes + this.closedSendBytes,
      recv_bytes: totals.recvBytes + this.closedRecvBytes,
      kbps: { recv_30s: recv, send_30s: send },
      hls: { enabled: false },
    };
  }

  /** `data` of /api/v1/summaries: values follow the load (clients, streams), `*_percent` are fractions as in SRS. */
  summariesData(): Record<string, unknown> {
    const totals = this.totals();
    const vhost = this.vhostJson();
    const memKbyte = 19364 + totals.streams * 180 + totals.clients * 24;
    const cpu = Math.min(0.95, round2(0.01 + totals.clients * 0.002));
    const uptimeSeconds = Math.floor((this.nowMs - this.startedMs) / 1000);
    return {
      ok: true,
      now_ms: this.nowMs,
      self: {
        version: SRS_VERSION.version,
        pid: Number(this.pid),
        ppid: 1,
        argv: './objs/srs -c conf/srs.conf',
        cwd: '/usr/local/srs',
        mem_kbyte: memKbyte,
        mem_percent: round2(memKbyte / RAM_KBYTE),
        cpu_percent: cpu,
        srs_uptime: uptimeSeconds,
      },
      system: {
        cpu_percent: Math.min(0.99, round2(cpu + 0.1)),
        disk_read_KBps: 65,
        disk_write_KBps: 0,
        disk_busy_percent: 0,
        mem_ram_kbyte: RAM_KBYTE,
        mem_ram_percent: round2((memKbyte + 230_000) / RAM_KBYTE),
        mem_swap_kbyte: 0,
        mem_swap_percent: 0,
        cpus: 2,
        cpus_online: 2,
        uptime: uptimeSeconds + 3598.55,
        ilde_time: 2 * uptimeSeconds + 7044.42,
        load_1m: round2(cpu * 2 + 0.3),
        load_5m: round2(cpu * 2 + 0.2),
        load_15m: round2(cpu * 2 + 0.1),
        net_sample_time: this.nowMs - 6000,
        net_recv_bytes: 0,
        net_send_bytes: 0,
        net_recvi_bytes: vhost.recv_bytes + 47350534,
        net_sendi_bytes: vhost.send_bytes + 31005372,
        srs_sample_time: this.nowMs - 400,
        srs_recv_bytes: vhost.recv_bytes,
        srs_send_bytes: vhost.send_bytes,
        conn_sys: totals.clients + 37,
        conn_sys_et: 10,
        conn_sys_tw: 27,
        conn_sys_udp: 0,
        conn_srs: totals.clients,
      },
    };
  }

  versionsData(): typeof SRS_VERSION {
    return SRS_VERSION;
  }

  totals(): ServerTotals {
    let clients = 0;
    let publishers = 0;
    let players = 0;
    let sendBytes = 0;
    let recvBytes = 0;
    const clientsByType: Record<string, number> = {};
    for (const stream of this.streams) {
      const publisher = stream.publisherId === undefined ? 0 : 1;
      clients += stream.players.length + publisher;
      publishers += publisher;
      players += stream.players.length;
      sendBytes += stream.sendBytes;
      recvBytes += stream.recvBytes;
      if (publisher === 1) clientsByType['fmle-publish'] = (clientsByType['fmle-publish'] ?? 0) + 1;
      for (const player of stream.players) clientsByType[player.type] = (clientsByType[player.type] ?? 0) + 1;
    }
    return { streams: this.streams.length, clients, publishers, players, clientsByType, sendBytes, recvBytes };
  }

  /** Ids held (the vhost's, and each live stream's, publisher's and player's): tests check none outlives its owner. */
  get idsInUse(): number {
    return this.usedIds.size;
  }

  private uniqueId(prefix: string, length: number): string {
    for (;;) {
      const id = prefix + this.prng.id(length);
      if (!this.usedIds.has(id)) {
        this.usedIds.add(id);
        return id;
      }
    }
  }

  /** A stopped stream's ids, its publisher's and its players', may be drawn again. */
  private releaseIds(stream: StreamState): void {
    this.usedIds.delete(stream.id);
    if (stream.publisherId !== undefined) this.usedIds.delete(stream.publisherId);
    for (const player of stream.players) this.usedIds.delete(player.id);
  }

  private pickProfile(): Profile {
    let ticket = this.prng.next() * PROFILE_WEIGHT;
    for (const profile of PROFILES) {
      ticket -= profile.weight;
      if (ticket < 0) return profile;
    }
    return PROFILES[0] as Profile;
  }

  private newPlayer(joinedMs: number): Player {
    return {
      id: this.uniqueId('', 8),
      type: this.prng.pick(PLAYER_TYPES),
      ip: (this.prng.int(0, 255) << 16) | (this.prng.int(0, 255) << 8) | this.prng.int(1, 254),
      joinedAt: joinedMs - SIMULATOR_EPOCH_MS,
    };
  }

  /** A stream that has been live for `ageMs`, its counters as if it had been running all that time. */
  private newStream(ageMs: number): StreamState {
    const profile = this.pickProfile();
    const startedMs = this.nowMs - ageMs;
    const players: Player[] = [];
    const playerCount = profile.published ? this.prng.int(0, ageMs === 0 ? 2 : 8) : this.prng.int(1, 2);
    for (let i = 0; i < playerCount; i++)
      players.push(this.newPlayer(startedMs + Math.floor(this.prng.next() * ageMs)));
    const stream: StreamState = {
      id: this.uniqueId('vid-', 7),
      name: `${this.prng.pick(STREAM_NAMES)}${++this.nameSequence}`,
      profile,
      startedMs,
      publisherId: profile.published ? this.uniqueId('', 8) : undefined,
      players,
      frames: Math.round((profile.fps * ageMs) / 1000),
      recvBytes: Math.round((profile.bitrateKbps * ageMs) / 8) + (profile.published ? 0 : 3472),
      sendBytes: PUBLISHER_SEND_BYTES + players.reduce((sum, p) => sum + this.playerSendBytes(profile, p), 0),
      kbpsRecv: 0,
      kbpsSend: 0,
    };
    this.refreshRates(stream);
    return stream;
  }

  private refreshRates(stream: StreamState): void {
    if (this.nowMs - stream.startedMs < KBPS_WINDOW_MS || !stream.profile.published) {
      stream.kbpsRecv = 0;
      stream.kbpsSend = 0;
      return;
    }
    stream.kbpsRecv = Math.round(stream.profile.bitrateKbps * (0.97 + this.prng.next() * 0.06));
    stream.kbpsSend = stream.kbpsRecv * stream.players.length;
  }

  private playerSendBytes(profile: Profile, player: Player): number {
    return Math.round((profile.bitrateKbps * (this.nowMs - SIMULATOR_EPOCH_MS - player.joinedAt)) / 8);
  }

  private sortStreams(): void {
    this.streams.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  private streamJson(stream: StreamState): SrsStreamJson {
    const { profile } = stream;
    return {
      id: stream.id,
      name: stream.name,
      vhost: this.vhostId,
      app: 'live',
      tcUrl: 'rtmp://127.0.0.1:1935/live',
      url: `/live/${stream.name}`,
      live_ms: this.nowMs,
      clients: stream.players.length + (stream.publisherId === undefined ? 0 : 1),
      frames: stream.frames,
      send_bytes: stream.sendBytes,
      recv_bytes: stream.recvBytes,
      kbps: { recv_30s: stream.kbpsRecv, send_30s: stream.kbpsSend },
      publish: stream.publisherId === undefined ? { active: false } : { active: true, cid: stream.publisherId },
      video: profile.video === null ? null : { ...profile.video },
      audio: profile.audio === null ? null : { ...profile.audio },
    };
  }

  private publisherJson(stream: StreamState, id: string): SrsClientJson {
    return {
      id,
      vhost: this.vhostId,
      stream: stream.id,
      ip: '127.0.0.1',
      pageUrl: '',
      swfUrl: '',
      tcUrl: 'rtmp://127.0.0.1:1935/live',
      url: `/live/${stream.name}`,
      name: stream.name,
      type: 'fmle-publish',
      publish: true,
      alive: round2((this.nowMs - stream.startedMs) / 1000),
      send_bytes: PUBLISHER_SEND_BYTES,
      recv_bytes: stream.recvBytes,
      kbps: { recv_30s: stream.kbpsRecv, send_30s: 0 },
    };
  }

  private playerJson(stream: StreamState, player: Player): SrsClientJson {
    const http = player.type === 'flv-play' || player.type === 'hls-play';
    const suffix = player.type === 'flv-play' ? '.flv' : player.type === 'hls-play' ? '.m3u8' : '';
    const aliveMs = this.nowMs - SIMULATOR_EPOCH_MS - player.joinedAt;
    return {
      id: player.id,
      vhost: this.vhostId,
      stream: stream.id,
      ip: `10.${player.ip >>> 16}.${(player.ip >>> 8) & 255}.${player.ip & 255}`,
      pageUrl: '',
      swfUrl: '',
      tcUrl: http ? 'http://127.0.0.1/live' : 'rtmp://127.0.0.1:1935/live',
      url: `/live/${stream.name}`,
      name: stream.name + suffix,
      type: player.type,
      publish: false,
      alive: round2(aliveMs / 1000),
      send_bytes: this.playerSendBytes(stream.profile, player),
      recv_bytes: http ? 153 : 3526,
      kbps: { recv_30s: 0, send_30s: aliveMs < KBPS_WINDOW_MS ? 0 : stream.kbpsRecv },
    };
  }
}
