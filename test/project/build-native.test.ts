// tools/build-native.mjs, the install script: it builds the native JSON pruner where a C++ compiler is, warns and
// succeeds where none is (the exporter then parses bodies whole), and fails only when asked to (FJE_NATIVE=required).
// Each run works on a copy of the script and the source in a temporary directory, never on the repo's build/.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { repoRoot } from '../helpers/fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'fje-build-native-'));
mkdirSync(join(root, 'tools'));
mkdirSync(join(root, 'native'));
copyFileSync(join(repoRoot, 'tools', 'build-native.mjs'), join(root, 'tools', 'build-native.mjs'));
copyFileSync(join(repoRoot, 'native', 'json_prune.cc'), join(root, 'native', 'json_prune.cc'));
const addon = join(root, 'build', 'native', 'json_prune.node');
after(() => rmSync(root, { recursive: true, force: true }));

function build(env: Record<string, string>): { status: number | null; stderr: string; stdout: string } {
  rmSync(join(root, 'build'), { recursive: true, force: true });
  const { FJE_NATIVE: _ignored, ...inherited } = process.env;
  const result = spawnSync(process.execPath, [join(root, 'tools', 'build-native.mjs')], {
    env: { ...inherited, ...env },
    encoding: 'utf8',
  });
  return { status: result.status, stderr: result.stderr, stdout: result.stdout };
}

describe('tools/build-native.mjs', () => {
  test('without a working compiler: a warning, exit 0, no addon (the install goes on)', () => {
    const result = build({ CXX: '/bin/false' });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stderr, /\/bin\/false failed \(exit 1\); the exporter parses every body whole/);
    assert.equal(existsSync(addon), false);
  });

  test('a compiler that does not exist: the same warning', () => {
    const result = build({ CXX: join(root, 'no-such-compiler') });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stderr, /did not run: .*ENOENT.*the exporter parses every body whole/);
  });

  test('FJE_NATIVE=required makes a failed build fail the install', () => {
    const result = build({ CXX: '/bin/false', FJE_NATIVE: 'required' });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /failed \(exit 1\) \(FJE_NATIVE=required\)/);
  });

  test('FJE_NATIVE=off skips the build', () => {
    const result = build({ FJE_NATIVE: 'off' });
    assert.equal(result.status, 0);
    assert.match(result.stderr, /skipped \(FJE_NATIVE=off\)/);
    assert.equal(existsSync(addon), false);
  });

  const gxx = spawnSync('g++', ['--version']).status === 0;
  test(
    'with g++ it builds an addon this Node loads, which prunes',
    { skip: !gxx && process.env.CI === undefined },
    () => {
      const result = build({ FJE_NATIVE: 'required' });
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stdout, /build-native: built .*json_prune\.node/);
      const loaded = createRequire(import.meta.url)(addon) as {
        prune(input: Uint8Array, program: Uint8Array, output: Uint8Array): number;
      };
      // A program that keeps nothing of the root object (header only: kind 1, no keys, an empty filter).
      const program = new Uint8Array(11);
      program[0] = 1;
      const input = new TextEncoder().encode('{"a": [1, 2], "b": "c"}');
      const output = new Uint8Array(input.byteLength);
      assert.equal(loaded.prune(input, program, output), 2);
      assert.equal(new TextDecoder().decode(output.subarray(0, 2)), '{}');
    },
  );

  test('package.json runs it at install, and `npm run build:native` requires it', () => {
    const { scripts } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    assert.equal(scripts.install, 'node tools/build-native.mjs');
    assert.equal(scripts['build:native'], 'FJE_NATIVE=required node tools/build-native.mjs');
  });
});
