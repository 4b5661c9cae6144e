/**
 * Business days: reconciliation compares what changed on one calendar day, and the cutover gate counts days, in one
 * time zone (the legacy shop's server clock, whose timestamps carry no offset). Days are `yyyy-mm-dd` strings.
 */

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether `text` is a real calendar day written `yyyy-mm-dd`. */
export function isDay(text: string): boolean {
  const match = DAY.exec(text);
  if (!match) return false;
  const [year, month, day] = match.slice(1).map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** The day `delta` days after (or before, when negative) `day`. */
export function shiftDay(day: string, delta: number): string {
  const match = DAY.exec(day);
  if (!match) throw new RangeError(`"${day}" is not a yyyy-mm-dd day`);
  const [year, month, date] = match.slice(1).map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, date + delta)).toISOString().slice(0, 10);
}

/** The calendar day an instant falls on in a time zone. */
export function dayIn(timeZone: string, at: Date): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
      .formatToParts(at)
      .map((part) => [part.type, part.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}`;
}

/** Checks a time zone name at start, so that a typo stops the start instead of every reconciliation. */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
