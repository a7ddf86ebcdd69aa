// The SRS presets as config data: modules in the config's own YAML, expanded at load like a module written by hand.
//
// Names follow Prometheus conventions and stay clear of SRS's own exporter (srs_streams, srs_clients,
// srs_cpu_percent, srs_memory, srs_send_bytes_total, srs_receive_bytes_total, srs_build_info, …), so both can run.
// SRS's `*_percent` fields are fractions (0.01 = 1 %): they are exposed as `*_ratio` unchanged.

const SRS_ENVELOPE = `
error_code: { path: '{.code}' }
`;

const SRS_STREAMS = `${SRS_ENVELOPE}
paging: { items: '{.streams}', count_param: count, max_items: 10000 }
metrics:
- name: srs_stream
  type: object
  path: '{.streams[*]}'
  help: Clients of the stream, its publisher included.
  valuetype: gauge
  labels: &stream { vhost: '{.vhost}', app: '{.app}', stream: '{.name}' }
  values: { clients: '{.clients}' }
- name: srs_stream
  type: object
  path: '{.streams[*]}'
  help: Bytes SRS sent to the stream's players.
  valuetype: counter
  labels: *stream
  values: { send_bytes_total: '{.send_bytes}' }
- name: srs_stream
  type: object
  path: '{.streams[*]}'
  help: Bytes SRS received for the stream.
  valuetype: counter
  labels: *stream
  values: { receive_bytes_total: '{.recv_bytes}' }
- name: srs_stream
  type: object
  path: '{.streams[*]}'
  help: Bitrate SRS sends for the stream, kilobits per second over 30 s (0 for the first 30 s).
  valuetype: gauge
  labels: *stream
  values: { send_kbps: '{.kbps.send_30s}' }
- name: srs_stream
  type: object
  path: '{.streams[*]}'
  help: Bitrate SRS receives for the stream, kilobits per second over 30 s (0 for the first 30 s).
  valuetype: gauge
  labels: *stream
  values: { receive_kbps: '{.kbps.recv_30s}' }
- name: srs_stream
  type: object
  path: '{.streams[*]}'
  help: Video frames SRS received for the stream.
  valuetype: counter
  labels: *stream
  values: { frames_total: '{.frames}' }
- name: srs_stream
  type: object
  path: '{.streams[*]}'
  help: 1 while the stream has a publisher, 0 for a stream with players only.
  valuetype: gauge
  labels: *stream
  values: { publishing: '{.publish.active}' }
- name: srs_stream_video
  type: object
  path: '{.streams[?(@.video.codec)]}'
  help: Video codec and resolution of the stream (streams without video have none).
  valuetype: gauge
  labels: { vhost: '{.vhost}', app: '{.app}', stream: '{.name}', codec: '{.video.codec}', profile: '{.video.profile}', level: '{.video.level}', resolution: '{.video.width}x{.video.height}' }
  values: { info: 1 }
- name: srs_stream_audio
  type: object
  path: '{.streams[?(@.audio.codec)]}'
  help: Audio codec of the stream (streams without audio have none).
  valuetype: gauge
  labels: { vhost: '{.vhost}', app: '{.app}', stream: '{.name}', codec: '{.audio.codec}', profile: '{.audio.profile}', sample_rate: '{.audio.sample_rate}', channels: '{.audio.channel}' }
  values: { info: 1 }
`;

