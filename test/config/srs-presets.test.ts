// SRS presets: each against the real SRS 5 and 6 answers with its exact exposition, checked by promtool; preset merging.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseConfig } from '../../src/config/load.js';
import { PRESET_NAMES, PRESETS } from '../../src/config/srs-presets.js';
import type { ModuleConfig } from '../../src/config/types.js';
import { joinRenderedFamilies } from '../../src/exposition/render.js';
import { compileModule } from '../../src/extract/compile-module.js';
import { runHotPathInline, type HotPathResult } from '../../src/pool/hot-path.js';
import { readFixture } from '../helpers/fixtures.js';
import { checkMetricsWithPromtool } from '../helpers/promtool.js';

function presetModules(extra = ''): Record<string, ModuleConfig> {
  const text = 'modules:\n' + PRESET_NAMES.map((name) => `  ${name}: { preset: ${name} }\n`).join('') + extra;
  return parseConfig(text, 'presets.yml').modules;
}

function run(module: ModuleConfig, body: string): HotPathResult {
  return runHotPathInline(compileModule(module), {
    body: new TextEncoder().encode(body),
    targetLabels: {},
    formats: ['text'],
  });
}

function exposition(module: ModuleConfig, body: string): string {
  const result = run(module, body);
  assert.ok(result.ok, JSON.stringify(result));
  assert.deepEqual(result.problemCounts, {}, JSON.stringify(result.problems));
  return joinRenderedFamilies(result.families.text ?? [], 'text');
}

/** Value of the one sample of `name` whose labels include all of `labels`. */
function sampleValue(text: string, name: string, labels: Record<string, string>): number {
  const lines = text
    .split('\n')
    .filter(
      (line) => line.startsWith(name + '{') && Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)),
    );
  assert.equal(lines.length, 1, `${name} ${JSON.stringify(labels)}: ${lines.length} lines`);
  return Number((lines[0] as string).split(' ').pop());
}

const modules = presetModules();

// The expected files were reviewed value by value against the JSON fixtures they come from.
const cases: Array<[string, string, string]> = [
  ['srs_streams', 'srs6/streams.json', 'srs_streams.srs6-streams.txt'],
  ['srs_streams', 'srs6/streams-with-unpublished.json', 'srs_streams.srs6-streams-with-unpublished.txt'],
  ['srs_streams', 'srs5/streams.json', 'srs_streams.srs5-streams.txt'],
  ['srs_vhosts', 'srs6/vhosts.json', 'srs_vhosts.srs6-vhosts.txt'],
  ['srs_clients', 'srs6/clients.json', 'srs_clients.srs6-clients.txt'],
  ['srs_clients', 'srs5/clients.json', 'srs_clients.srs5-clients.txt'],
  ['srs_summaries', 'srs6/summaries.json', 'srs_summaries.srs6-summaries.txt'],
  ['srs_summaries', 'srs5/summaries.json', 'srs_summaries.srs5-summaries.txt'],
];

