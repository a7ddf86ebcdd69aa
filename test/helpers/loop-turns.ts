// Counts the event loop's turns while code under test runs: an immediate that re-queues itself runs once per turn.

/** Starts counting; `stop()` ends it and gives the turns counted. */
export function countLoopTurns(): { stop(): number } {
  let turns = 0;
  let counting = true;
  const count = (): void => {
    turns++;
    if (counting) setImmediate(count);
  };
  setImmediate(count);
  return {
    stop: () => {
      counting = false;
      return turns;
    },
  };
}
