// A target's families as one UTF-8 buffer and family ends; shared family lists.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  encodeRenderedFamilies,
  familiesWithSeries,
  familyBytes,
  FamilyMetaInterner,
  Utf8Writer,
} from '../../src/exposition/encoded-families.js';
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
