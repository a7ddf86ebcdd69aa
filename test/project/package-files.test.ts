// The package's legal and install surface: the license package.json names is shipped, bench-only natives stay dev-only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../helpers/fixtures.js';

interface PackageJson {
  readonly license: string;
  readonly dependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
}

const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as PackageJson;

test('the LICENSE file holds the full Apache-2.0 text package.json declares', () => {
  assert.equal(pkg.license, 'Apache-2.0');
  const license = readFileSync(join(repoRoot, 'LICENSE'), 'utf8');
  assert.match(license, /Apache License\s+Version 2\.0, January 2004/);
  assert.match(license, /TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION/);
  assert.match(license, /END OF TERMS AND CONDITIONS/);
});

test('simdjson (bench only) is a devDependency, so a production install never builds it', () => {
  assert.equal(pkg.dependencies?.simdjson, undefined);
  assert.equal(pkg.optionalDependencies?.simdjson, undefined);
  assert.match(pkg.devDependencies?.simdjson ?? '', /^\d+\.\d+\.\d+$/);
});
