// The simulator's and the demo's command lines refuse bad flags with the usage and exit code 2, starting nothing.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../../helpers/fixtures.js';

const cases: ReadonlyArray<readonly [string, readonly string[], RegExp]> = [
  ['cli.js', ['--servers', 'many'], /^--servers must be a non-negative integer \(got many\)\nusage: npm run simulator/],
  ['cli.js', ['--streams=-3'], /^--streams must be a non-negative integer \(got -3\)\nusage: npm run simulator/],
  ['cli.js', ['--no-such-flag'], /Unknown option '--no-such-flag'[^\n]*\nusage: npm run simulator/],
  ['demo.js', ['--servers', '1.5'], /^--servers must be a non-negative integer \(got 1\.5\)\nusage: npm run demo/],
];

for (const [script, args, message] of cases) {
  test(`${script} ${args.join(' ')}: exit 2, the problem and the usage on stderr`, () => {
    const result = spawnSync(process.execPath, [join(repoRoot, 'dist', 'bench', 'simulator', script), ...args], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, message);
    assert.equal(result.stdout, '');
  });
}