const SRS_VHOSTS = `${SRS_ENVELOPE}
metrics:
- { name: srs_vhost, type: object, path: '{.vhosts[*]}', valuetype: gauge, help: Clients of the vhost., labels: &vhost { vhost: '{.id}', vhost_name: '{.name}' }, values: { clients: '{.clients}' } }
- { name: srs_vhost, type: object, path: '{.vhosts[*]}', valuetype: gauge, help: Streams of the vhost., labels: *vhost, values: { streams: '{.streams}' } }
- { name: srs_vhost, type: object, path: '{.vhosts[*]}', valuetype: counter, help: Bytes SRS sent on the vhost., labels: *vhost, values: { send_bytes_total: '{.send_bytes}' } }
- { name: srs_vhost, type: object, path: '{.vhosts[*]}', valuetype: counter, help: Bytes SRS received on the vhost., labels: *vhost, values: { receive_bytes_total: '{.recv_bytes}' } }
- { name: srs_vhost, type: object, path: '{.vhosts[*]}', valuetype: gauge, help: 'Bitrate SRS sends on the vhost, kilobits per second over 30 s.', labels: *vhost, values: { send_kbps: '{.kbps.send_30s}' } }
- { name: srs_vhost, type: object, path: '{.vhosts[*]}', valuetype: gauge, help: 'Bitrate SRS receives on the vhost, kilobits per second over 30 s.', labels: *vhost, values: { receive_kbps: '{.kbps.recv_30s}' } }
- { name: srs_vhost, type: object, path: '{.vhosts[*]}', valuetype: gauge, help: 1 when the vhost is enabled., labels: *vhost, values: { enabled: '{.enabled}' } }
- { name: srs_vhost, type: object, path: '{.vhosts[*]}', valuetype: gauge, help: 1 when the vhost serves HLS., labels: *vhost, values: { hls_enabled: '{.hls.enabled}' } }
`;

// Clients are counted per type (rtmp-play, flv-play, fmle-publish, …): a series per client would follow every
// viewer's connection id, the cardinality trap the issue warns of.
const SRS_CLIENTS = `${SRS_ENVELOPE}
paging: { items: '{.clients}', count_param: count, max_items: 50000 }
metrics:
- { name: srs_client, type: object, path: '{.clients[*]}', valuetype: gauge, duplicate_series: sum, help: 'Connected clients by type (players and publishers).', labels: &client { vhost: '{.vhost}', type: '{.type}' }, values: { connections: 1 } }
- { name: srs_client, type: object, path: '{.clients[*]}', valuetype: gauge, duplicate_series: sum, help: 'Bitrate SRS sends to the clients of a type, kilobits per second over 30 s.', labels: *client, values: { send_kbps: '{.kbps.send_30s}' } }
- { name: srs_client, type: object, path: '{.clients[*]}', valuetype: gauge, duplicate_series: sum, help: 'Bitrate SRS receives from the clients of a type, kilobits per second over 30 s.', labels: *client, values: { receive_kbps: '{.kbps.recv_30s}' } }
`;

