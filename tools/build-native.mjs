#!/usr/bin/env node
// Builds the optional native JSON pruner (native/json_prune.cc → build/native/json_prune.node) with the C++ compiler
// and this Node's own Node-API headers; run by `npm install`/`npm ci` (the package's install script).
// Without a compiler the exporter works the same, parsing every body whole (a warning says so here, and
// fleet_json_exporter_build_info's `json_pruner` label says which one runs). FJE_NATIVE=required makes a failed build
// an error (CI sets it); FJE_NATIVE=off skips the build.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const mode = process.env.FJE_NATIVE ?? 'auto';
const source = join(root, 'native', 'json_prune.cc');
const out = join(root, 'build', 'native', 'json_prune.node');

function giveUp(reason) {
  if (mode === 'required') {
    process.stderr.write(`build-native: ${reason} (FJE_NATIVE=required)\n`);
    process.exit(1);
  }
  process.stderr.write(`build-native: ${reason}; the exporter parses every body whole (no native pruner)\n`);
  process.exit(0);
}

if (mode === 'off') giveUp('skipped (FJE_NATIVE=off)');
if (process.platform === 'win32') giveUp('not built on Windows');
const include = join(dirname(process.execPath), '..', 'include', 'node');
if (!existsSync(join(include, 'node_api.h'))) giveUp(`no Node-API headers at ${include}`);
const compiler = process.env.CXX || 'g++';
mkdirSync(dirname(out), { recursive: true });
const args = [
  '-O2',
  '-std=c++17',
  '-shared',
  '-fPIC',
  '-fvisibility=hidden',
  '-Wall',
  `-I${include}`,
  source,
  '-o',
  out,
];
if (process.platform === 'darwin') args.push('-undefined', 'dynamic_lookup');
const result = spawnSync(compiler, args, { stdio: ['ignore', 'inherit', 'inherit'] });
if (result.error !== undefined) giveUp(`${compiler} did not run: ${result.error.message}`);
if (result.status !== 0) giveUp(`${compiler} failed (exit ${result.status})`);
process.stdout.write(`build-native: built ${out}\n`);
