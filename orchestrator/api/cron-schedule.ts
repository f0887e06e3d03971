/**
 * A CronJob's schedule: the standard five-field cron format as Kubernetes reads it (robfig/cron
 * v3's ParseStandard): minute, hour, day of month, month, day of week; `*`, `?`, lists, ranges,
 * steps (`*\/15`, `1-30/5`, `5/10`), month and weekday names, and the descriptors `@yearly`,
 * `@annually`, `@monthly`, `@weekly`, `@daily`, `@midnight`, `@hourly`. As in cron, when both the
 * day of month and the day of week are restricted, a day matching either is a match.
 *
 * Times are matched on the wall clock of an IANA time zone (UTC unless the CronJob names one).
 */

interface Field {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const FIELDS: readonly Field[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  {
    name: 'month',
    min: 1,
    max: 12,
    names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'],
  },
  { name: 'day of week', min: 0, max: 6, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

const DESCRIPTORS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** A schedule that cannot be read; the message names the field and why. */
export class CronScheduleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CronScheduleError';
  }
}

/** A parsed schedule: which values of each field match. */
export interface CronSchedule {
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  readonly daysOfMonth: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  readonly daysOfWeek: ReadonlySet<number>;
  /** Day of month and day of week were both restricted (not `*` or `?`): either one matching is enough. */
  readonly eitherDay: boolean;
}

/** Parses a schedule; throws CronScheduleError naming what is wrong. */
export function parseCronSchedule(text: string): CronSchedule {
  const trimmed = text.trim();
  if (trimmed.startsWith('TZ=') || trimmed.startsWith('CRON_TZ='))
    throw new CronScheduleError('TZ or CRON_TZ in schedule is not supported; set spec.timeZone instead');
  const expanded = trimmed.startsWith('@') ? DESCRIPTORS[trimmed.toLowerCase()] : trimmed;
  if (expanded === undefined) throw new CronScheduleError(`unrecognized descriptor: ${trimmed}`);
  const parts = expanded.split(/\s+/).filter(Boolean);
  if (parts.length !== 5)
    throw new CronScheduleError(
      `expected exactly 5 fields, found ${parts.length}: ${JSON.stringify(trimmed)}`,
    );
  const [minutes, hours, daysOfMonth, months, daysOfWeek] = parts.map((p, i) => parseField(p, FIELDS[i]!));
  const restricted = (p: string) => p !== '*' && p !== '?';
  return {
    minutes: minutes!,
    hours: hours!,
    daysOfMonth: daysOfMonth!,
    months: months!,
    daysOfWeek: daysOfWeek!,
    eitherDay: restricted(parts[2]!) && restricted(parts[4]!),
  };
}

function parseField(text: string, field: Field): Set<number> {
  const values = new Set<number>();
  for (const item of text.split(',')) {
    const [range, stepText, extra] = item.split('/');
    if (extra !== undefined || range === undefined || range === '')
      throw new CronScheduleError(`${field.name}: cannot read ${JSON.stringify(item)}`);
    let from: number;
    let to: number;
    if (range === '*' || range === '?') {
      from = field.min;
      to = field.max;
    } else {
      const [a, b, more] = range.split('-');
      if (more !== undefined)
        throw new CronScheduleError(`${field.name}: cannot read ${JSON.stringify(item)}`);
      from = value(a!, field);
      // `5/10` runs from 5 to the field's end, as in robfig/cron.
      to = b !== undefined ? value(b, field) : stepText !== undefined ? field.max : from;
    }
    if (from > to)
      throw new CronScheduleError(`${field.name}: beginning of range (${from}) beyond end of range (${to})`);
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step <= 0 || stepText === '')
      throw new CronScheduleError(`${field.name}: step must be a positive number: ${JSON.stringify(item)}`);
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return values;
}

function value(text: string, field: Field): number {
  const named = field.names?.indexOf(text.toLowerCase()) ?? -1;
  const v = named >= 0 ? named + field.min : /^\d+$/.test(text) ? Number(text) : NaN;
  if (Number.isNaN(v)) throw new CronScheduleError(`${field.name}: not a number: ${JSON.stringify(text)}`);
  if (v < field.min || v > field.max)
    throw new CronScheduleError(`${field.name}: ${v} out of range [${field.min}, ${field.max}]`);
  return v;
}

/** Refuses a time zone the runtime does not know; undefined and `UTC` are always known. */
export function checkTimeZone(timeZone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    throw new CronScheduleError(`unknown time zone ${JSON.stringify(timeZone)}`);
  }
}

