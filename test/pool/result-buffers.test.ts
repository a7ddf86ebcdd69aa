// Buffers of single inline results that the fleet store copies: handed out at 16 KiB and more, taken back only when
// this handed them out, reused for a later result of about the same size, and never changing what the store holds.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { scrapeTargetId, type ScrapeTarget } from '../../src/discovery/target.js';
import { FamilyMetaInterner } from '../../src/exposition/encoded-families.js';
import type { RenderedFamily } from '../../src/exposition/types.js';
import { TargetStore } from '../../src/fleet/store.js';
import { decodeBatch, encodeResults } from '../../src/pool/hot-path-batch.js';
import type { HotPathResult } from '../../src/pool/hot-path.js';
import { RECYCLE_MIN_BYTES, ResultBuffers, resultBuffers } from '../../src/pool/result-buffers.js';

const decoder = new TextDecoder();

function success(text: string): HotPathResult {
  const family: RenderedFamily = { name: 'srs_clients', help: 'clients', type: 'gauge', text };
  return {
    ok: true,
    families: { text: [family], openmetrics: [family] },
    sampleCount: 1,
    problemCounts: {},
    problems: [],
    timings: { parseStart: 0, extractEnd: 0, renderEnd: 0 },
  };
}

/** ~20 KB of lines carrying `value`. */
const lines = (value: number): string =>
  Array.from({ length: 200 }, (_, i) => `srs_clients{s="${i}",pad="${'x'.repeat(60)}"} ${value}\n`).join('');

describe('ResultBuffers', () => {
  test('nothing below RECYCLE_MIN_BYTES; above it a buffer with little spare room', () => {
    const buffers = new ResultBuffers();
    assert.equal(buffers.take(RECYCLE_MIN_BYTES - 1), undefined);
    const buffer = buffers.take(20_000);
    assert.ok(buffer !== undefined && buffer.byteLength >= 20_000 && buffer.byteLength <= 20_000 * 1.2);
  });

  test('a buffer given back is handed out again for a result of about its size; foreign buffers are ignored', () => {
    const buffers = new ResultBuffers();
    const buffer = buffers.take(20_000) as Uint8Array;
    buffers.give(new Uint8Array(20_000).buffer);
    assert.equal(buffers.size, 0, 'a buffer it did not hand out');
    buffers.give(buffer.buffer);
    buffers.give(buffer.buffer);
    assert.equal(buffers.size, 1, 'given back twice, kept once');
    assert.notEqual(buffers.take(40_000)?.buffer, buffer.buffer, 'too small for this result');
    assert.notEqual(buffers.take(16_384)?.buffer, buffer.buffer, 'too much spare room for this one');
    assert.equal(buffers.take(20_100)?.buffer, buffer.buffer);
    assert.equal(buffers.size, 0);
  });

  test('keeps at most 64 buffers', () => {
    const buffers = new ResultBuffers();
    const taken = Array.from({ length: 70 }, () => buffers.take(20_000) as Uint8Array);
    for (const buffer of taken) buffers.give(buffer.buffer);
    assert.equal(buffers.size, 64);
  });
});

describe('an inline result copied by the store', () => {
  test('goes back to the buffers, and writing its buffer again leaves the stored lines as they were', () => {
    const url = 'http://a:1/api/v1/streams/';
    const target: ScrapeTarget = {
      id: scrapeTargetId('srs', url),
      job: 'srs',
      url,
      module: 'default',
      labels: { job: 'srs', instance: 'a:1' },
      intervalMs: 15_000,
      timeoutMs: 10_000,
      source: 'static',
    };
    const store = new TargetStore();
    store.upsertTarget(target);
    const interner = new FamilyMetaInterner();
    const kept = resultBuffers.size;
    const first = decodeBatch(encodeResults([success(lines(1))], ['text'], resultBuffers), interner)[0];
    assert.ok(first?.ok === true && first.encoded.text !== undefined);
    const issued = first.encoded.text.bytes.buffer;
    store.record(target, { ok: true, encoded: first.encoded, sampleCount: 200 }, { startedMs: 0, durationMs: 1 });
    assert.equal(resultBuffers.size, kept + 1, 'given back after the copy');
    assert.notEqual(store.get(target.id)?.families.text.bytes.buffer, issued);
    // The next result of the same size is written into that buffer; the stored lines do not change with it.
    const second = decodeBatch(encodeResults([success(lines(2))], ['text'], resultBuffers), interner)[0];
    assert.ok(second?.ok === true && second.encoded.text !== undefined);
    assert.equal(second.encoded.text.bytes.buffer, issued);
    assert.equal(decoder.decode(store.get(target.id)?.families.text.bytes), lines(1));
    assert.equal(decoder.decode(second.encoded.text.bytes), lines(2));
  });
});
