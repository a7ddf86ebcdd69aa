// What simulated streams look like: the codec/bitrate mix of the SRS fixtures, stream names, player types.
import type { SrsAudio, SrsVideo } from './srs-shapes.js';

export interface Profile {
  readonly weight: number;
  readonly bitrateKbps: number;
  readonly fps: number;
  readonly published: boolean;
  readonly video: SrsVideo | null;
  readonly audio: SrsAudio | null;
}

const AAC: SrsAudio = { codec: 'AAC', sample_rate: 44100, channel: 2, profile: 'LC' };
/** The mix of the fixtures (video+audio, video only, audio only, player-only unpublished) plus HD variants. */
export const PROFILES: readonly Profile[] = [
  {
    weight: 40,
    bitrateKbps: 640,
    fps: 24,
    published: true,
    video: { codec: 'H264', profile: 'High', level: '3.1', width: 640, height: 360 },
    audio: AAC,
  },
  {
    weight: 20,
    bitrateKbps: 1500,
    fps: 30,
    published: true,
    video: { codec: 'H264', profile: 'High', level: '4.0', width: 1280, height: 720 },
    audio: AAC,
  },
  {
    weight: 10,
    bitrateKbps: 2500,
    fps: 30,
    published: true,
    video: { codec: 'H265', profile: 'Main', level: '4.1', width: 1920, height: 1080 },
    audio: AAC,
  },
  {
    weight: 10,
    bitrateKbps: 200,
    fps: 15,
    published: true,
    video: { codec: 'H264', profile: 'Baseline', level: '2.1', width: 320, height: 240 },
    audio: null,
  },
  { weight: 15, bitrateKbps: 52, fps: 0, published: true, video: null, audio: AAC },
  { weight: 5, bitrateKbps: 0, fps: 0, published: false, video: null, audio: null },
];
export const PROFILE_WEIGHT = PROFILES.reduce((sum, p) => sum + p.weight, 0);
export const STREAM_NAMES = ['livestream', 'cam', 'show', 'radio', 'match', 'room', 'news', 'concert'];
export const PLAYER_TYPES = ['rtmp-play', 'flv-play', 'flv-play', 'hls-play', 'rtc-play'];