/** The wall-clock fields of one instant in a time zone. */
interface WallClock {
  month: number;
  day: number;
  weekday: number;
  hour: number;
  minute: number;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const formatters = new Map<string, Intl.DateTimeFormat>();

function wallClock(ms: number, timeZone: string): WallClock {
  if (timeZone === 'UTC') {
    // The common case, without Intl's cost (a few microseconds a call).
    const d = new Date(ms);
    return {
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      weekday: d.getUTCDay(),
      hour: d.getUTCHours(),
      minute: d.getUTCMinutes(),
    };
  }
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      month: 'numeric',
      day: 'numeric',
      weekday: 'short',
      hour: 'numeric',
      minute: 'numeric',
    });
    formatters.set(timeZone, format);
  }
  const parts: Record<string, string> = {};
  for (const p of format.formatToParts(ms)) parts[p.type] = p.value;
  return {
    month: Number(parts.month),
    day: Number(parts.day),
    weekday: WEEKDAYS.indexOf(parts.weekday!),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
  };
}

const MINUTE_MS = 60_000;
/** How far ahead a next time is looked for: a schedule that never fires (`0 0 30 2 *`) ends here. */
const SEARCH_LIMIT_MS = 5 * 366 * 24 * 3600_000;

/**
 * The first scheduled minute strictly after `afterMs`, or undefined when none comes within five
 * years. Walks the wall clock about a day at a time while the day does not match and an hour at a
 * time while the hour does not, so a yearly schedule costs some 730 steps.
 */
export function nextScheduleTime(
  schedule: CronSchedule,
  afterMs: number,
  timeZone = 'UTC',
): number | undefined {
  let t = Math.floor(afterMs / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
  const limit = afterMs + SEARCH_LIMIT_MS;
  while (t <= limit) {
    const w = wallClock(t, timeZone);
    const dayOfMonth = schedule.daysOfMonth.has(w.day);
    const dayOfWeek = schedule.daysOfWeek.has(w.weekday);
    const day = schedule.eitherDay ? dayOfMonth || dayOfWeek : dayOfMonth && dayOfWeek;
    if (!schedule.months.has(w.month) || !day) {
      // Towards the next wall-clock day, an hour short of it: a daylight-saving change makes a
      // day an hour shorter or longer, and this never steps over the next day's first minute.
      t += Math.max(60 - w.minute, (23 - w.hour) * 60 - w.minute) * MINUTE_MS;
      continue;
    }
    if (!schedule.hours.has(w.hour)) {
      // To the start of the next wall-clock hour: zone offsets change only there.
      t += (60 - w.minute) * MINUTE_MS;
      continue;
    }
    if (schedule.minutes.has(w.minute)) return t;
    t += MINUTE_MS;
  }
  return undefined;
}

/**
 * The scheduled times in (`afterMs`, `nowMs`]: the most recent one and how many there were, as
 * the CronJob controller needs to start the latest missed run and to warn about many.
 */
export function missedScheduleTimes(
  schedule: CronSchedule,
  afterMs: number,
  nowMs: number,
  timeZone = 'UTC',
  countUpTo = 101,
): { latest?: number; count: number } {
  let latest: number | undefined;
  let count = 0;
  for (let t = nextScheduleTime(schedule, afterMs, timeZone); t !== undefined && t <= nowMs;) {
    latest = t;
    count++;
    if (count >= countUpTo) {
      // Enough to know there were many: jump to the last one before now, without counting on.
      const before = lastScheduleTimeBefore(schedule, t, nowMs, timeZone);
      return { latest: before ?? latest, count };
    }
    t = nextScheduleTime(schedule, t, timeZone);
  }
  return latest === undefined ? { count } : { latest, count };
}

/**
 * The latest scheduled time in (`afterMs`, `nowMs`]: looked for in the last day, then in windows
 * twice as long each time, so a yearly schedule costs about as much as one walk over a year.
 */
function lastScheduleTimeBefore(
  schedule: CronSchedule,
  afterMs: number,
  nowMs: number,
  timeZone: string,
): number | undefined {
  for (let windowMs = 24 * 3600_000; ; windowMs *= 2) {
    const from = Math.max(afterMs, nowMs - windowMs);
    let found: number | undefined;
    for (let t = nextScheduleTime(schedule, from, timeZone); t !== undefined && t <= nowMs;)
      [found, t] = [t, nextScheduleTime(schedule, t, timeZone)];
    if (found !== undefined || from === afterMs) return found;
  }
}
