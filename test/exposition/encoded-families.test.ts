// A target's families as one UTF-8 buffer and family ends; shared family lists.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  encodedExposition,
  encodeRenderedFamilies,
  familiesWithSeries,
  familyBytes,
  FamilyMetaInterner,
  Utf8Writer,
} from '../../src/exposition/encoded-families.js';
import { joinRenderedFamilies } from '../../src/exposition/render.js';
import type { RenderedFamily } from '../../src/exposition/types.js';

const decoder = new TextDecoder();

describe('encoded families', () => {
  test('each family is its own byte range; an empty family keeps its place with no bytes', () => {
    const rendered: RenderedFamily[] = [
      { name: 'a', help: 'a', type: 'gauge', text: 'a{x="é"} 1\n' },
      { name: 'b', help: 'b', type: 'gauge', text: '' },
      { name: 'c', help: 'c', type: 'counter', text: 'c_total 2\n' },
    ];
    const encoded = encodeRenderedFamilies(rendered);
    assert.deepEqual(
      [0, 1, 2].map((i) => decoder.decode(familyBytes(encoded, i))),
      rendered.map((family) => family.text),
    );
    assert.deepEqual(
      familiesWithSeries(encoded).map((family) => family.name),
      ['a', 'c'],
    );
  });

  test('an encoded exposition is byte for byte the joined text of both formats: headers, empty families left out, # EOF', () => {
    const rendered: RenderedFamily[] = [
      { name: 'a', help: 'help with \\ and\nnewline', type: 'gauge', text: 'a{x="é"} 1\n' },
      { name: 'b', help: 'b', type: 'gauge', text: '' },
      { name: 'c_total', help: 'c', type: 'counter', text: 'c_total 2\n' },
      { name: 'd', help: 'd', type: 'untyped', text: 'd{y="✓"} 3\nd{y="z"} 4\n' },
    ];
    const encoded = encodeRenderedFamilies(rendered);
    for (const format of ['text', 'openmetrics'] as const) {
      const pieces = encodedExposition(encoded, format);
      assert.deepEqual(Buffer.concat(pieces), Buffer.from(joinRenderedFamilies(rendered, format)), format);
      // Headers are encoded once per family and format (the second exposition reuses them): the same bytes again.
      const again = encodedExposition(encoded, format);
      assert.equal(again[0], pieces[0]);
      assert.deepEqual(Buffer.concat(again), Buffer.concat(pieces), format);
    }
    assert.deepEqual(Buffer.concat(encodedExposition(encodeRenderedFamilies([]), 'openmetrics')).toString(), '# EOF\n');
    assert.equal(encodedExposition(encodeRenderedFamilies([]), 'text').length, 0);
  });

  test('the writer grows for text longer than its room, multi-byte characters included', () => {
    const writer = new Utf8Writer(4);
    const parts = ['ab', 'ünïcødé ✓ '.repeat(50), '😀'.repeat(30), 'z'];
    for (const part of parts) writer.write(part);
    assert.equal(decoder.decode(writer.take()), parts.join(''));
  });

  test('equal family lists are one object; a different list is another', () => {
    const interner = new FamilyMetaInterner();
    const list = (help: string) => [{ name: 'a', help, type: 'gauge' as const }];
    const first = interner.intern(list('x'));
    assert.equal(interner.intern(list('x')), first);
    assert.notEqual(interner.intern(list('y')), first);
    assert.equal(interner.intern(list('x')), first);
  });
});
