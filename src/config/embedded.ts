// The config `npm start` runs when no --config.file is given: the SRS presets, `default` being the streams one.

export const EMBEDDED_CONFIG_SOURCE = '<embedded>';

export const EMBEDDED_CONFIG_YAML = `# Embedded default: the SRS presets (see README, "SRS presets").
# /probe?target=http://srs:1985/api/v1/streams/ uses \`default\`; name another module for the other APIs,
# e.g. /probe?module=srs_summaries&target=http://srs:1985/api/v1/summaries
modules:
  default: { preset: srs_streams }
  srs_streams: { preset: srs_streams }
  srs_clients: { preset: srs_clients }
  srs_vhosts: { preset: srs_vhosts }
  srs_summaries: { preset: srs_summaries }
`;
