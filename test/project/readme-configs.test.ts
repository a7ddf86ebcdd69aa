// Every YAML block of README.md runs as written: configs load, Prometheus configs pass promtool, the web config parses.
//
// Convention (documented in the README's Layout section): a ```yaml block is a complete exporter config unless
// the line right above its fence is an HTML comment `<!-- readme-check: KIND -->`, KIND one of
//   prometheus  a Prometheus config: `promtool check config` must accept it;
//   web-config  a --web.config.file: it must load, with the test certificates under the names it uses;
//   fragment    an excerpt: it must be valid YAML, nothing more.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { parseConfig } from '../../src/config/load.js';
import { resolveShardAssignment } from '../../src/discovery/shard-assignment.js';
import { parseWebConfig } from '../../src/server/web-config.js';
import { fixturePath, repoRoot } from '../helpers/fixtures.js';
import { runPromtool } from '../helpers/promtool.js';

const KINDS = ['config', 'prometheus', 'web-config', 'fragment'] as const;
type Kind = (typeof KINDS)[number];

interface YamlBlock {
  readonly line: number;
  readonly kind: Kind;
  readonly text: string;
}

/** Every fenced yaml/yml block with the line of its fence and the kind its marker (or its absence) gives. */
function yamlBlocks(markdown: string): YamlBlock[] {
  const lines = markdown.split('\n');
  const blocks: YamlBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(yaml|yml)\s*$/.test(lines[i] ?? '')) continue;
    const marker = /^<!-- readme-check: ([a-z-]+) -->$/.exec(lines[i - 1] ?? '');
    const kind = (marker?.[1] ?? 'config') as Kind;
    assert.ok(KINDS.includes(kind), `README.md:${i}: unknown readme-check kind ${JSON.stringify(kind)}`);
    const end = lines.indexOf('```', i + 1);
    assert.ok(end > i, `README.md:${i + 1}: unterminated yaml block`);
    blocks.push({ line: i + 1, kind, text: `${lines.slice(i + 1, end).join('\n')}\n` });
    i = end;
  }
  return blocks;
}

const blocks = yamlBlocks(readFileSync(join(repoRoot, 'README.md'), 'utf8'));
const scratch = mkdtempSync(join(tmpdir(), 'fje-readme-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

test('README.md has exporter configs, Prometheus configs and a web config to check', () => {
  const kinds = new Set(blocks.map((block) => block.kind));
  for (const kind of ['config', 'prometheus', 'web-config'] as const) assert.ok(kinds.has(kind), kind);
});

for (const block of blocks) {
  test(`README.md:${block.line} (${block.kind}) runs as written`, () => {
    const source = `README.md:${block.line}`;
    switch (block.kind) {
      case 'fragment':
        parseYaml(block.text);
        return;
      case 'config': {
        const config = parseConfig(block.text, source);
        if (config.fleet !== undefined) {
          // As `serve` would with no shard flags, on a StatefulSet pod: the shard resolves.
          resolveShardAssignment({ config: config.fleet.shard, flags: {}, hostname: 'fleet-json-exporter-0' });
          for (const job of config.fleet.jobs) assert.ok(config.modules[job.module], `${source}: module ${job.module}`);
        }
        return;
      }
      case 'web-config': {
        for (const name of ['server.crt', 'server.key', 'client-ca.crt']) {
          copyFileSync(fixturePath('tls', name), join(scratch, name));
        }
        parseWebConfig(block.text, source, scratch);
        return;
      }
      case 'prometheus': {
        const file = join(scratch, `prometheus-${block.line}.yml`);
        writeFileSync(file, block.text);
        const result = runPromtool(['check', 'config', '--syntax-only', file]);
        assert.equal(result.exitCode, 0, `${source}: promtool check config:\n${result.output}`);
        return;
      }
    }
  });
}

test("the fleet example's job target URL keeps no count= the preset's paging would silently replace", () => {
  const fleetBlock = blocks.find((block) => block.kind === 'config' && block.text.includes('fleet:'));
  assert.ok(fleetBlock, 'a fleet example');
  assert.doesNotMatch(fleetBlock.text, /target_url:[^\n]*[?&]count=/);
  assert.doesNotMatch(fleetBlock.text, /static_targets:[^\n]*[?&]count=/);
});
