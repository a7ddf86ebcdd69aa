// Deterministic SRS /api/v1/streams/ bodies of a requested size (SRS 6 shape, fixed seed): the benches' input.
import { Prng } from './simulator/prng.js';
import type { SrsStreamJson } from './simulator/srs-shapes.js';

/** The seed every bench uses unless told otherwise, so two runs (or two commits) parse the same bytes. */
export const BENCH_SEED = 20_261_124;

const VIDEO_PROFILES = [
  { codec: 'H264', profile: 'High', level: '3.1', width: 640, height: 360 },
  { codec: 'H264', profile: 'Baseline', level: '2.1', width: 320, height: 240 },
  { codec: 'H264', profile: 'Main', level: '4', width: 1280, height: 720 },
  { codec: 'H265', profile: 'Main', level: '5.1', width: 1920, height: 1080 },
] as const;

function makeStream(prng: Prng, index: number): SrsStreamJson {
  const name = prng.chance(0.02) ? '' : `${prng.pick(['cam', 'live', 'radio', 'room', 'event'])}-${index}`;
  const publishing = prng.chance(0.9);
  const video = prng.chance(0.8) ? { ...prng.pick(VIDEO_PROFILES) } : null;
  return {
    id: `vid-${prng.id(7)}`,
    name,
    vhost: 'vid-4r45b30',
    app: prng.pick(['live', 'live', 'edu', 'sports']),
    tcUrl: 'rtmp://127.0.0.1:1935/live',
    url: `/live/${name}`,
    live_ms: 1795523034841 + prng.int(0, 86_400_000),
    clients: prng.int(0, 300),
    frames: prng.int(0, 5_000_000),
    send_bytes: prng.int(0, 2 ** 40),
    recv_bytes: prng.int(0, 2 ** 36),
    kbps: { recv_30s: prng.int(0, 8000), send_30s: prng.int(0, 200_000) },
    publish: publishing ? { active: true, cid: prng.id(8) } : { active: false },
    video,
    audio: prng.chance(0.85)
      ? { codec: 'AAC', sample_rate: prng.pick([44100, 48000]), channel: 2, profile: 'LC' }
      : null,
  };
}

const ENVELOPE = '{"code":0,"server":"vid-0xx3m69","service":"061o8210","pid":"16127","streams":[';

/** A streams body of at least `targetBytes` bytes (SRS's envelope, then as many streams as it takes). */
export function generateStreamsBody(
  targetBytes: number,
  seed = BENCH_SEED,
): { readonly body: Uint8Array; readonly streams: number } {
  return generate(seed, (size, streams) => size < targetBytes || streams === 0);
}

/** A streams body with exactly `count` streams. */
export function generateStreamsBodyOfCount(
  count: number,
  seed = BENCH_SEED,
): { readonly body: Uint8Array; readonly streams: number } {
  return generate(seed, (_size, streams) => streams < count);
}

function generate(
  seed: number,
  more: (size: number, streams: number) => boolean,
): { readonly body: Uint8Array; readonly streams: number } {
  const prng = new Prng(seed);
  const parts: string[] = [];
  let size = ENVELOPE.length + 2;
  while (more(size, parts.length)) {
    const stream = JSON.stringify(makeStream(prng, parts.length));
    parts.push(stream);
    size += stream.length + 1;
  }
  return { body: new TextEncoder().encode(ENVELOPE + parts.join(',') + ']}'), streams: parts.length };
}

/** "2k", "50KB", "1m", "10MB", "4096" → bytes (KiB/MiB: 1k = 1024). */
export function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([km]?)i?b?$/i.exec(text.trim());
  if (match === null) throw new Error(`not a size: "${text}" (use e.g. 2k, 50k, 1m, 10m)`);
  const unit = (match[2] ?? '').toLowerCase();
  return Math.round(Number(match[1]) * (unit === 'k' ? 1024 : unit === 'm' ? 1024 * 1024 : 1));
}
