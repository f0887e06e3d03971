import { expect } from 'chai';
import {
  CronScheduleError,
  checkTimeZone,
  missedScheduleTimes,
  nextScheduleTime,
  parseCronSchedule,
} from './cron-schedule.js';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
const next = (schedule: string, after: string, timeZone?: string) =>
  iso(nextScheduleTime(parseCronSchedule(schedule), at(after), timeZone));

describe('cron schedules', () => {
  it('reads ranges, steps, lists and names', () => {
    const s = parseCronSchedule('*/15 9-17 1,15 jan-mar MON-fri');
    expect([...s.minutes]).to.deep.equal([0, 15, 30, 45]);
    expect([...s.hours]).to.deep.equal([9, 10, 11, 12, 13, 14, 15, 16, 17]);
    expect([...s.daysOfMonth]).to.deep.equal([1, 15]);
    expect([...s.months]).to.deep.equal([1, 2, 3]);
    expect([...s.daysOfWeek]).to.deep.equal([1, 2, 3, 4, 5]);
    expect(s.eitherDay).to.equal(true);
    expect([...parseCronSchedule('5/20 * * * *').minutes]).to.deep.equal([5, 25, 45]);
    expect(parseCronSchedule('0 0 ? * *').eitherDay).to.equal(false);
  });

  it('expands the descriptors', () => {
    expect(next('@hourly', '2026-03-04T10:20:00Z')).to.equal('2026-03-04T11:00:00.000Z');
    expect(next('@daily', '2026-03-04T10:20:00Z')).to.equal('2026-03-05T00:00:00.000Z');
    expect(next('@weekly', '2026-03-04T10:20:00Z')).to.equal('2026-03-08T00:00:00.000Z'); // a Sunday
    expect(next('@yearly', '2026-03-04T10:20:00Z')).to.equal('2027-01-01T00:00:00.000Z');
  });

  it('refuses what cron cannot read, naming the field', () => {
    const refused = (text: string) => {
      try {
        parseCronSchedule(text);
      } catch (e) {
        expect(e).to.be.instanceOf(CronScheduleError);
        return (e as Error).message;
      }
      throw new Error(`${text} was accepted`);
    };
    expect(refused('* * * *')).to.include('expected exactly 5 fields, found 4');
    expect(refused('60 * * * *')).to.equal('minute: 60 out of range [0, 59]');
    expect(refused('* * * 13 *')).to.equal('month: 13 out of range [1, 12]');
    expect(refused('* * * * 7')).to.equal('day of week: 7 out of range [0, 6]');
    expect(refused('*/0 * * * *')).to.include('step must be a positive number');
    expect(refused('5-1 * * * *')).to.include('beginning of range (5) beyond end of range (1)');
    expect(refused('x * * * *')).to.equal('minute: not a number: "x"');
    expect(refused('@fortnightly')).to.equal('unrecognized descriptor: @fortnightly');
    expect(refused('TZ=UTC * * * * *')).to.include('set spec.timeZone instead');
  });

  it('finds the next minute strictly after a time', () => {
    expect(next('* * * * *', '2026-03-04T10:20:00Z')).to.equal('2026-03-04T10:21:00.000Z');
    expect(next('* * * * *', '2026-03-04T10:20:59.999Z')).to.equal('2026-03-04T10:21:00.000Z');
    expect(next('30 2 * * *', '2026-03-04T10:20:00Z')).to.equal('2026-03-05T02:30:00.000Z');
    expect(next('0 0 29 2 *', '2026-03-04T10:20:00Z')).to.equal('2028-02-29T00:00:00.000Z');
    expect(next('0 0 30 2 *', '2026-03-04T10:20:00Z')).to.equal(undefined);
  });

  it('matches either day when both the day of month and the day of week are restricted', () => {
    // 2026-03-04 is a Wednesday: the 13th (a Friday) is not next, Sunday the 8th is.
    expect(next('0 0 13 * sun', '2026-03-04T10:00:00Z')).to.equal('2026-03-08T00:00:00.000Z');
    // Only the weekday restricted: every Friday.
    expect(next('0 0 * * fri', '2026-03-04T10:00:00Z')).to.equal('2026-03-06T00:00:00.000Z');
  });

  it('reads the wall clock of the time zone asked for, across a daylight-saving change', () => {
    expect(next('0 9 * * *', '2026-03-04T10:00:00Z', 'Europe/Berlin')).to.equal('2026-03-05T08:00:00.000Z');
    // Berlin moves to summer time on 2026-03-29: 09:00 is then 07:00 UTC.
    expect(next('0 9 * * *', '2026-03-29T00:00:00Z', 'Europe/Berlin')).to.equal('2026-03-29T07:00:00.000Z');
    // 02:30 does not exist in Berlin that night: the next one is a day later.
    expect(next('30 2 * * *', '2026-03-28T12:00:00Z', 'Europe/Berlin')).to.equal('2026-03-30T00:30:00.000Z');
    expect(() => checkTimeZone('Mars/Olympus_Mons')).to.throw(CronScheduleError, 'unknown time zone');
    expect(() => checkTimeZone('America/New_York')).to.not.throw();
  });

  it('counts missed times and finds the latest, even when there were many', () => {
    const everyMinute = parseCronSchedule('* * * * *');
    expect(
      missedScheduleTimes(everyMinute, at('2026-03-04T10:20:00Z'), at('2026-03-04T10:23:30Z')),
    ).to.deep.equal({
      latest: at('2026-03-04T10:23:00Z'),
      count: 3,
    });
    expect(
      missedScheduleTimes(everyMinute, at('2026-03-04T10:20:00Z'), at('2026-03-04T10:20:30Z')),
    ).to.deep.equal({
      count: 0,
    });
    const many = missedScheduleTimes(everyMinute, at('2020-01-01T00:00:00Z'), at('2026-03-04T10:23:30Z'));
    expect(many.count).to.be.greaterThan(100);
    expect(iso(many.latest)).to.equal('2026-03-04T10:23:00.000Z');
    const yearly = missedScheduleTimes(
      parseCronSchedule('0 0 1 1 *'),
      at('1900-01-01T00:00:00Z'),
      at('2026-03-04T10:23:30Z'),
    );
    expect(yearly.count).to.equal(101);
    expect(iso(yearly.latest)).to.equal('2026-01-01T00:00:00.000Z');
    const daily = missedScheduleTimes(
      parseCronSchedule('0 3 * * *'),
      at('2020-01-01T00:00:00Z'),
      at('2026-03-04T10:23:30Z'),
    );
    expect(iso(daily.latest)).to.equal('2026-03-04T03:00:00.000Z');
  });
});
