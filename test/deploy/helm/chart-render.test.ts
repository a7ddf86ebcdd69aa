// tools/chart-render keeps Helm's semantics where they surprise: values through JSON (numbers are float64), -f merged
// then --set typed, a null deleting a key, missing values rendering empty, include/tpl/.Files, required's error.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { chartTemplate } from '../../helpers/chart.js';
import { fixturePath } from '../../helpers/fixtures.js';

const CHART = `--chart=${fixturePath('helm', 'semantics')}`;
const dir = mkdtempSync(join(tmpdir(), 'fje-chart-render-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function render(...args: string[]) {
  const result = chartTemplate([CHART, ...args]);
  assert.equal(result.exitCode, 0, result.stderr);
  return parseYaml(result.stdout);
}

test('defaults: YAML numbers are float64 as in Helm (a large one prints in exponent form unless converted)', () => {
  const out = render();
  assert.equal(out.b, 1);
  assert.equal(out.kindB, 'float64');
  assert.equal(out.big, 33554432);
  assert.match(chartTemplate([CHART]).stdout, /^big: 3\.3554432e\+07$/m);
  assert.equal(out.bigInt, 33554432);
  assert.equal(out.missing, '', 'a missing value renders empty, never <no value>');
  assert.deepEqual(out.list, ['x', 'y']);
});

test('-f files merge over values.yaml, then --set typed as strvals, and a null deletes a default key', () => {
  const file = join(dir, 'over.yml');
  writeFileSync(file, 'a:\n  b: 2\n');
  const out = render('-f', file, '--set', 's=true,a.c=null');
  assert.equal(out.b, 2);
  assert.equal(out.hasC, false);
  assert.equal(out.kindSet, 'bool');
  assert.equal(render('--set', 's=5').kindSet, 'int64');
  assert.equal(render('--set', 's=05').kindSet, 'string');
  assert.equal(render('--set-string', 's=true').kindSet, 'string');
});

test('include, tpl, .Files.Get and .Files.Glob.AsConfig, .Release and .Chart', () => {
  const out = render('--release-name', 'srs', '--namespace', 'live');
  assert.equal(out.include, 'hello srs');
  assert.equal(out.tpl, 'semantics-4.5');
  assert.equal(out.file, 'from a file');
  assert.deepEqual(out.glob, { 'note.txt': 'from a file\n' });
  assert.equal(out.ns, 'live');
});

test('required fails the render with its message', () => {
  const result = chartTemplate([CHART, '--set', 'needIt.other=1']);
  assert.equal(result.exitCode, 1);
  assert.match(result.stderr, /needIt\.value is required/);
  const given = chartTemplate([CHART, '--set', 'needIt.value=3']);
  assert.equal(given.exitCode, 0, given.stderr);
  assert.match(given.stdout, /^# Source: semantics\/templates\/required\.yaml\nvalue: 3$/m);
});
