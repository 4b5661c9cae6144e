/**
 * An instant as a server's wall clock in `timeZone` shows it, `YYYY-MM-DDTHH:MM:SS`, no offset: how the legacy shop
 * writes its site-time `date_*` fields. Used by the shop's sandbox, which writes them.
 */
export function createLocalClock(timeZone: string): (at: Date) => string {
  const format = wallClockFormat(timeZone);
  return (at) => {
    const p = Object.fromEntries(format.formatToParts(at).map((part) => [part.type, part.value]));
    return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}`;
  };
}

/** Every field of a wall-clock time in `timeZone`, two digits each, 24-hour: what writing and reading it both need. */
export function wallClockFormat(timeZone: string): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  });
}
