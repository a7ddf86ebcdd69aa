// tools/build-native.mjs, the install script: it builds the native addons (the JSON pruner, gzip members through
// libdeflate) where a C++ compiler is, warns and succeeds where none is (the exporter then parses bodies whole and
// uses zlib), and fails only when asked to (FJE_NATIVE=required).
// Each run works on a copy of the script and the source in a temporary directory, never on the repo's build/.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { after, describe, test } from 'node:test';
import { repoRoot } from '../helpers/fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'fje-build-native-'));
mkdirSync(join(root, 'tools'));
mkdirSync(join(root, 'native'));
copyFileSync(join(repoRoot, 'tools', 'build-native.mjs'), join(root, 'tools', 'build-native.mjs'));
for (const source of ['json_prune.cc', 'gzip_member.cc', 'typed_bytes.h']) {
  copyFileSync(join(repoRoot, 'native', source), join(root, 'native', source));
}
const addon = join(root, 'build', 'native', 'json_prune.node');
const gzipAddon = join(root, 'build', 'native', 'gzip_member.node');
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
    assert.match(
      result.stderr,
      /\/bin\/false failed on json_prune\.cc \(exit 1\); the exporter parses every body whole/,
    );
    assert.match(result.stderr, /\/bin\/false failed on gzip_member\.cc \(exit 1\); .*with Node's zlib/);
    assert.equal(existsSync(addon), false);
    assert.equal(existsSync(gzipAddon), false);
  });

  test('a compiler that does not exist: the same warning', () => {
    const result = build({ CXX: join(root, 'no-such-compiler') });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stderr, /did not run: .*ENOENT.*the exporter parses every body whole/);
    assert.match(result.stderr, /did not run: .*ENOENT.*with Node's zlib/);
  });

  test('FJE_NATIVE=required makes a failed build fail the install', () => {
    const result = build({ CXX: '/bin/false', FJE_NATIVE: 'required' });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /failed on json_prune\.cc \(exit 1\) \(FJE_NATIVE=required\)/);
  });

  test('FJE_NATIVE=off skips the build', () => {
    const result = build({ FJE_NATIVE: 'off' });
    assert.equal(result.status, 0);
    assert.match(result.stderr, /skipped \(FJE_NATIVE=off\); the exporter parses every body whole/);
    assert.match(result.stderr, /skipped \(FJE_NATIVE=off\); .*with Node's zlib/);
    assert.equal(existsSync(addon), false);
    assert.equal(existsSync(gzipAddon), false);
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

  test(
    "with g++ and libdeflate it builds the gzip addon: its members are gzip as zlib reads it, and it reads zlib's",
    { skip: !gxx && process.env.CI === undefined },
    async () => {
      const result = build({ FJE_NATIVE: 'required' });
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stdout, /build-native: built .*gzip_member\.node/);
      const loaded = createRequire(import.meta.url)(gzipAddon) as {
        compress(input: Uint8Array, level: number): Promise<Buffer>;
        decompress(member: Uint8Array, output: Uint8Array): number;
      };
      const text = Buffer.from('srs_stream_clients{name="livestream"} 3\n'.repeat(200));
      const member = await loaded.compress(text, 1);
      assert.deepEqual(gunzipSync(member), text);
      const output = Buffer.alloc(text.byteLength);
      assert.equal(loaded.decompress(gzipSync(text), output), text.byteLength);
      assert.deepEqual(output, text);
      // Cut short, or with room for less than the text: refused (-1), never a partial length.
      assert.equal(loaded.decompress(member.subarray(0, member.byteLength - 1), output), -1);
      assert.equal(loaded.decompress(member, output.subarray(0, 10)), -1);
      assert.throws(() => loaded.compress(text, 0), /a level from 1 to 12/);
    },
  );

  test(
    'a compiler that cannot link libdeflate: the pruner is built, the gzip addon is not (a warning), required fails',
    { skip: !gxx && process.env.CI === undefined },
    () => {
      // g++ for everything but a link against libdeflate, as on a machine without libdeflate-dev.
      const compiler = join(root, 'no-libdeflate-g++');
      writeFileSync(
        compiler,
        '#!/bin/sh\ncase "$*" in *deflate*) echo "cannot find -ldeflate" >&2; exit 1;; esac\nexec g++ "$@"\n',
      );
      chmodSync(compiler, 0o755);
      const result = build({ CXX: compiler });
      assert.equal(result.status, 0, result.stderr);
      assert.equal(existsSync(addon), true);
      assert.equal(existsSync(gzipAddon), false);
      assert.match(result.stderr, /failed on gzip_member\.cc \(exit 1\); .*with Node's zlib \(no libdeflate\)/);
      assert.equal(build({ CXX: compiler, FJE_NATIVE: 'required' }).status, 1);
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
