// Deterministic SRS /api/v1/streams/ bodies of any size, in the real SRS 6 shape (test/fixtures/srs/srs6/streams.json).

import type { SrsStreamJson } from '../../bench/simulator/srs-shapes.js';

/** One stream of `/api/v1/streams/`: the simulator's type of the real shape. */
export type SrsStream = SrsStreamJson;

/** Stream i of a synthetic server: values are simple functions of i, so tests can state them. */
export function makeStream(i: number): SrsStream {
  const name = `stream-${String(i).padStart(2, '0')}`;
  return {
    id: `vid-${String(i).padStart(7, '0')}`,
    name,
    vhost: 'vid-4r45b30',
    app: 'live',
    tcUrl: 'rtmp://127.0.0.1:1935/live',
    url: `/live/${name}`,
    live_ms: 1795523034841,
    clients: (i % 7) + 1,
    frames: i * 100,
    send_bytes: i * 1000 + 1,
    recv_bytes: i * 2000 + 2,
    kbps: { recv_30s: i * 10, send_30s: i * 20 },
    publish: i % 5 === 4 ? { active: false } : { active: true, cid: `cid${i}` },
    video: i % 3 === 0 ? null : { codec: 'H264', profile: 'High', level: '3.1', width: 640, height: 360 },
    audio: i % 4 === 0 ? null : { codec: 'AAC', sample_rate: 44100, channel: 2, profile: 'LC' },
  };
}

export function makeStreamsBody(count: number): string {
  const streams = Array.from({ length: count }, (_, i) => makeStream(i));
  return JSON.stringify({ code: 0, server: 'srs-edge-0', service: '061o8210', pid: '16127', streams });
}
