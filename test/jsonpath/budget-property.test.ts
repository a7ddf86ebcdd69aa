// Property tests of the evaluation budget: on generated templates and documents, compiling either succeeds or
// throws JsonPathSyntaxError, and evaluating never throws and never returns more than its budget allows.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  BudgetStopped,
  compileTemplate,
  EvaluationBudget,
  JsonPathSyntaxError,
  runWithBudget,
  type CompiledTemplate,
} from '../../src/jsonpath/index.js';

const MAX_LIST = 2_000;
const MAX_PRINTED = 50_000;

/** Steps from every corner of the grammar, `..` and unions included: repeated, they multiply matches. */
const step = fc.oneof(
  fc.constantFrom('.a', '.b', '.items', '.name', '.x', '..', '..a', '.*', '[*]', '[0]', '[-1]', '[0:2]', '[1:]'),
  fc.constantFrom("['a','b']", '[0,1]', '[?(@.x)]', '[?(@.x==1)]', '[?(@.name!="")]', '[?(@.x > 1.5)]'),
  fc.constantFrom('[?(@.x > 0 && @.name)]', '[?(@.name.match(/^(a+)+$/) || @.x)]', "[?(@.a=='x')]"),
);
const block = fc.array(step, { minLength: 0, maxLength: 6 }).map((steps) => `{${steps.join('')}}`);
const template = fc.oneof(
  block,
  fc.tuple(fc.constantFrom('', 'id-', '[', '}'), block, block).map(([text, a, b]) => `${text}${a}${b}`),
  fc.tuple(block, block).map(([over, body]) => `{range ${over.slice(1, -1)}}${body}{end}`),
  // Anything at all: most are syntax errors, which must be JsonPathSyntaxError and nothing else.
  fc.string({ maxLength: 30 }),
);

/** Documents that make recursion hurt: chains of one key, wide arrays, mixed random JSON. */
const chain = fc
  .integer({ min: 1, max: 400 })
  .map((levels) => JSON.parse('{"a":'.repeat(levels) + '1' + '}'.repeat(levels)) as unknown);
const wide = fc.integer({ min: 0, max: 300 }).map((n) => ({
  items: Array.from({ length: n }, (_, i) => ({ name: i % 3 === 0 ? '' : `a${i}`, x: i, a: { a: { a: i } } })),
}));
const document = fc.oneof(chain, wide, fc.jsonValue({ maxDepth: 5 }));

function compileOrSyntaxError(text: string): CompiledTemplate | undefined {
  try {
    return compileTemplate(text);
  } catch (err) {
    assert.ok(err instanceof JsonPathSyntaxError, `${text}: ${String(err)}`);
    return undefined;
  }
}

describe('evaluation budget (properties)', () => {
  test('compiling a generated template succeeds or throws JsonPathSyntaxError; evaluating never throws', () => {
    fc.assert(
      fc.property(template, document, fc.boolean(), (text, doc, allowMissingKeys) => {
        const compiled = compileOrSyntaxError(text);
        if (compiled === undefined) return;
        const budget = new EvaluationBudget({ maxListValues: MAX_LIST, maxPrintedChars: MAX_PRINTED });
        const [selection, printed] = runWithBudget(budget, () => [
          compiled.select(doc, { allowMissingKeys }),
          compiled.print(doc, { allowMissingKeys }),
        ]);
        for (const result of [selection, printed]) {
          if (!result.ok) {
            assert.equal(typeof result.error, 'string');
            // A budget stop names itself, and the budget remembers it.
            if (result.stopped !== undefined) assert.equal(budget.stopped, result.stopped);
          }
        }
        if (selection.ok) assert.ok(selection.values.length <= MAX_LIST * 8, `${text}: ${selection.values.length}`);
        if (printed.ok) assert.ok(printed.text.length <= MAX_PRINTED, `${text}: ${printed.text.length} chars`);
      }),
      { numRuns: 1500 },
    );
  });

  test('a deadline already passed stops any template that lists values, with timeout and never a throw', () => {
    fc.assert(
      fc.property(block, wide, (text, doc) => {
        const compiled = compileOrSyntaxError(text);
        if (compiled === undefined) return;
        const budget = new EvaluationBudget({
          maxListValues: MAX_LIST,
          maxPrintedChars: MAX_PRINTED,
          deadline: performance.timeOrigin + performance.now() - 1,
        });
        // Enough work to cross a clock check, which throws BudgetStopped (internal; templates catch it).
        assert.throws(
          () => budget.tick(1_000_000),
          (thrown) => thrown instanceof BudgetStopped,
        );
        const result = runWithBudget(budget, () => compiled.select(doc));
        assert.equal(budget.stopped, 'timeout');
        if (!result.ok && result.stopped !== undefined) assert.equal(result.stopped, 'timeout');
      }),
      { numRuns: 300 },
    );
  });
});