const SRS_SUMMARIES = `${SRS_ENVELOPE}
metrics:
- { name: srs_version_info, path: '1', valuetype: gauge, help: The SRS version., labels: { version: '{.data.self.version}' } }
- { name: srs_process_cpu_ratio, path: '{.data.self.cpu_percent}', valuetype: gauge, help: 'CPU used by the SRS process, a fraction of one CPU (SRS cpu_percent, 0.02 = 2 %).' }
- { name: srs_process_memory_kbytes, path: '{.data.self.mem_kbyte}', valuetype: gauge, help: Resident memory of the SRS process in kilobytes. }
- { name: srs_process_memory_ratio, path: '{.data.self.mem_percent}', valuetype: gauge, help: Memory of the SRS process as a fraction of the system's RAM. }
- { name: srs_process_uptime_seconds, path: '{.data.self.srs_uptime}', valuetype: gauge, help: Seconds since the SRS process started. }
- { name: srs_process_connections, path: '{.data.system.conn_srs}', valuetype: gauge, help: Connections SRS has open. }
- { name: srs_system_cpu_ratio, path: '{.data.system.cpu_percent}', valuetype: gauge, help: 'CPU used by the whole system, a fraction (0.12 = 12 %).' }
- { name: srs_system_cpus, path: '{.data.system.cpus}', valuetype: gauge, help: CPUs of the system. }
- { name: srs_system_cpus_online, path: '{.data.system.cpus_online}', valuetype: gauge, help: CPUs of the system online. }
- { name: srs_system_load1, path: '{.data.system.load_1m}', valuetype: gauge, help: System load average over 1 minute. }
- { name: srs_system_load5, path: '{.data.system.load_5m}', valuetype: gauge, help: System load average over 5 minutes. }
- { name: srs_system_load15, path: '{.data.system.load_15m}', valuetype: gauge, help: System load average over 15 minutes. }
- { name: srs_system_memory_kbytes, path: '{.data.system.mem_ram_kbyte}', valuetype: gauge, help: RAM of the system in kilobytes. }
- { name: srs_system_memory_ratio, path: '{.data.system.mem_ram_percent}', valuetype: gauge, help: Fraction of the system's RAM in use. }
- { name: srs_system_swap_kbytes, path: '{.data.system.mem_swap_kbyte}', valuetype: gauge, help: Swap of the system in kilobytes. }
- { name: srs_system_swap_ratio, path: '{.data.system.mem_swap_percent}', valuetype: gauge, help: Fraction of the system's swap in use. }
- { name: srs_system_disk_busy_ratio, path: '{.data.system.disk_busy_percent}', valuetype: gauge, help: Fraction of time the disk was busy. }
- { name: srs_system_uptime_seconds, path: '{.data.system.uptime}', valuetype: gauge, help: Seconds since the system booted. }
- { name: srs_system_tcp_connections, path: '{.data.system.conn_sys}', valuetype: gauge, help: TCP connections of the system. }
- { name: srs_system_tcp_connections_established, path: '{.data.system.conn_sys_et}', valuetype: gauge, help: TCP connections of the system in state ESTABLISHED. }
- { name: srs_system_tcp_connections_time_wait, path: '{.data.system.conn_sys_tw}', valuetype: gauge, help: TCP connections of the system in state TIME_WAIT. }
- { name: srs_system_udp_sockets, path: '{.data.system.conn_sys_udp}', valuetype: gauge, help: UDP sockets of the system. }
- { name: srs_system_network_receive_bytes_total, path: '{.data.system.net_recv_bytes}', valuetype: counter, help: Bytes the system received by network (SRS net_recv_bytes and net_recvi_bytes)., labels: { network: public } }
- { name: srs_system_network_receive_bytes_total, path: '{.data.system.net_recvi_bytes}', valuetype: counter, help: Bytes the system received by network., labels: { network: internal } }
- { name: srs_system_network_send_bytes_total, path: '{.data.system.net_send_bytes}', valuetype: counter, help: Bytes the system sent by network (SRS net_send_bytes and net_sendi_bytes)., labels: { network: public } }
- { name: srs_system_network_send_bytes_total, path: '{.data.system.net_sendi_bytes}', valuetype: counter, help: Bytes the system sent by network., labels: { network: internal } }
`;

export interface PresetDefinition {
  /** One line for docs, the CLI and the unknown-preset error. */
  readonly description: string;
  /** Where it scrapes, e.g. `/api/v1/streams/`. */
  readonly apiPath: string;
  /** The module in config YAML (any module key but `preset`). */
  readonly yaml: string;
}

export const PRESETS: Readonly<Record<string, PresetDefinition>> = {
  srs_streams: {
    description: 'SRS streams: clients, bytes, bitrate, frames, publishing, codecs (all pages)',
    apiPath: '/api/v1/streams/',
    yaml: SRS_STREAMS,
  },
  srs_vhosts: {
    description: 'SRS vhosts: clients, streams, bytes, bitrate',
    apiPath: '/api/v1/vhosts/',
    yaml: SRS_VHOSTS,
  },
  srs_clients: {
    description: 'SRS clients counted per vhost and type (all pages)',
    apiPath: '/api/v1/clients/',
    yaml: SRS_CLIENTS,
  },
  srs_summaries: {
    description: 'SRS process and system: CPU, memory, load, uptime, connections, network',
    apiPath: '/api/v1/summaries',
    yaml: SRS_SUMMARIES,
  },
};

export const PRESET_NAMES: readonly string[] = Object.keys(PRESETS);
