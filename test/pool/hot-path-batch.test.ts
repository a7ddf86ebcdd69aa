// A batch's results as one buffer: the spare room the UTF-8 writer grew into is trimmed before the buffer is handed
// on (the fleet store keeps views of it for an interval), and the views decode to the rendered text. A single inline
// result the store copies goes back to the recycled buffers without changing what the store holds.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FamilyMetaInterner, familyBytes } from '../../src/exposition/encoded-families.js';
import { TargetStore } from '../../src/fleet/store.js';
import { decodeBatch, encodeResults, runBatchInline } from '../../src/pool/hot-path-batch.js';
import type { HotPathResult } from '../../src/pool/hot-path.js';
import { resultBuffers } from '../../src/pool/result-buffers.js';
import { staticTarget } from '../helpers/discovery.js';
import { inlineBodyResult, LINES_MODULE, paddedLines, successResult } from '../helpers/hot-path-result.js';

const decoder = new TextDecoder();

function success(text: string): HotPathResult {
  return successResult({ name: 'srs_clients', help: 'clients', type: 'gauge', text });
}

describe('encodeResults', () => {
  test('a buffer the writer outgrew near its end is trimmed to its lines, and the views still read them', () => {
    // Sized from UTF-16 units: 4,000 ASCII characters fit, the 40 two-byte ones at the end overflow it, and the
    // writer doubles its buffer for the last few bytes.
    const text = `${'a'.repeat(4_000)}${'é'.repeat(40)}\n`;
    const batch = encodeResults([success(text), { ok: false, reason: 'invalid_json', message: 'x' }], ['text']);
    assert.equal(batch.bytes.byteLength, Buffer.byteLength(text));
    assert.equal(batch.bytes.buffer.byteLength, batch.bytes.byteLength, 'the spare room was kept');
    const [first, second] = decodeBatch(batch, new FamilyMetaInterner());
    assert.ok(first?.ok === true && first.encoded.text !== undefined);
    assert.equal(decoder.decode(familyBytes(first.encoded.text, 0)), text);
    // The only body's lines are the whole buffer: its view is the batch's own (no second view kept an interval).
    assert.equal(first.encoded.text.bytes, batch.bytes);
    assert.equal(second?.ok, false);
  });

  test("each body of a batch reads its own lines, the first's from offset 0 too", () => {
    const texts = ['srs_clients{i="1"} 3\n', 'srs_clients{i="2"} 4\n'];
    const batch = encodeResults(texts.map(success), ['text']);
    const results = decodeBatch(batch, new FamilyMetaInterner());
    assert.deepEqual(
      results.map((result) => (result.ok ? decoder.decode(familyBytes(result.encoded.text!, 0)) : '')),
      texts,
    );
  });

  test('ASCII lines fill the buffer sized for them, and OpenMetrics equal to text is written once', () => {
    const texts = [1, 2].map((i) => `srs_clients{i="${i}",name="${'x'.repeat(200)}"} 3\n`);
    const batch = encodeResults(texts.map(success), ['text', 'openmetrics']);
    assert.equal(decoder.decode(batch.bytes), texts.join(''));
    assert.ok(batch.bytes.buffer.byteLength <= batch.bytes.byteLength * 1.25, 'more than a quarter spare');
  });
});

/** ~20 KB of lines carrying `value`, and the result of a body rendering them as an inline fleet body's is made. */
const lines = (value: number): string => paddedLines(200, 60, value);
const inlineResult = (value: number, interner: FamilyMetaInterner) => inlineBodyResult(200, 60, value, interner);

describe('an inline result the fleet store copies', () => {
  test('goes back to the buffers, and writing its buffer again leaves the stored lines as they were', () => {
    const target = staticTarget('http://a:1/api/v1/streams/', 'srs', 'a:1');
    const store = new TargetStore();
    store.upsertTarget(target);
    const interner = new FamilyMetaInterner();
    const kept = resultBuffers.size;
    const first = inlineResult(1, interner);
    assert.ok(first?.ok === true && first.encoded.text !== undefined);
    const issued = first.encoded.text.bytes.buffer;
    store.record(target, { ok: true, encoded: first.encoded, sampleCount: 200 }, { startedMs: 0, durationMs: 1 });
    assert.equal(resultBuffers.size, kept + 1, 'given back after the copy');
    assert.notEqual(store.get(target.id)?.families.text.bytes.buffer, issued);
    // The next result of the same size is written into that buffer; the stored lines do not change with it.
    const second = inlineResult(2, interner);
    assert.ok(second?.ok === true && second.encoded.text !== undefined);
    assert.equal(second.encoded.text.bytes.buffer, issued);
    assert.equal(decoder.decode(store.get(target.id)?.families.text.bytes), lines(1));
    assert.equal(decoder.decode(second.encoded.text.bytes), lines(2));
  });
});

describe('an inline batch of several bodies', () => {
  test("each body's lines in a buffer of its own from the result buffers, which the store gives back", () => {
    const interner = new FamilyMetaInterner();
    const body = (value: number, count: number) =>
      new TextEncoder().encode(
        JSON.stringify({
          items: Array.from({ length: count }, (_, i) => ({ s: String(i), pad: 'x'.repeat(60), n: value })),
        }),
      );
    const results = runBatchInline(
      {
        module: LINES_MODULE,
        formats: ['text', 'openmetrics'],
        items: [
          { body: body(1, 200), targetLabels: {} },
          { body: Uint8Array.of(0x7b), targetLabels: {} },
          { body: body(2, 300), targetLabels: {} },
        ],
      },
      interner,
    );
    assert.equal(results[1]?.ok, false, 'a body that is not JSON fails alone');
    const [first, , third] = results;
    assert.ok(first?.ok === true && third?.ok === true);
    const a = first.encoded.text;
    const c = third.encoded.text;
    assert.ok(a !== undefined && c !== undefined);
    assert.equal(decoder.decode(a.bytes), paddedLines(200, 60, 1));
    assert.equal(decoder.decode(c.bytes), paddedLines(300, 60, 2));
    // Not views of one shared buffer: each is its buffer's whole view (the store can give it back alone).
    assert.notEqual(a.bytes.buffer, c.bytes.buffer);
    for (const lines of [a, c]) assert.equal(lines.bytes.byteOffset, 0);
    assert.equal(first.encoded.openmetrics, a, 'OpenMetrics equal to text: the same bytes');
    const target = staticTarget('http://b:1/api/v1/streams/', 'srs', 'b:1');
    const store = new TargetStore();
    store.upsertTarget(target);
    const kept = resultBuffers.size;
    store.record(target, { ok: true, encoded: third.encoded, sampleCount: 300 }, { startedMs: 0, durationMs: 1 });
    assert.equal(resultBuffers.size, kept + 1, "the third body's buffer given back after the store's copy");
  });
});
