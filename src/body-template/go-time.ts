// Go's time formatting for the body template: Duration.String, reference-layout Format, Time.String.

const NANOS_PER_SECOND = 1_000_000_000n;

/** Go's time.Duration.String() of a nanosecond count: 95s → "1m35s", 1h → "1h0m0s", 1.5ms → "1.5ms". */
export function formatGoDuration(nanos: bigint): string {
  if (nanos === 0n) return '0s';
  const negative = nanos < 0n;
  let rest = negative ? -nanos : nanos;
  let text: string;
  if (rest < NANOS_PER_SECOND) {
    if (rest < 1000n) text = `${rest}ns`;
    else if (rest < 1_000_000n) text = `${formatFraction(rest, 3)}µs`;
    else text = `${formatFraction(rest, 6)}ms`;
  } else {
    const fraction = formatFraction(rest % NANOS_PER_SECOND, 9).slice(1); // drop the leading "0"
    rest /= NANOS_PER_SECOND;
    text = `${rest % 60n}${fraction}s`;
    rest /= 60n;
    if (rest > 0n) {
      text = `${rest % 60n}m${text}`;
      rest /= 60n;
      if (rest > 0n) text = `${rest}h${text}`;
    }
  }
  return negative ? `-${text}` : text;
}

/** `value / 10^digits` as a decimal with trailing zeros (and a bare point) removed. */
function formatFraction(value: bigint, digits: number): string {
  const scale = 10n ** BigInt(digits);
  const whole = value / scale;
  const fraction = (value % scale).toString().padStart(digits, '0').replace(/0+$/, '');
  return fraction === '' ? `${whole}` : `${whole}.${fraction}`;
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

// Layout tokens in the order Go's nextStdChunk tries them at one position (longest first).
const LAYOUT_TOKENS = [
  'January',
  'Jan',
  'Monday',
  'Mon',
  'MST',
  '2006',
  '002',
  '01',
  '02',
  '03',
  '04',
  '05',
  '06',
  '15',
  '__2',
  '_2',
  'Z07:00:00',
  'Z070000',
  'Z07:00',
  'Z0700',
  'Z07',
  '-07:00:00',
  '-070000',
  '-07:00',
  '-0700',
  '-07',
  'PM',
  'pm',
  '1',
  '2',
  '3',
  '4',
  '5',
];
const FRACTION = /^[.,](0+|9+)(?![0-9])/;

/** time.Time.Format with Go's reference layout ("2006-01-02T15:04:05Z07:00"), in the process's local zone. */
export function formatGoTime(date: Date, layout: string): string {
  let out = '';
  let i = 0;
  while (i < layout.length) {
    const rest = layout.slice(i);
    const fraction = FRACTION.exec(rest);
    if (fraction !== null && fraction[1] !== undefined) {
      out += formatFractionalSeconds(date, rest[0] ?? '.', fraction[1]);
      i += fraction[0].length;
      continue;
    }
    const token = LAYOUT_TOKENS.find((candidate) => rest.startsWith(candidate));
    if (token === undefined) {
      out += layout[i];
      i += 1;
      continue;
    }
    out += formatLayoutToken(date, token);
    i += token.length;
  }
  return out;
}

function formatFractionalSeconds(date: Date, separator: string, digits: string): string {
  // JS dates carry milliseconds; Go's nanoseconds below that are zeros here.
  const nanos = String(date.getMilliseconds() * 1_000_000)
    .padStart(9, '0')
    .slice(0, digits.length);
  if (digits[0] === '0') return separator + nanos;
  const trimmed = nanos.replace(/0+$/, '');
  return trimmed === '' ? '' : separator + trimmed;
}

function formatLayoutToken(date: Date, token: string): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  const hour12 = date.getHours() % 12 === 0 ? 12 : date.getHours() % 12;
  switch (token) {
    case 'January':
      return MONTHS[date.getMonth()] ?? '';
    case 'Jan':
      return (MONTHS[date.getMonth()] ?? '').slice(0, 3);
    case 'Monday':
      return WEEKDAYS[date.getDay()] ?? '';
    case 'Mon':
      return (WEEKDAYS[date.getDay()] ?? '').slice(0, 3);
    case 'MST':
      return zoneAbbreviation(date);
    case '2006':
      return String(date.getFullYear()).padStart(4, '0');
    case '06':
      return two(date.getFullYear() % 100);
    case '01':
      return two(date.getMonth() + 1);
    case '1':
      return String(date.getMonth() + 1);
    case '02':
      return two(date.getDate());
    case '2':
      return String(date.getDate());
    case '_2':
      return String(date.getDate()).padStart(2, ' ');
    case '002':
      return String(dayOfYear(date)).padStart(3, '0');
    case '__2':
      return String(dayOfYear(date)).padStart(3, ' ');
    case '15':
      return two(date.getHours());
    case '03':
      return two(hour12);
    case '3':
      return String(hour12);
    case '04':
      return two(date.getMinutes());
    case '4':
      return String(date.getMinutes());
    case '05':
      return two(date.getSeconds());
    case '5':
      return String(date.getSeconds());
    case 'PM':
      return date.getHours() >= 12 ? 'PM' : 'AM';
    case 'pm':
      return date.getHours() >= 12 ? 'pm' : 'am';
    default:
      return formatZoneOffset(date, token);
  }
}

function dayOfYear(date: Date): number {
  const start = new Date(date.getFullYear(), 0, 1);
  return Math.round((date.getTime() - start.getTime()) / 86_400_000) + 1;
}

function formatZoneOffset(date: Date, token: string): string {
  const offsetMinutes = -date.getTimezoneOffset();
  if (token.startsWith('Z') && offsetMinutes === 0) return 'Z';
  const sign = offsetMinutes < 0 ? '-' : '+';
  const hours = String(Math.floor(Math.abs(offsetMinutes) / 60)).padStart(2, '0');
  const minutes = String(Math.abs(offsetMinutes) % 60).padStart(2, '0');
  const style = token.slice(1);
  if (style === '07') return sign + hours;
  if (style === '07:00') return `${sign}${hours}:${minutes}`;
  if (style === '07:00:00') return `${sign}${hours}:${minutes}:00`;
  if (style === '070000') return `${sign}${hours}${minutes}00`;
  return sign + hours + minutes;
}

/** The zone's abbreviation ("UTC", "CET"); Go falls back to a numeric name ("+03") when the zone has none. */
function zoneAbbreviation(date: Date): string {
  const offsetMinutes = -date.getTimezoneOffset();
  if (offsetMinutes === 0) return 'UTC';
  const name = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' })
    .formatToParts(date)
    .find((part) => part.type === 'timeZoneName')?.value;
  if (name !== undefined && /^[A-Z]{3,5}$/.test(name)) return name;
  const hours = formatZoneOffset(date, '-07');
  return offsetMinutes % 60 === 0 ? hours : formatZoneOffset(date, '-0700');
}

/** time.Time.String() without the monotonic clock suffix ("m=+0.001") Go adds to time.Now() values. */
export function formatGoTimeString(date: Date): string {
  return formatGoTime(date, '2006-01-02 15:04:05.999999999 -0700 MST');
}
