// Bounds on evaluating templates: list sizes, printed text, a deadline and a cancel check, so no body and no
// template can exhaust memory (V8 aborts the whole process past its array limit) or run past the scrape's deadline.

/** Why a budget stopped the evaluation; sticky: once stopped, every later evaluation fails at once. */
export type BudgetStop = 'result_too_large' | 'too_deep' | 'timeout' | 'aborted' | 'series_limit';

export interface BudgetLimits {
  /** Values one step of a path may produce (`{..a..a}` over a deep chain of `a` grows quadratically). */
  readonly maxListValues: number;
  /** Characters one template may print (joined matches, printed objects). */
  readonly maxPrintedChars: number;
  /** Epoch milliseconds after which evaluation stops with `timeout`; none when absent. */
  readonly deadline?: number;
  /** Polled with the deadline: true stops the evaluation with `aborted` (the scrape was cancelled). */
  readonly isCancelled?: () => boolean;
}

/**
 * Far above any real answer (a 32 MiB array of single digits has 16 M elements but no template needs them in one
 * list twice) and far below V8's limits (~112 M elements, ~512 M characters): a stop here is a crafted body or a
 * template that multiplies matches, never data.
 */
export const DEFAULT_BUDGET_LIMITS: BudgetLimits = Object.freeze({
  maxListValues: 1_000_000,
  maxPrintedChars: 64 * 1024 * 1024,
});

/**
 * Units of work (elements visited, values listed) between two reads of the clock and the cancel flag (a read costs
 * ~50 ns, a unit ~0.1–1 µs): the deadline is seen within a few milliseconds.
 */
const CHECK_EVERY = 4096;

/** Thrown inside evaluation to unwind at once; caught at the template's entry (compile.ts), never escapes. */
export class BudgetStopped {
  constructor(readonly stop: BudgetStop) {}
}

export class EvaluationBudget {
  #work = 0;
  #nextCheck = CHECK_EVERY;
  #stopped: BudgetStop | undefined;
  #detail = '';

  constructor(readonly limits: BudgetLimits = DEFAULT_BUDGET_LIMITS) {}

  get stopped(): BudgetStop | undefined {
    return this.#stopped;
  }

  /** What stopped it, in words for the scrape's failure message. */
  get detail(): string {
    return this.#detail;
  }

  stop(reason: BudgetStop, detail: string): BudgetStopped {
    if (this.#stopped === undefined) {
      this.#stopped = reason;
      this.#detail = detail;
    }
    return new BudgetStopped(this.#stopped);
  }

  /** A list grew to `size` values: throws BudgetStopped past the limit, and polls the deadline now and then. */
  chargeList(size: number): void {
    if (this.#stopped !== undefined) throw new BudgetStopped(this.#stopped);
    if (size > this.limits.maxListValues) {
      throw this.stop(
        'result_too_large',
        `a template step matched more than ${this.limits.maxListValues} values (a recursive \`..\` over a crafted body?)`,
      );
    }
    this.tick(size);
  }

  /** Text printed so far by one template. */
  chargePrinted(length: number): void {
    if (this.#stopped !== undefined) throw new BudgetStopped(this.#stopped);
    if (length > this.limits.maxPrintedChars) {
      throw this.stop('result_too_large', `a template printed more than ${this.limits.maxPrintedChars} characters`);
    }
  }

  /** Cheap enough for every loop iteration: reads the clock and the cancel flag once CHECK_EVERY units passed. */
  tick(work = 1): void {
    this.#work += work;
    if (this.#work < this.#nextCheck) return;
    this.#nextCheck = this.#work + CHECK_EVERY;
    this.check();
  }

  /** Reads the clock and the cancel flag now; throws BudgetStopped when either says stop. */
  check(): void {
    if (this.#stopped !== undefined) throw new BudgetStopped(this.#stopped);
    const { deadline, isCancelled } = this.limits;
    if (deadline !== undefined && performance.timeOrigin + performance.now() > deadline) {
      throw this.stop('timeout', 'the scrape deadline passed during parse, extract or render');
    }
    if (isCancelled?.() === true) throw this.stop('aborted', 'the scrape was cancelled');
  }
}

let active: EvaluationBudget | undefined;

/** The budget evaluations on this thread charge: the one installed by runWithBudget, else one per template call. */
export function activeBudget(): EvaluationBudget | undefined {
  return active;
}

/**
 * Runs `fn` with `budget` charged by every template evaluated inside it (the hot path is synchronous, and each
 * worker runs one task at a time, so one budget per thread at a time is exact).
 */
export function runWithBudget<T>(budget: EvaluationBudget, fn: () => T): T {
  const outer = active;
  active = budget;
  try {
    return fn();
  } finally {
    active = outer;
  }
}

/** Installs a fresh default budget when none is active; returns the one to restore afterwards. */
export function enterBudget(): { readonly budget: EvaluationBudget; readonly outer: EvaluationBudget | undefined } {
  const outer = active;
  if (outer !== undefined) return { budget: outer, outer };
  const budget = new EvaluationBudget();
  active = budget;
  return { budget, outer };
}

export function leaveBudget(outer: EvaluationBudget | undefined): void {
  active = outer;
}

/** Charges the active budget for a list of `size` values (no-op outside an evaluation). */
export function chargeList(size: number): void {
  active?.chargeList(size);
}

/**
 * Maps what an evaluation threw to a stop: our own BudgetStopped, or V8's RangeError (a call stack exhausted by a
 * deeply nested document, a string or array past V8's size limits). Anything else is a bug and is rethrown.
 */
export function stopFromThrown(budget: EvaluationBudget, thrown: unknown): BudgetStopped {
  if (thrown instanceof BudgetStopped) return thrown;
  if (thrown instanceof RangeError) {
    return /call stack/i.test(thrown.message)
      ? budget.stop('too_deep', 'the document is nested too deeply for this template')
      : budget.stop('result_too_large', `a template result is too large (${thrown.message})`);
  }
  throw thrown;
}
