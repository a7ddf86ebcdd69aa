// The gzip members fleet /metrics is made of (src/fleet/gzip-codec.ts): libdeflate where the addon is built, zlib
// otherwise; both make ordinary gzip members that join into one stream and that either codec reads back.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { compressMember, gzipAnswer, gzipCodecKind, nativeGzip, zlibMember } from '../../src/exposition/gzip-codec.js';
import { inflateMember, MemberInflater } from '../../src/fleet/member-inflater.js';
import { prunerKind } from '../../src/extract/pruned-parse.js';
import { createSelfMetrics } from '../../src/telemetry/self-metrics.js';

function seriesText(lines: number, seed: number): Buffer {
  let text = '';
  for (let i = 0; i < lines; i++) {
    text += `stream_send_bytes_total{job="srs",instance="10.0.0.${seed}:1985",name="live-${i}"} ${i * 7919 + seed}\n`;
  }
  return Buffer.from(text);
}

test(
  'under CI the members are libdeflate’s (FJE_NATIVE=required in .ci/run builds the addon)',
  {
    skip: process.env.CI === undefined,
  },
  () => {
    assert.equal(gzipCodecKind, 'libdeflate');
    assert.notEqual(nativeGzip, undefined);
  },
);

test('without the addon (or with FJE_NATIVE=off) the members are zlib’s', { skip: nativeGzip !== undefined }, () => {
  assert.equal(gzipCodecKind, 'zlib');
  assert.equal(compressMember, zlibMember);
});

test('fleet_json_exporter_build_info says which codec and which JSON parser run', async () => {
  const text = await createSelfMetrics().registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith('fleet_json_exporter_build_info{')) ?? '';
  assert.match(line, new RegExp(`json_pruner="${prunerKind}"`));
  assert.match(line, new RegExp(`gzip="${gzipCodecKind}"`));
  assert.match(line, / 1$/);
});

describe('compressMember', () => {
  test('one gzip member per call; members joined are one valid gzip stream of the texts in order', async () => {
    const texts = [seriesText(500, 1), Buffer.alloc(0), seriesText(3, 2), seriesText(20_000, 3)];
    const members = await Promise.all(texts.map((text) => compressMember(text)));
    for (const [i, member] of members.entries()) {
      assert.deepEqual(gunzipSync(member), texts[i], `member ${i}`);
      // Level 1 on exposition text: far smaller than the text (an empty text is header and trailer alone).
      if ((texts[i]?.byteLength ?? 0) > 1000) assert.ok(member.byteLength * 4 < (texts[i]?.byteLength ?? 0));
    }
    assert.deepEqual(gunzipSync(Buffer.concat(members)), Buffer.concat(texts));
  });

  test('either codec reads what the other made', async () => {
    const text = seriesText(2_000, 4);
    const made = [await compressMember(text), await zlibMember(text)];
    for (const member of made) {
      assert.deepEqual(inflateMember(member), text);
      assert.deepEqual(inflateMember(member, undefined), text);
      for (const inflater of [new MemberInflater(), new MemberInflater(undefined)]) {
        assert.deepEqual(Buffer.from(inflater.inflate(member)), text);
        inflater.close();
      }
    }
  });

  test('views at any offset of one buffer, compressed at once, each give the member of their own bytes', async () => {
    const whole = seriesText(3_000, 5);
    const cuts = [0, 1, 4_097, 70_001, whole.byteLength];
    const views = cuts.slice(1).map((end, i) => whole.subarray(cuts[i], end));
    const members = await Promise.all(views.map((view) => compressMember(view)));
    for (const [i, member] of members.entries()) assert.deepEqual(gunzipSync(member), Buffer.from(views[i] as Buffer));
    // Made: the input may be reused.
    whole.fill(0x20);
    assert.deepEqual(gunzipSync(Buffer.concat(members)), seriesText(3_000, 5));
  });
});

test("gzipAnswer: one member of the whole answer at zlib's default level (about zlib's size, smaller than level 1)", async () => {
  const text = seriesText(5_000, 7);
  const answer = await gzipAnswer(text);
  assert.deepEqual(gunzipSync(answer), text);
  assert.ok(answer.byteLength <= gzipSync(text).byteLength * 1.1, `${answer.byteLength} bytes`);
  assert.ok(answer.byteLength < (await compressMember(text)).byteLength);
});

describe('the libdeflate addon', { skip: nativeGzip === undefined && process.env.CI === undefined }, () => {
  test('compress refuses what is not a Uint8Array and a level from 1 to 12', () => {
    const codec = nativeGzip as NonNullable<typeof nativeGzip>;
    assert.throws(() => codec.compress('text' as unknown as Uint8Array, 1), TypeError);
    assert.throws(() => codec.compress(Buffer.from('x'), 13), /a level from 1 to 12/);
    assert.throws(() => codec.compress(new Uint16Array(4) as unknown as Uint8Array, 1), TypeError);
    assert.throws(() => (codec.compress as (input: Uint8Array) => Promise<Buffer>)(Buffer.from('x')), TypeError);
    assert.throws(() => codec.decompress(Buffer.from('x'), 'out' as unknown as Uint8Array), TypeError);
  });

  test('decompress refuses (-1) anything but one whole member that fits: cut, two joined, corrupt, no room', async () => {
    const codec = nativeGzip as NonNullable<typeof nativeGzip>;
    const text = seriesText(300, 6);
    const member = await codec.compress(text, 1);
    const output = Buffer.alloc(text.byteLength);
    assert.equal(codec.decompress(member, output), text.byteLength);
    assert.deepEqual(output, text);
    assert.equal(codec.decompress(member.subarray(0, member.byteLength - 1), output), -1);
    assert.equal(codec.decompress(Buffer.concat([member, member]), Buffer.alloc(2 * text.byteLength)), -1);
    const corrupt = Buffer.from(member);
    corrupt[corrupt.byteLength - 6] = (corrupt[corrupt.byteLength - 6] as number) ^ 0xff;
    assert.equal(codec.decompress(corrupt, output), -1);
    assert.equal(codec.decompress(member, output.subarray(0, text.byteLength - 1)), -1);
    assert.equal(codec.decompress(Buffer.from('not gzip'), output), -1);
  });
});
