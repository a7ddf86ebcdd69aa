// MemberInflater and the helpers that read the archive's gzip members back (src/fleet/member-inflater.ts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { type NativeGzip, nativeGzip } from '../../src/exposition/gzip-codec.js';
import { inflateMember, MemberInflater, plainSize } from '../../src/fleet/member-inflater.js';

/** Exposition-like text of about `bytes` bytes, different for each seed. */
function seriesText(bytes: number, seed: number): Buffer {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const line = `stream_clients{job="srs",instance="127.0.0.1:${8000 + seed}",name="livestream-${i}"} ${(i * 7919 + seed) % 1000}\n`;
    lines.push(line);
    size += line.length;
  }
  return Buffer.from(lines.join(''));
}

const member = (text: Uint8Array): Buffer => gzipSync(text, { level: 1 });

// Both codecs read the same members (made by zlib here): libdeflate where the addon is built, and Node's zlib.
for (const [codecName, codec] of [
  ['libdeflate', nativeGzip],
  ['zlib', undefined],
] as Array<[string, NativeGzip | undefined]>) {
  const skip = codecName === 'libdeflate' && codec === undefined && process.env.CI === undefined;
  describe(`plainSize and inflateMember (${codecName})`, { skip }, () => {
    test('plainSize reads the size a member holds from its trailer', () => {
      for (const bytes of [0, 1, 300, 70_000, 300_000]) {
        assert.equal(plainSize(member(seriesText(bytes, 1).subarray(0, bytes))), bytes);
      }
    });

    test('inflateMember gives the member text in a buffer of its own', () => {
      const text = seriesText(50_000, 2);
      const first = inflateMember(member(text), codec);
      const second = inflateMember(member(text), codec);
      assert.ok(first.equals(text));
      assert.notEqual(first.buffer, second.buffer);
    });
  });

  describe(`MemberInflater (${codecName})`, { skip }, () => {
    test('inflates members of any size one after the other, each exactly as gunzip gives it', () => {
      const inflater = new MemberInflater(codec);
      // Growing and shrinking: the reused buffer grows past its first size and is then used for smaller members.
      for (const [i, bytes] of [10, 40_000, 0, 200_000, 1_500_000, 3, 90_000].entries()) {
        const text = seriesText(bytes, i).subarray(0, bytes);
        const packed = member(text);
        const inflated = inflater.inflate(packed);
        assert.equal(inflated.byteLength, bytes, `member ${i}`);
        assert.ok(Buffer.from(inflated).equals(gunzipSync(packed)), `member ${i} differs from gunzip's text`);
      }
      inflater.close();
    });

    test('reads members into one reused buffer (not a fresh buffer per member)', () => {
      const inflater = new MemberInflater(codec);
      const first = inflater.inflate(member(seriesText(30_000, 1)));
      const second = inflater.inflate(member(seriesText(20_000, 2)));
      // Fails (zlib) if Node's zlib stream lost the handle this drives: every member would take inflateMember's path.
      assert.equal(first.buffer, second.buffer);
      assert.ok(Buffer.from(second).equals(seriesText(20_000, 2)));
      inflater.close();
    });

    test('a corrupt member throws zlib error, and the next member inflates as before', () => {
      const inflater = new MemberInflater(codec);
      const good = seriesText(40_000, 3);
      assert.ok(Buffer.from(inflater.inflate(member(good))).equals(good));
      const corrupt = Buffer.from(member(seriesText(40_000, 4)));
      // The CRC-32 in the trailer no longer matches the text.
      corrupt[corrupt.byteLength - 6] = (corrupt[corrupt.byteLength - 6] as number) ^ 0xff;
      assert.throws(() => inflater.inflate(corrupt), /incorrect data check/);
      assert.ok(Buffer.from(inflater.inflate(member(good))).equals(good));
      inflater.close();
    });

    test('a member cut short or no gzip at all throws, and the next member inflates as before', () => {
      const inflater = new MemberInflater(codec);
      const good = seriesText(40_000, 9);
      const packed = member(good);
      assert.throws(() => inflater.inflate(packed.subarray(0, packed.byteLength - 100)));
      assert.ok(Buffer.from(inflater.inflate(packed)).equals(good));
      assert.throws(() => inflater.inflate(Buffer.from('stream_clients{job="srs"} 1\nnot gzip at all\n')), /header/);
      assert.ok(Buffer.from(inflater.inflate(packed)).equals(good));
      inflater.close();
    });

    test('a member above 8 MiB gets a buffer of its own; the reused one keeps its size', () => {
      const inflater = new MemberInflater(codec);
      const small = inflater.inflate(member(seriesText(10_000, 5)));
      const reused = small.buffer;
      const big = seriesText(9 * 1024 * 1024, 6);
      const inflated = inflater.inflate(member(big));
      assert.notEqual(inflated.buffer, reused);
      assert.ok(Buffer.from(inflated).equals(big));
      assert.equal(inflater.inflate(member(seriesText(10_000, 7))).buffer, reused);
      inflater.close();
    });

    test('inflates again after close', () => {
      const inflater = new MemberInflater(codec);
      const text = seriesText(5_000, 8);
      assert.ok(Buffer.from(inflater.inflate(member(text))).equals(text));
      inflater.close();
      assert.ok(Buffer.from(inflater.inflate(member(text))).equals(text));
      inflater.close();
    });

    test('close gives the buffer back: the next inflater reads into the same memory, and grows out of it', () => {
      const first = new MemberInflater(codec);
      const text = seriesText(20_000, 9);
      const memory = first.inflate(member(text)).buffer;
      first.close();
      const second = new MemberInflater(codec);
      const again = second.inflate(member(seriesText(30_000, 10)));
      assert.equal(again.buffer, memory);
      assert.ok(Buffer.from(again).equals(seriesText(30_000, 10)));
      // A member larger than the buffer: a larger one, the smaller given back (a third inflater gets it).
      const larger = seriesText(200_000, 11);
      const grown = second.inflate(member(larger));
      assert.notEqual(grown.buffer, memory);
      assert.ok(Buffer.from(grown).equals(larger));
      const third = new MemberInflater(codec);
      assert.equal(third.inflate(member(text)).buffer, memory);
      second.close();
      third.close();
    });
  });
}
