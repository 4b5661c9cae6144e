import { shiftDay } from './business-day';

/** One day's reconciliation result of one entity, as the gate reads it. */
export interface DayResult {
  readonly day: string;
  readonly clean: boolean;
}

/**
 * Consecutive clean reconciliation days up to today. The run must be current: it ends today or yesterday (today's
 * reconciliation usually runs tomorrow), else it counts 0. A day with a mismatch, or a day nobody reconciled, ends it:
 * an unreconciled day is not a proven clean one. Days after today are ignored.
 */
export function cleanStreak(results: readonly DayResult[], today: string): number {
  const byDay = new Map(results.filter((result) => result.day <= today).map((result) => [result.day, result.clean]));
  let day = byDay.has(today) ? today : shiftDay(today, -1);
  let streak = 0;
  while (byDay.get(day) === true) {
    streak += 1;
    day = shiftDay(day, -1);
  }
  return streak;
}

/** Why the gate refuses, in words an operator acts on. */
export function refusalMessage(entity: string, cleanDays: number, requiredCleanDays: number): string {
  const missing = requiredCleanDays - cleanDays;
  return (
    `${entity} has ${cleanDays} consecutive clean reconciliation day${cleanDays === 1 ? '' : 's'}; the cutover needs ` +
    `${requiredCleanDays}. Keep shadow mode on and reconcile daily (npm run reconcile -- --date yyyy-mm-dd): ` +
    `${missing} more clean day${missing === 1 ? '' : 's'}.`
  );
}
