// Where a process's resident memory lies, from /proc/<pid>/smaps (Linux): glibc's main malloc arena, its per-thread
// arenas, the rest of anonymous memory (V8 heaps of every isolate, large malloc blocks, stacks, WebAssembly), and
// files. The soak samples it to tell allocator growth (arenas) from heap growth (a leak in some isolate).

/** glibc maps each non-main arena at a multiple of HEAP_MAX_SIZE: 64 MiB on 64-bit. */
const ARENA_ALIGNMENT = 64n << 20n;

export interface MemoryMap {
  /** `[heap]`: the main arena (brk), where the main thread's malloc goes. */
  readonly mallocMainMiB: number;
  /** Anonymous read-write mappings starting on a 64 MiB boundary: glibc's thread arenas (and, rarely, chance). */
  readonly mallocThreadArenasMiB: number;
  /** How many such arenas hold memory. */
  readonly mallocThreadArenas: number;
  /** Every other anonymous mapping: V8 heap pages of the main thread and workers, mmap'd malloc blocks, stacks. */
  readonly otherAnonymousMiB: number;
  /** File-backed: the node binary and libraries. */
  readonly filesMiB: number;
}

const round = (kb: number): number => Math.round((kb / 1024) * 10) / 10;

export function memoryMap(smaps: string): MemoryMap {
  let main = 0;
  let arenas = 0;
  let arenaCount = 0;
  let other = 0;
  let files = 0;
  let kind: 'main' | 'arena' | 'other' | 'file' = 'other';
  for (const line of smaps.split('\n')) {
    const head = /^([0-9a-f]+)-[0-9a-f]+ (\S+) \S+ \S+ (\d+)\s*(.*)$/.exec(line);
    if (head !== null) {
      const [, start = '0', perms = '', inode = '0', name = ''] = head;
      if (name === '[heap]') kind = 'main';
      else if (inode !== '0' || name.startsWith('/')) kind = 'file';
      else if (perms.startsWith('rw') && name === '' && BigInt(`0x${start}`) % ARENA_ALIGNMENT === 0n) kind = 'arena';
      else kind = 'other';
      continue;
    }
    if (!line.startsWith('Rss:')) continue;
    const kb = Number(line.split(/\s+/)[1]);
    if (kind === 'main') main += kb;
    else if (kind === 'arena') {
      arenas += kb;
      if (kb > 0) arenaCount++;
    } else if (kind === 'file') files += kb;
    else other += kb;
  }
  return {
    mallocMainMiB: round(main),
    mallocThreadArenasMiB: round(arenas),
    mallocThreadArenas: arenaCount,
    otherAnonymousMiB: round(other),
    filesMiB: round(files),
  };
}
