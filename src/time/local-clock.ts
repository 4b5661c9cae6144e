/**
 * An instant as a server's wall clock in `timeZone` shows it, `dd.mm.yyyy hh:mm:ss` and `dd.mm.yyyy`, no offset: how
 * the legacy shop writes its times. Shared by the shop's sandbox (which writes them) and its adapter (which writes
 * them back in shadow mode), so both speak the same clock.
 */
export function createLocalClock(timeZone: string): { timestamp(at: Date): string; date(at: Date): string } {
  const format = wallClockFormat(timeZone);
  const parts = (at: Date): Record<string, string> => Object.fromEntries(format.formatToParts(at).map((part) => [part.type, part.value]));
  return {
    timestamp(at) {
      const p = parts(at);
      return `${p.day}.${p.month}.${p.year} ${p.hour}:${p.minute}:${p.second}`;
    },
    date(at) {
      const p = parts(at);
      return `${p.day}.${p.month}.${p.year}`;
    },
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
