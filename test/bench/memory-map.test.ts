// The soak's RSS breakdown reads /proc/<pid>/smaps: malloc's main and thread arenas apart from other memory.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { memoryMap } from '../../bench/memory-map.js';

const SMAPS = `00400000-00b6f000 r--p 00000000 fe:00 260689                             /usr/bin/node
Size:               7612 kB
Rss:                5928 kB
01fe3000-02204000 rw-p 00000000 00:00 0                                  [heap]
Size:               2180 kB
Rss:                2048 kB
7f08b0000000-7f08b020f000 rw-p 00000000 00:00 0 
Size:               2108 kB
Rss:                1024 kB
7f08b020f000-7f08b4000000 ---p 00000000 00:00 0 
Size:              63428 kB
Rss:                   0 kB
7f0914355000-7f091416c000 rw-p 00000000 00:00 0 
Size:               1956 kB
Rss:                 512 kB
`;

test('memoryMap sums RSS by kind: main arena, 64 MiB-aligned thread arenas, other anonymous, files', () => {
  assert.deepEqual(memoryMap(SMAPS), {
    mallocMainMiB: 2,
    mallocThreadArenasMiB: 1,
    mallocThreadArenas: 1,
    otherAnonymousMiB: 0.5,
    filesMiB: 5.8,
  });
});

test('memoryMap of this process accounts for most of its RSS', () => {
  const map = memoryMap(readFileSync('/proc/self/smaps', 'utf8'));
  const total = map.mallocMainMiB + map.mallocThreadArenasMiB + map.otherAnonymousMiB + map.filesMiB;
  assert.ok(total > 0.5 * (process.memoryUsage().rss / 2 ** 20), `${total} MiB of ${process.memoryUsage().rss} bytes`);
});
