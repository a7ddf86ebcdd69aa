// Prometheus durations (`1d2h3m4s5ms`, units y w d h m s ms, largest first) parsed to milliseconds.

const UNIT_MS = {
  y: 365 * 24 * 60 * 60 * 1000,
  w: 7 * 24 * 60 * 60 * 1000,
  d: 24 * 60 * 60 * 1000,
  h: 60 * 60 * 1000,
  m: 60 * 1000,
  s: 1000,
  ms: 1,
} as const;

type Unit = keyof typeof UNIT_MS;

/** Prometheus's model.ParseDuration requires units in this order, each at most once. */
const UNIT_ORDER: readonly Unit[] = ['y', 'w', 'd', 'h', 'm', 's', 'ms'];
const PART = /(\d+)(ms|y|w|d|h|m|s)/y;

export class DurationSyntaxError extends Error {
  constructor(text: string, reason: string) {
    super(
      `invalid duration "${text}": ${reason}; write an integer and a unit (y, w, d, h, m, s, ms), largest unit first, e.g. 10s, 1m30s or 500ms`,
    );
    this.name = 'DurationSyntaxError';
  }
}

/** Parses a Prometheus duration into milliseconds; `0` is the one value allowed without a unit. */
export function parseDuration(text: string): number {
  if (text === '0') return 0;
  if (text === '') throw new DurationSyntaxError(text, 'empty string');
  let total = 0;
  let offset = 0;
  let lastUnit = -1;
  PART.lastIndex = 0;
  while (offset < text.length) {
    PART.lastIndex = offset;
    const match = PART.exec(text);
    if (match === null) {
      throw new DurationSyntaxError(text, `unexpected "${text.slice(offset)}"`);
    }
    const unit = match[2] as Unit;
    const order = UNIT_ORDER.indexOf(unit);
    if (order <= lastUnit) {
      throw new DurationSyntaxError(text, `unit "${unit}" is repeated or out of order`);
    }
    lastUnit = order;
    total += Number(match[1]) * UNIT_MS[unit];
    offset = PART.lastIndex;
  }
  if (!Number.isSafeInteger(total)) throw new DurationSyntaxError(text, 'too large');
  return total;
}
