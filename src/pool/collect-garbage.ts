// A full garbage collection on demand in a pool worker, after a large body: V8 has no API for it without --expose-gc.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | undefined;

/**
 * Collects this thread's whole heap with V8's `gc()`, taken from a vm context created while --expose-gc is set (as
 * the `expose-gc` package does); the flag is cleared again at once, so no other context gets a global `gc`.
 */
export function collectGarbage(): void {
  if (collect === undefined) {
    setFlagsFromString('--expose-gc');
    try {
      collect = runInNewContext('gc') as () => void;
    } finally {
      setFlagsFromString('--no-expose-gc');
    }
  }
  collect();
}
