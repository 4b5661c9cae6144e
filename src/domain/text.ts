/**
 * What a piece of text a client or a system sends must be before we keep it or pass it on: the rules every edge screens
 * with (the subgraphs' arguments, token subjects, webhook fields), in one place, so that SQLite and PostgreSQL never
 * meet text one of them cannot store (PostgreSQL refuses NUL; a lone surrogate half is no character at all).
 */

/** C0 controls (NUL, CR, LF, TAB...), DEL and the C1 controls. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** A surrogate half without its partner: not Unicode, and no database stores it as sent. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export interface TextRules {
  /** Longest accepted, in UTF-16 code units (what `String.length` counts). */
  readonly max: number;
  /** Whether the empty string (or only spaces) is a value here. @default false */
  readonly allowEmpty?: boolean;
}

/**
 * Why `value` is not acceptable text under `rules`, or null when it is: no control characters, only whole Unicode
 * characters, not empty (unless allowed), not longer than `max`.
 */
export function textProblem(value: string, rules: TextRules): string | null {
  if (CONTROL.test(value)) return 'must not hold control characters (NUL, CR, LF, tab and the like)';
  if (LONE_SURROGATE.test(value)) return 'must be well-formed Unicode (it holds half of a surrogate pair)';
  if (!rules.allowEmpty && value.trim() === '') return 'must not be empty';
  if (value.length > rules.max) return `must be at most ${rules.max} characters`;
  return null;
}

/** Whether `value` is acceptable text under `rules` (see {@link textProblem}). */
export const isCleanText = (value: string, rules: TextRules): boolean => textProblem(value, rules) === null;

/**
 * A phone number as we keep it: E.164-ish, a `+`, the country code and the number, 8 to 15 digits in all, spaces or
 * single dashes between digit groups allowed ("+44 20 7946 0958", "+1-202-555-0143").
 */
const PHONE = /^\+[1-9](?:[ -]?[0-9]){6,14}$/;

/** Why `value` is not a phone number we keep, or null when it is. */
export function phoneProblem(value: string): string | null {
  const text = textProblem(value, { max: 32 });
  if (text) return text;
  return PHONE.test(value) ? null : 'must be an international number: + then the country code and the number (8 to 15 digits; spaces or dashes between groups)';
}
