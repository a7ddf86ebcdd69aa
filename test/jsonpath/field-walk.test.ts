// The direct walks of singular paths: the same outcomes as the list steps, whatever the keys spell.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import type { Step } from '../../src/jsonpath/ast.js';
import { EvalFailure } from '../../src/jsonpath/failure.js';
import { compileSingularWalk, NO_VALUE } from '../../src/jsonpath/field-walk.js';
import { compilePath } from '../../src/jsonpath/steps.js';

// Keys that would break naive source text (quotes, backslashes, line breaks, `${`, comment markers) and names on
// Object.prototype (walked the general way, with an own-property check).
const PLACEHOLDER = '$' + '{x}';
const KEYS = ['a', 'b', '"', "'", '\\', '\n', '\u2028', PLACEHOLDER, '*/', '`', 'constructor', '__proto__', 'toString'];
const key = fc.constantFrom(...KEYS);

// Documents as JSON text, parsed as a body is: objects over KEYS (own `__proto__` keys included), arrays, scalars.
const { json: documentText } = fc.letrec<{ json: string }>((tie) => ({
  json: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('null', '1', '"x"', 'true', '0'),
    fc.array(tie('json'), { maxLength: 2 }).map((items) => `[${items.join(',')}]`),
    fc
      .uniqueArray(fc.tuple(key, tie('json')), { maxLength: 4, selector: ([name]) => name })
      .map((entries) => `{${entries.map(([name, value]) => `${JSON.stringify(name)}:${value}`).join(',')}}`),
  ),
}));

/** The list evaluator's answer in the walk's terms: one value, NO_VALUE for none, or the failure. */
function viaListSteps(keys: readonly string[], doc: unknown, allowMissingKeys: boolean): unknown {
  const steps: Step[] = keys.map((name) => ({ kind: 'field', name }));
  const result = compilePath(steps)([doc], allowMissingKeys);
  if (result instanceof EvalFailure) return result;
  assert.ok(result.length <= 1);
  return result.length === 0 ? NO_VALUE : result[0];
}

describe('singular walks', () => {
  test('a walk down keys agrees with the list steps, whatever characters the keys hold', () => {
    fc.assert(
      fc.property(fc.array(key, { minLength: 1, maxLength: 4 }), documentText, fc.boolean(), (keys, text, allow) => {
        const doc: unknown = JSON.parse(text);
        const walked = compileSingularWalk(keys)(doc, allow);
        const listed = viaListSteps(keys, doc, allow);
        if (listed instanceof EvalFailure) {
          assert.ok(walked instanceof EvalFailure, `${JSON.stringify(keys)} on ${text}`);
          assert.equal(walked.message, listed.message);
          assert.equal(walked.missing, listed.missing);
        } else {
          assert.equal(walked, listed, `${JSON.stringify(keys)} on ${text}`);
        }
      }),
      { numRuns: 3000 },
    );
  });

  test('a key walk finds values under keys that need escaping in source text', () => {
    const doc = JSON.parse(`{"\\"":{"\\\\":{"\\u2028":7}},"$\{x}":{"*/":"y"}}`);
    assert.equal(compileSingularWalk(['"', '\\', '\u2028'])(doc, false), 7);
    assert.equal(compileSingularWalk([PLACEHOLDER, '*/'])(doc, false), 'y');
    const missing = compileSingularWalk([PLACEHOLDER, '`'])(doc, false);
    assert.ok(missing instanceof EvalFailure);
    assert.equal(missing.message, '` is not found');
    assert.equal(compileSingularWalk([PLACEHOLDER, '`'])(doc, true), NO_VALUE);
  });

  test('templates still evaluate where the process forbids code generation from strings', () => {
    const index = fileURLToPath(new URL('../../src/jsonpath/index.js', import.meta.url));
    const script = `
      const { compileTemplate } = await import(${JSON.stringify(index)});
      const doc = { kbps: { send_30s: 12 }, name: 'cam' };
      const out = [compileTemplate('{.kbps.send_30s}').print(doc), compileTemplate('{.name}').print(doc),
        compileTemplate('{.kbps.recv_30s}').print(doc), compileTemplate('{.kbps.recv_30s}').print(doc, { allowMissingKeys: true })];
      process.stdout.write(JSON.stringify(out));`;
    const output = execFileSync(
      process.execPath,
      ['--disallow-code-generation-from-strings', '--input-type=module', '-e', script],
      { encoding: 'utf8', timeout: 60_000 },
    );
    assert.deepEqual(JSON.parse(output), [
      { ok: true, text: '12' },
      { ok: true, text: 'cam' },
      { ok: false, error: 'recv_30s is not found', missing: true },
      { ok: true, text: '' },
    ]);
  });
});
