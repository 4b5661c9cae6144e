/**
 * The stretch of time a report covers: a calendar month (the monthly health report) or a calendar quarter (the
 * quarterly Source-of-Truth review), in UTC, from the first instant of its first day up to, not including, the first
 * instant of the next period.
 */
export interface ReportPeriod {
  readonly kind: 'month' | 'quarter';
  /** As the user wrote it: "2026-11" or "2026-Q4". */
  readonly label: string;
  /** In words: "November 2026", "Q4 2026, October to December". */
  readonly title: string;
  readonly from: Date;
  /** Exclusive. */
  readonly to: Date;
  /** The first instant of each day of the period, in order. */
  readonly days: readonly Date[];
}

/** Why a period argument cannot be used; the message says what to write instead. */
export class PeriodError extends Error {
  override readonly name = 'PeriodError';
}

const MONTH_NAMES = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
] as const;

const DAY_MS = 86_400_000;

/** `2026-11` → November 2026. */
export function parseMonth(text: string): ReportPeriod {
  const match = /^(\d{4})-(\d{2})$/.exec(text.trim());
  if (!match) throw new PeriodError(`--month ${text}: write a month as YYYY-MM, e.g. 2026-11`);
  const year = Number(match[1]);
  const month = Number(match[2]);
  if (month < 1 || month > 12) throw new PeriodError(`--month ${text}: there is no month ${month} (use 01 to 12)`);
  if (year < 2000) throw new PeriodError(`--month ${text}: the year must be 2000 or later`);
  return period('month', text.trim(), `${MONTH_NAMES[month - 1]} ${year}`, year, month - 1, 1);
}

/** `2026-Q4` → October to December 2026. */
export function parseQuarter(text: string): ReportPeriod {
  const match = /^(\d{4})-Q(\d)$/i.exec(text.trim());
  if (!match) throw new PeriodError(`--quarter ${text}: write a quarter as YYYY-Qn, e.g. 2026-Q4`);
  const year = Number(match[1]);
  const quarter = Number(match[2]);
  if (quarter < 1 || quarter > 4) throw new PeriodError(`--quarter ${text}: there is no quarter ${quarter} (use Q1 to Q4)`);
  if (year < 2000) throw new PeriodError(`--quarter ${text}: the year must be 2000 or later`);
  const first = (quarter - 1) * 3;
  const title = `Q${quarter} ${year}, ${MONTH_NAMES[first]} to ${MONTH_NAMES[first + 2]}`;
  return period('quarter', `${year}-Q${quarter}`, title, year, first, 3);
}

function period(kind: ReportPeriod['kind'], label: string, title: string, year: number, month: number, months: number): ReportPeriod {
  const from = new Date(Date.UTC(year, month, 1));
  const to = new Date(Date.UTC(year, month + months, 1));
  const days: Date[] = [];
  for (let at = from.getTime(); at < to.getTime(); at += DAY_MS) days.push(new Date(at));
  return { kind, label, title, from, to, days };
}

/** `2026-11-05`: how a day is named in tables and on chart axes. */
export const dayLabel = (day: Date): string => day.toISOString().slice(0, 10);
