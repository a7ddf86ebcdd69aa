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

/** Length of a client id (8 base-36 characters, as SRS's). */
const CLIENT_ID_LENGTH = 8;

interface StreamState {
  readonly id: string;
  readonly name: string;
  readonly profile: Profile;
  readonly startedMs: number;
  readonly publisherId: string | undefined;
  /** Where its players are kept in the server's player arrays (see VirtualSrsServer's `player*` fields). */
  readonly slot: number;
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

/** A client id as SRS writes it: its base-36 number in CLIENT_ID_LENGTH characters. */
function clientIdText(id: number): string {
  return id.toString(36).padStart(CLIENT_ID_LENGTH, '0');
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
   * Ids in use (the vhost's, streams', publishers'; players' are in the player arrays below), so a new one never
   * repeats a live one. An id leaves with its stream: kept for good, ids grew by ~15,000 a second at 10,000 servers,
   * and the simulator's old space with them (155 → 630 MB in 80 s), whose full collections then stalled its loop for
   * 130–220 ms (bench/README.md).
   */
  private readonly usedIds = new Set<string>();
  /**
   * Players, MAX_PLAYERS places per stream slot, in typed arrays: no heap object per player. At 10,000 servers the
   * fleet holds 0.4–0.8 M players, and as objects (with their id and address strings) the simulator's full collections
   * marked them all on the loop that stamps the targets' arrival times (bench/README.md). A player's id is kept as
   * its base-36 number (its string is made when it is listed), its address as (a << 16) | (b << 8) | c of 10.a.b.c,
   * its join time in ms after SIMULATOR_EPOCH_MS, its type as an index into PLAYER_TYPES. Player ids are not in
   * `usedIds`: a new id is checked against both.
   */
  private readonly playerCounts: Uint8Array;
  private readonly playerIds: Float64Array;
  private readonly playerJoinedAt: Float64Array;
  private readonly playerIps: Int32Array;
  private readonly playerTypes: Uint8Array;
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
    this.playerCounts = new Uint8Array(streamCount);
    this.playerIds = new Float64Array(streamCount * MAX_PLAYERS);
    this.playerJoinedAt = new Float64Array(streamCount * MAX_PLAYERS);
    this.playerIps = new Int32Array(streamCount * MAX_PLAYERS);
    this.playerTypes = new Uint8Array(streamCount * MAX_PLAYERS);
    this.name = `srs-edge-${index}`;
    this.service = this.prng.id(8);
    this.pid = String(this.prng.int(1000, 60000));
    this.vhostId = this.uniqueId('vid-', 7);
    this.startedMs = this.nowMs - this.prng.int(3_600, 864_000) * 1000;
    for (let i = 0; i < streamCount; i++) this.streams.push(this.newStream(this.prng.int(60, 3_600) * 1000, i));
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
        stream = this.newStream(0, stream.slot);
        this.streams[i] = stream;
        replaced = true;
      }
      if (this.playerCount(stream) < MAX_PLAYERS && this.prng.chance(0.15)) this.addPlayer(stream.slot, this.nowMs);
      const keep = stream.profile.published ? 0 : 1;
      if (this.playerCount(stream) > keep && this.prng.chance(0.12))
        this.removePlayer(stream.slot, this.prng.int(0, this.playerCount(stream) - 1));
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
      for (let p = 0; p < this.playerCount(stream); p++) clients.push(this.playerJson(stream, p));
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
      const streamPlayers = this.playerCount(stream);
      clients += streamPlayers + publisher;
      publishers += publisher;
      players += streamPlayers;
      sendBytes += stream.sendBytes;
      recvBytes += stream.recvBytes;
      if (publisher === 1) clientsByType['fmle-publish'] = (clientsByType['fmle-publish'] ?? 0) + 1;
      for (let p = 0; p < streamPlayers; p++) {
        const type = this.playerType(stream.slot * MAX_PLAYERS + p);
        clientsByType[type] = (clientsByType[type] ?? 0) + 1;
      }
    }
    return { streams: this.streams.length, clients, publishers, players, clientsByType, sendBytes, recvBytes };
  }

  /** Ids held (the vhost's, and each live stream's, publisher's and player's): tests check none outlives its owner. */
  get idsInUse(): number {
    let players = 0;
    for (const count of this.playerCounts) players += count;
    return this.usedIds.size + players;
  }

  private uniqueId(prefix: string, length: number): string {
    for (;;) {
      const id = prefix + this.prng.id(length);
      if (!this.isTaken(id)) {
        this.usedIds.add(id);
        return id;
      }
    }
  }

  /** A new player's id as its base-36 number: the draws uniqueId('', CLIENT_ID_LENGTH) makes, checked as it does. */
  private uniquePlayerId(): number {
    for (;;) {
      const id = this.prng.idNumber(CLIENT_ID_LENGTH);
      if (!this.isPlayerId(id) && !this.usedIds.has(clientIdText(id))) return id;
    }
  }

  /** Held by a live stream, publisher, player or the vhost (only client ids have CLIENT_ID_LENGTH characters). */
  private isTaken(id: string): boolean {
    return this.usedIds.has(id) || (id.length === CLIENT_ID_LENGTH && this.isPlayerId(parseInt(id, 36)));
  }

  private isPlayerId(id: number): boolean {
    for (let slot = 0; slot < this.playerCounts.length; slot++) {
      const base = slot * MAX_PLAYERS;
      const end = base + (this.playerCounts[slot] as number);
      for (let at = base; at < end; at++) if (this.playerIds[at] === id) return true;
    }
    return false;
  }

  private playerCount(stream: StreamState): number {
    return this.playerCounts[stream.slot] as number;
  }

  private playerType(at: number): string {
    return PLAYER_TYPES[this.playerTypes[at] as number] as string;
  }

  /** A player joins the stream of `slot`, last in its list (SRS lists them by id; clientsJson sorts). */
  private addPlayer(slot: number, joinedMs: number): void {
    const id = this.uniquePlayerId();
    const type = this.prng.int(0, PLAYER_TYPES.length - 1);
    const ip = (this.prng.int(0, 255) << 16) | (this.prng.int(0, 255) << 8) | this.prng.int(1, 254);
    const at = slot * MAX_PLAYERS + (this.playerCounts[slot] as number);
    this.playerIds[at] = id;
    this.playerTypes[at] = type;
    this.playerIps[at] = ip;
    this.playerJoinedAt[at] = joinedMs - SIMULATOR_EPOCH_MS;
    (this.playerCounts[slot] as number)++;
  }

  /** Player `index` of the stream of `slot` leaves; those after it move up. */
  private removePlayer(slot: number, index: number): void {
    const base = slot * MAX_PLAYERS;
    const count = this.playerCounts[slot] as number;
    const from = base + index + 1;
    const end = base + count;
    this.playerIds.copyWithin(from - 1, from, end);
    this.playerTypes.copyWithin(from - 1, from, end);
    this.playerIps.copyWithin(from - 1, from, end);
    this.playerJoinedAt.copyWithin(from - 1, from, end);
    this.playerCounts[slot] = count - 1;
  }

  /** A stopped stream's ids, its publisher's and its players', may be drawn again. */
  private releaseIds(stream: StreamState): void {
    this.usedIds.delete(stream.id);
    if (stream.publisherId !== undefined) this.usedIds.delete(stream.publisherId);
    this.playerCounts[stream.slot] = 0;
  }

  private pickProfile(): Profile {
    let ticket = this.prng.next() * PROFILE_WEIGHT;
    for (const profile of PROFILES) {
      ticket -= profile.weight;
      if (ticket < 0) return profile;
    }
    return PROFILES[0] as Profile;
  }

  /** A stream that has been live for `ageMs`, its counters as if it had been running all that time. */
  private newStream(ageMs: number, slot: number): StreamState {
    const profile = this.pickProfile();
    const startedMs = this.nowMs - ageMs;
    this.playerCounts[slot] = 0;
    const playerCount = profile.published ? this.prng.int(0, ageMs === 0 ? 2 : 8) : this.prng.int(1, 2);
    for (let i = 0; i < playerCount; i++) this.addPlayer(slot, startedMs + Math.floor(this.prng.next() * ageMs));
    let playersSendBytes = 0;
    for (let at = slot * MAX_PLAYERS; at < slot * MAX_PLAYERS + playerCount; at++) {
      playersSendBytes += this.playerSendBytes(profile, at);
    }
    const stream: StreamState = {
      id: this.uniqueId('vid-', 7),
      name: `${this.prng.pick(STREAM_NAMES)}${++this.nameSequence}`,
      profile,
      startedMs,
      publisherId: profile.published ? this.uniqueId('', CLIENT_ID_LENGTH) : undefined,
      slot,
      frames: Math.round((profile.fps * ageMs) / 1000),
      recvBytes: Math.round((profile.bitrateKbps * ageMs) / 8) + (profile.published ? 0 : 3472),
      sendBytes: PUBLISHER_SEND_BYTES + playersSendBytes,
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
    stream.kbpsSend = stream.kbpsRecv * this.playerCount(stream);
  }

  /** How long the player at `at` in the player arrays has been connected. */
  private playerAliveMs(at: number): number {
    return this.nowMs - SIMULATOR_EPOCH_MS - (this.playerJoinedAt[at] as number);
  }

  /** What the player at `at` has been sent since it joined. */
  private playerSendBytes(profile: Profile, at: number): number {
    return Math.round((profile.bitrateKbps * this.playerAliveMs(at)) / 8);
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
      clients: this.playerCount(stream) + (stream.publisherId === undefined ? 0 : 1),
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

  private playerJson(stream: StreamState, index: number): SrsClientJson {
    const at = stream.slot * MAX_PLAYERS + index;
    const type = this.playerType(at);
    const ip = this.playerIps[at] as number;
    const http = type === 'flv-play' || type === 'hls-play';
    const suffix = type === 'flv-play' ? '.flv' : type === 'hls-play' ? '.m3u8' : '';
    const aliveMs = this.playerAliveMs(at);
    return {
      id: clientIdText(this.playerIds[at] as number),
      vhost: this.vhostId,
      stream: stream.id,
      ip: `10.${ip >>> 16}.${(ip >>> 8) & 255}.${ip & 255}`,
      pageUrl: '',
      swfUrl: '',
      tcUrl: http ? 'http://127.0.0.1/live' : 'rtmp://127.0.0.1:1935/live',
      url: `/live/${stream.name}`,
      name: stream.name + suffix,
      type,
      publish: false,
      alive: round2(aliveMs / 1000),
      send_bytes: this.playerSendBytes(stream.profile, at),
      recv_bytes: http ? 153 : 3526,
      kbps: { recv_30s: 0, send_30s: aliveMs < KBPS_WINDOW_MS ? 0 : stream.kbpsRecv },
    };
  }
}
