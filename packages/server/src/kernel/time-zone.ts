/**
 * Calendar arithmetic in IANA time zones with the platform's Intl data: a branch's local dates and
 * opening times become UTC instants here, and nowhere else.
 */

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** True when `zone` is an IANA time zone name the platform knows, such as `America/Chicago`. */
export function isValidTimeZone(zone: string): boolean {
  if (zone.trim() === '') return false;
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

/** True for a real calendar date written `YYYY-MM-DD`. */
export function isLocalDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === text;
}

/** True for a wall-clock time written `HH:MM` (00:00–23:59). */
export function isLocalTime(text: string): boolean {
  return TIME.test(text);
}

type WallClock = Readonly<{
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}>;

/** The wall-clock parts of `instant` in `zone`, from the platform's time zone data. */
function exactPartsIn(instant: Date, zone: string): WallClock {
  const parts: Record<string, number> = {};
  for (const p of formatter(zone).formatToParts(instant)) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return parts as WallClock;
}

function exactOffsetAt(ms: number, zone: string): number {
  const p = exactPartsIn(new Date(ms), zone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(ms / 1000) * 1000;
}

const QUARTER_HOUR_MS = 900_000;

/**
 * Offsets from UTC by zone and quarter hour (`zone quarter` → ms), or null for a quarter hour in which
 * the zone's clocks change. `formatToParts` costs microseconds and a checkout asks for local dates and
 * times several times; clocks change on quarter hours of UTC (a zone 3:30 or 5:45 from UTC still changes
 * on one), so one look-up serves every instant of a quarter hour.
 */
const quarterOffsets = new Map<string, number | null>();

/** The wall-clock parts of `instant` in `zone`. */
function partsIn(instant: Date, zone: string): WallClock {
  const ms = instant.getTime();
  const quarter = Math.floor(ms / QUARTER_HOUR_MS);
  const key = `${zone} ${quarter}`;
  let offset = quarterOffsets.get(key);
  if (offset === undefined) {
    const from = quarter * QUARTER_HOUR_MS;
    const atStart = exactOffsetAt(from, zone);
    offset = exactOffsetAt(from + QUARTER_HOUR_MS - 1000, zone) === atStart ? atStart : null;
    if (quarterOffsets.size >= 4096) quarterOffsets.clear();
    quarterOffsets.set(key, offset);
  }
  if (offset === null) return exactPartsIn(instant, zone);
  const wall = new Date(ms + offset);
  return {
    year: wall.getUTCFullYear(),
    month: wall.getUTCMonth() + 1,
    day: wall.getUTCDate(),
    hour: wall.getUTCHours(),
    minute: wall.getUTCMinutes(),
    second: wall.getUTCSeconds(),
  };
}

/** The calendar date (`YYYY-MM-DD`) that `instant` falls on in `zone`. */
export function localDateOf(instant: Date, zone: string): string {
  const p = partsIn(instant, zone);
  return `${String(p.year).padStart(4, '0')}-${pad(p.month)}-${pad(p.day)}`;
}

/** The wall-clock time (`HH:MM`) of `instant` in `zone`. */
export function localTimeOf(instant: Date, zone: string): string {
  const p = partsIn(instant, zone);
  return `${pad(p.hour)}:${pad(p.minute)}`;
}

/** Offset of `zone` from UTC at `instant`, in milliseconds (east positive). */
function offsetAt(instant: Date, zone: string): number {
  const p = partsIn(instant, zone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

/**
 * The instant at which the clocks in `zone` show `date` `time`. A time skipped by a daylight-saving
 * change resolves to the same wall time in the offset before the change (so it comes out an hour later);
 * a repeated time resolves to its first occurrence.
 */
export function zonedTimeToInstant(date: string, time: string, zone: string): Date {
  const dm = DATE.exec(date);
  const tm = TIME.exec(time);
  if (!dm || !tm) throw new RangeError(`not a local date and time: ${date} ${time}`);
  const wall = Date.UTC(Number(dm[1]), Number(dm[2]) - 1, Number(dm[3]), Number(tm[1]), Number(tm[2]));
  const before = offsetAt(new Date(wall - 86_400_000 / 2), zone);
  const first = wall - before;
  const after = offsetAt(new Date(first), zone);
  if (after === before) return new Date(first);
  const second = wall - after;
  return offsetAt(new Date(second), zone) === after ? new Date(second) : new Date(first);
}

/** ISO weekday of a `YYYY-MM-DD` date: 1 = Monday … 7 = Sunday. */
export function isoWeekday(date: string): number {
  const m = DATE.exec(date);
  if (!m) throw new RangeError(`not a local date: ${date}`);
  const day = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))).getUTCDay();
  return day === 0 ? 7 : day;
}

/** The date `days` after (or before, when negative) `date`. */
export function addDays(date: string, days: number): string {
  const m = DATE.exec(date);
  if (!m) throw new RangeError(`not a local date: ${date}`);
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + days)).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (positive when `to` is later). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
