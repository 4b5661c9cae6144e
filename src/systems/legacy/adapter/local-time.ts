import { wallClockFormat } from '../../../time/local-clock';

/**
 * WooCommerce writes its `date_*` fields in the site's wall-clock time (`YYYY-MM-DDTHH:MM:SS`, no offset; the
 * `date_*_gmt` twins are UTC, and are what the adapter reads). The adapter still needs site time for one thing: a
 * business day's bounds, as the shop filters by them. Reading a site time needs the zone, and has two awkward hours a year: when clocks go back, one wall-clock hour happens twice
 * (we take the earlier instant: the text cannot say which was meant); when clocks go forward, one never happens
 * (we read it with the offset from before the change, as a server clock that had not caught up would have written it).
 */
export function createLocalTimeReader(timeZone: string): (text: string) => Date {
  const format = wallClockFormat(timeZone);
  /** How far the zone's wall clock is ahead of UTC at an instant, in ms. */
  const offsetAt = (instant: number): number => {
    const parts = Object.fromEntries(format.formatToParts(new Date(instant)).map((part) => [part.type, Number(part.value)]));
    const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
    return wall - Math.floor(instant / 1000) * 1000;
  };
  const HALF_DAY = 12 * 3_600_000;

  // Asking Intl for an offset is slow (a reconciliation reads a million timestamps), and offsets change rarely: the
  // offset is remembered per quarter hour, but only for quarter hours whose first and last second have the same offset
  // (time zones change on a quarter hour at the finest, and never twice in one), so the shortcut never changes an answer.
  const QUARTER_HOUR = 900_000;
  const quarters = new Map<number, number>();
  const offsetOf = (instant: number): number => {
    const quarter = Math.floor(instant / QUARTER_HOUR);
    const known = quarters.get(quarter);
    if (known !== undefined) return known;
    const first = offsetAt(quarter * QUARTER_HOUR);
    if (first !== offsetAt(quarter * QUARTER_HOUR + QUARTER_HOUR - 1_000)) return offsetAt(instant);
    if (quarters.size >= 10_000) quarters.clear();
    quarters.set(quarter, first);
    return first;
  };

  return (text) => {
    const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(text);
    if (!match) throw new RangeError(`"${text}" is not a YYYY-MM-DDTHH:MM:SS time`);
    const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number];
    const wall = Date.UTC(year, month - 1, day, hour, minute, second);
    const check = new Date(wall);
    if (check.getUTCDate() !== day || check.getUTCMonth() !== month - 1 || hour > 23 || minute > 59 || second > 59) {
      throw new RangeError(`"${text}" is not a date on the calendar`);
    }
    // A zone changes its offset at most once within a day: the offsets half a day either side are the only candidates.
    const before = offsetOf(wall - HALF_DAY);
    const after = offsetOf(wall + HALF_DAY);
    const valid = [...new Set([before, after])]
      .map((offset) => wall - offset)
      .filter((instant) => wall - offsetOf(instant) === instant);
    return new Date(valid.length > 0 ? Math.min(...valid) : wall - before);
  };
}
