#!/usr/bin/env node
// Builds the optional native addons with the C++ compiler and this Node's own Node-API headers; run by
// `npm install`/`npm ci` (the package's install script):
//   native/json_prune.cc → build/native/json_prune.node, the JSON pruner (no dependencies);
//   native/gzip_member.cc → build/native/gzip_member.node, gzip members through libdeflate (linked statically from
//   Debian's libdeflate-dev, or the shared library where there is no static one).
// Without one the exporter works the same, more slowly: bodies parsed whole, members made and read by Node's zlib (a
// warning says so here; fleet_json_exporter_build_info's `json_pruner` and `gzip` labels say which runs).
// FJE_NATIVE=required makes a failed build an error (CI sets it); FJE_NATIVE=off skips the builds.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const mode = process.env.FJE_NATIVE ?? 'auto';

const ADDONS = [
  { name: 'json_prune', without: 'the exporter parses every body whole (no native pruner)', links: [[]] },
  {
    name: 'gzip_member',
    without: "the exporter makes and reads gzip members with Node's zlib (no libdeflate)",
    // The static library first, so the addon needs nothing at run time; else the shared one.
    links: [['-l:libdeflate.a'], ['-ldeflate']],
  },
];

let failed = false;

function giveUp(reason, without) {
  if (mode === 'required') {
    process.stderr.write(`build-native: ${reason} (FJE_NATIVE=required)\n`);
    failed = true;
    return;
  }
  process.stderr.write(`build-native: ${reason}; ${without}\n`);
}

function build(addon, include, compiler) {
  const source = join(root, 'native', `${addon.name}.cc`);
  const out = join(root, 'build', 'native', `${addon.name}.node`);
  mkdirSync(dirname(out), { recursive: true });
  let last = '';
  for (const libraries of addon.links) {
    const args = ['-O2', '-std=c++17', '-shared', '-fPIC', '-fvisibility=hidden', '-Wall', `-I${include}`, source];
    args.push('-o', out, ...libraries);
    if (process.platform === 'darwin') args.push('-undefined', 'dynamic_lookup');
    // A failed try with more to come stays quiet; the last one's compiler output is shown.
    const quiet = libraries !== addon.links.at(-1);
    const result = spawnSync(compiler, args, { stdio: ['ignore', 'inherit', quiet ? 'ignore' : 'inherit'] });
    if (result.error !== undefined) return giveUp(`${compiler} did not run: ${result.error.message}`, addon.without);
    if (result.status === 0) {
      process.stdout.write(`build-native: built ${out}\n`);
      return;
    }
    last = `${compiler} failed on ${addon.name}.cc (exit ${result.status})`;
  }
  giveUp(last, addon.without);
}

function main() {
  if (mode === 'off') {
    for (const addon of ADDONS) giveUp('skipped (FJE_NATIVE=off)', addon.without);
    return;
  }
  if (process.platform === 'win32') {
    for (const addon of ADDONS) giveUp('not built on Windows', addon.without);
    return;
  }
  const include = join(dirname(process.execPath), '..', 'include', 'node');
  if (!existsSync(join(include, 'node_api.h'))) {
    for (const addon of ADDONS) giveUp(`no Node-API headers at ${include}`, addon.without);
    return;
  }
  const compiler = process.env.CXX || 'g++';
  for (const addon of ADDONS) build(addon, include, compiler);
}

main();
process.exit(failed ? 1 : 0);
