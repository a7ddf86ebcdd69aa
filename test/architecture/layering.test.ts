// The layout's rules, checked on the source: config depends only on the pure languages below it, the pure core
// does no I/O, and no two folders import each other (directly or around a cycle).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The top-level folder under src/ of a path ('' for files directly in src/). */
function folderOf(path: string): string {
  const parts = relative(SRC, path).split('/');
  return parts.length > 1 ? (parts[0] as string) : '';
}

interface Import {
  readonly from: string;
  readonly file: string;
  readonly specifier: string;
  readonly to: string;
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/g;

const imports: Import[] = sourceFiles(SRC).flatMap((file) =>
  [...readFileSync(file, 'utf8').matchAll(IMPORT)].map((match) => {
    const specifier = match[1] as string;
    const to = specifier.startsWith('.') ? folderOf(resolve(dirname(file), specifier)) : `package:${specifier}`;
    return { from: folderOf(file), file: relative(SRC, file), specifier, to };
  }),
);

function importsOf(folder: string): Import[] {
  return imports.filter((i) => i.from === folder && i.to !== folder && !i.to.startsWith('package:') && i.to !== '');
}

describe('source layout', () => {
  test('src/ has the folders the design names', () => {
    const folders = new Set(imports.map((i) => i.from));
    for (const folder of ['config', 'jsonpath', 'body-template', 'extract', 'exposition', 'pool', 'fetch', 'fleet']) {
      assert.ok(folders.has(folder), `src/${folder}/ is missing`);
    }
  });

  test('config imports only the pure languages below it (jsonpath, body-template)', () => {
    const outside = importsOf('config').filter((i) => !['jsonpath', 'body-template'].includes(i.to));
    assert.deepEqual(
      outside.map((i) => `${i.file} imports ${i.specifier}`),
      [],
    );
  });

  test('jsonpath and body-template are pure languages: they import no other folder', () => {
    for (const folder of ['jsonpath', 'body-template']) {
      assert.deepEqual(
        importsOf(folder).map((i) => `${i.file} imports ${i.specifier}`),
        [],
      );
    }
  });

  test('the pure core (jsonpath, body-template, extract, exposition) imports no I/O module', () => {
    const io = /^(node:)?(fs|fs\/promises|net|http|https|http2|dgram|dns|child_process|worker_threads)$|^undici$/;
    const offenders = imports.filter(
      (i) =>
        ['jsonpath', 'body-template', 'extract', 'exposition'].includes(i.from) &&
        i.to.startsWith('package:') &&
        io.test(i.specifier),
    );
    assert.deepEqual(
      offenders.map((i) => `${i.file} imports ${i.specifier}`),
      [],
    );
  });

  test('no import cycle between folders', () => {
    const edges = new Map<string, Set<string>>();
    for (const i of imports) {
      if (i.from === '' || i.to === '' || i.to === i.from || i.to.startsWith('package:')) continue;
      let targets = edges.get(i.from);
      if (targets === undefined) edges.set(i.from, (targets = new Set()));
      targets.add(i.to);
    }
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (folder: string, path: string[]): void => {
      if (state.get(folder) === 'done') return;
      if (state.get(folder) === 'open') {
        cycles.push([...path.slice(path.indexOf(folder)), folder].join(' → '));
        return;
      }
      state.set(folder, 'open');
      for (const next of edges.get(folder) ?? []) visit(next, [...path, folder]);
      state.set(folder, 'done');
    };
    for (const folder of edges.keys()) visit(folder, []);
    assert.deepEqual(cycles, []);
  });
});