describe('SRS presets on real SRS answers', () => {
  for (const [preset, body, expected] of cases) {
    test(`${preset} on ${body} gives its exact exposition, lint-clean for promtool`, () => {
      const text = exposition(modules[preset] as ModuleConfig, readFixture('srs', ...body.split('/')));
      assert.equal(text, readFixture('srs', 'presets', expected));
      const promtool = checkMetricsWithPromtool(text);
      assert.ok(promtool.ok, promtool.output);
    });
  }

  test('srs_streams: every stream of the SRS 6 answer has its clients, bytes and publishing state', () => {
    const body = readFixture('srs', 'srs6', 'streams-with-unpublished.json');
    const text = exposition(modules.srs_streams as ModuleConfig, body);
    const streams = (
      JSON.parse(body) as { streams: Array<Record<string, unknown> & { name: string; publish: { active: boolean } }> }
    ).streams;
    for (const stream of streams) {
      const labels = { stream: stream.name, app: 'live', vhost: 'vid-4r45b30' };
      assert.equal(sampleValue(text, 'srs_stream_clients', labels), stream.clients);
      assert.equal(sampleValue(text, 'srs_stream_send_bytes_total', labels), stream.send_bytes);
      assert.equal(sampleValue(text, 'srs_stream_receive_bytes_total', labels), stream.recv_bytes);
      assert.equal(sampleValue(text, 'srs_stream_publishing', labels), stream.publish.active ? 1 : 0);
    }
  });

  test('srs_streams: null video or audio gives no info series and no problem', () => {
    const text = exposition(
      modules.srs_streams as ModuleConfig,
      readFixture('srs', 'srs6', 'streams-with-unpublished.json'),
    );
    assert.doesNotMatch(text, /srs_stream_video_info\{[^}]*stream="(radio|ghost)"/);
    assert.doesNotMatch(text, /srs_stream_audio_info\{[^}]*stream="(cam2|ghost)"/);
    assert.match(
      text,
      /^srs_stream_video_info\{app="live",codec="H264",level="3\.1",profile="High",resolution="640x360",stream="livestream",vhost="vid-4r45b30"\} 1$/m,
    );
  });

  test('srs_clients counts clients per type instead of a series per client', () => {
    const text = exposition(modules.srs_clients as ModuleConfig, readFixture('srs', 'srs6', 'clients.json'));
    assert.equal(sampleValue(text, 'srs_client_connections', { type: 'fmle-publish' }), 3);
    assert.equal(sampleValue(text, 'srs_client_connections', { type: 'rtmp-play' }), 1);
    assert.equal(sampleValue(text, 'srs_client_receive_kbps', { type: 'fmle-publish' }), 640 + 52 + 200);
    assert.doesNotMatch(text, /67q4o65q/, 'no client id in any label');
  });

  test('srs_summaries exposes *_percent fractions unchanged as *_ratio', () => {
    const text = exposition(modules.srs_summaries as ModuleConfig, readFixture('srs', 'srs6', 'summaries.json'));
    assert.match(text, /^srs_process_cpu_ratio 0\.02$/m);
    assert.match(text, /^srs_system_cpu_ratio 0\.12$/m);
    assert.match(text, /^srs_system_memory_ratio 0\.01$/m);
    assert.doesNotMatch(text, /^srs\w*_percent/m);
  });

  test("no preset metric clashes with a name of SRS's own exporter (SRS 5 and 6)", () => {
    const ours = new Set<string>();
    for (const name of PRESET_NAMES)
      for (const family of compileModule(modules[name] as ModuleConfig).families) ours.add(family.name);
    for (const version of ['srs5', 'srs6']) {
      const theirs = [...readFixture('srs', version, 'metrics.txt').matchAll(/^# TYPE (\S+)/gm)].map(
        (m) => m[1] as string,
      );
      assert.ok(theirs.length >= 10);
      for (const name of theirs) assert.ok(!ours.has(name), `${name} is SRS's own`);
    }
  });

  test('every SRS preset fails an answer with code != 0 as api_error, naming the code', () => {
    for (const name of PRESET_NAMES) {
      const result = run(modules[name] as ModuleConfig, readFixture('srs', 'srs6', 'stream-not-found.json'));
      assert.deepEqual(
        result,
        { ok: false, reason: 'api_error', message: 'the API answered code 2048 ({.code}), an error rather than data' },
        name,
      );
    }
  });

  test('streams and clients presets page their lists; vhosts and summaries need not', () => {
    assert.deepEqual(modules.srs_streams?.paging, { items: '{.streams}', countParam: 'count', maxItems: 10000 });
    assert.deepEqual(modules.srs_clients?.paging, { items: '{.clients}', countParam: 'count', maxItems: 50000 });
    assert.equal(modules.srs_vhosts?.paging, undefined);
    assert.equal(modules.srs_summaries?.paging, undefined);
    for (const name of PRESET_NAMES) assert.equal(modules[name]?.preset, name);
  });

  test('every preset documents where it scrapes', () => {
    for (const name of PRESET_NAMES) assert.match(PRESETS[name]?.apiPath ?? '', /^\/api\/v1\//);
  });
});

describe('modules built on a preset', () => {
  test("own metrics come after the preset's, own headers merge, own keys win", () => {
    const config = parseConfig(
      `modules:
  mine:
    preset: srs_streams
    headers: { X-Team: video }
    paging: { items: '{.streams}', max_items: 5 }
    metrics:
    - { name: srs_server_pid, path: '{.pid}' }
`,
      'mine.yml',
    );
    const module = config.modules.mine as ModuleConfig;
    assert.equal(module.metrics.at(-1)?.name, 'srs_server_pid');
    assert.equal(module.metrics.length, (modules.srs_streams as ModuleConfig).metrics.length + 1);
    assert.deepEqual(module.headers, { 'X-Team': 'video' });
    assert.deepEqual(module.paging, { items: '{.streams}', countParam: 'count', maxItems: 5 });
    assert.deepEqual(module.errorCode, { path: '{.code}' });
    assert.match(exposition(module, readFixture('srs', 'srs6', 'streams.json')), /^srs_server_pid 16127$/m);
  });

  test('a module with neither metrics nor a preset loads and has no metrics (json_exporter loads it too)', () => {
    const config = parseConfig('modules:\n  x: { headers: { A: b } }\n', 'x.yml');
    assert.deepStrictEqual(config.modules.x?.metrics, []);
    assert.equal(config.modules.x?.preset, undefined);
  });

  test('error_code and paging are plain module keys, usable without a preset', () => {
    const config = parseConfig(
      `modules:
  api:
    error_code: { path: '{.status}' }
    metrics: [{ name: items, type: object, path: '{.items[*]}', values: { n: '{.n}' } }]
`,
      'api.yml',
    );
    const result = run(config.modules.api as ModuleConfig, '{"status":"E_BUSY","items":[]}');
    assert.deepEqual(result, {
      ok: false,
      reason: 'api_error',
      message: 'the API answered code "E_BUSY" ({.status}), an error rather than data',
    });
    assert.equal(run(config.modules.api as ModuleConfig, '{"status":0,"items":[{"n":1}]}').ok, true);
  });
});
