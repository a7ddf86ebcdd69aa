// The config `npm start` runs when no --config.file is given: the SRS streams module SRS users run today.

export const EMBEDDED_CONFIG_SOURCE = '<embedded>';

export const EMBEDDED_CONFIG_YAML = `# Embedded default: json_exporter's SRS config, as SRS users run it.
modules:
  default:
    metrics:
    - name: server
      path: "{ .server}"
    - name: stream_clients
      type: object
      help: Example of sub-level value scrapes from a json
      path: '{.streams[?(@.name!="")]}'
      labels:
        name: '{.name}'
      values:
        clients: '{.clients}'
        send_bytes: '{.send_bytes}'
        recv_bytes: '{.recv_bytes}'
        frames: '{.frames}'
        publish: '{.publish.active}'
    headers:
      X-Dummy: my-test-header
`;
