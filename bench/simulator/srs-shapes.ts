// The JSON shapes SRS 6 answers on /api/v1/… (keys and order as in test/fixtures/srs/srs6/), as the simulator serves them.

export interface SrsKbps {
  recv_30s: number;
  send_30s: number;
}

export interface SrsVideo {
  codec: string;
  profile: string;
  level: string;
  width: number;
  height: number;
}

export interface SrsAudio {
  codec: string;
  sample_rate: number;
  channel: number;
  profile: string;
}

export interface SrsStreamJson {
  id: string;
  name: string;
  vhost: string;
  app: string;
  tcUrl: string;
  url: string;
  live_ms: number;
  clients: number;
  frames: number;
  send_bytes: number;
  recv_bytes: number;
  kbps: SrsKbps;
  /** `cid` is absent when the stream has no publisher. */
  publish: { active: boolean; cid?: string };
  video: SrsVideo | null;
  audio: SrsAudio | null;
}

export interface SrsClientJson {
  id: string;
  vhost: string;
  stream: string;
  ip: string;
  pageUrl: string;
  swfUrl: string;
  tcUrl: string;
  url: string;
  name: string;
  type: string;
  publish: boolean;
  alive: number;
  send_bytes: number;
  recv_bytes: number;
  kbps: SrsKbps;
}

export interface SrsVhostJson {
  id: string;
  name: string;
  enabled: boolean;
  clients: number;
  streams: number;
  send_bytes: number;
  recv_bytes: number;
  kbps: SrsKbps;
  hls: { enabled: boolean };
}

/** The envelope every SRS API answer starts with. */
export interface SrsEnvelope {
  code: number;
  server: string;
  service: string;
  pid: string;
}
