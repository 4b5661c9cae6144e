/** What a vendor's rate-limit headers announce on one answer. */
export interface AnnouncedRateLimit {
  /** Calls allowed per window, when the vendor says it (some vendors only say what remains). */
  readonly requests?: number;
  /** The window, in seconds. */
  readonly perSeconds: number;
  /** Calls left in the current window, when the vendor says it. */
  readonly remaining?: number;
}

/** The headers of one answer, as the adapter kit's HTTP client hands them over (lower-case names). */
export type AnswerHeaders = Readonly<Record<string, string | string[] | undefined>>;

/** Reads what a vendor announces of its rate limit; undefined when the answer says nothing of it. */
export type RateLimitHeaderReader = (headers: AnswerHeaders) => AnnouncedRateLimit | undefined;

/** A header's value as a whole number ≥ 0, or undefined when it is absent or not one. */
export function headerCount(headers: AnswerHeaders, name: string): number | undefined {
  const raw = headers[name];
  const text = Array.isArray(raw) ? raw[0] : raw;
  if (text === undefined || !/^\s*\d+\s*$/.test(text)) return undefined;
  return Number(text);
}
