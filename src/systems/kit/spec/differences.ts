import type { ErrorObject } from 'ajv';

/** Which part of an exchange a difference is in. */
export type SpecPart = 'operation' | 'path' | 'query' | 'header' | 'body' | 'answer' | 'value';

/**
 * One way a request or an answer differs from the vendor's description: where (the part, and the path inside it),
 * what the description says, and what was seen.
 */
export interface SpecDifference {
  readonly part: SpecPart;
  /**
   * Where inside the part, as segments: for a body or an answer the JSON path (`['data', '0', 'amount']`), for a
   * parameter its name first. A missing or an unknown property ends with that property's name.
   */
  readonly path: readonly string[];
  /** The JSON Schema keyword broken: `type`, `required`, `enum`, `format`, `additionalProperties`, ...; `operation` when the description has no such operation or answer. */
  readonly rule: string;
  /** What the description says, in a few words: `integer`, `one of DRAFT, AUTHORISED`, `present`, `not there`. */
  readonly expected: string;
  /** What was seen, as short JSON; `nothing` for a missing value. */
  readonly seen: string;
  /** The values the description allows, for an `enum` difference. */
  readonly allowed?: readonly unknown[];
  /** One line for people, naming the field: `answer 200/data/0/amount must be integer`. */
  readonly message: string;
}

/** The few words a difference is shown in where a person reads it: its message and what was seen. */
export function describeDifference(difference: SpecDifference): string {
  return difference.seen === 'nothing' || difference.rule === 'operation' ? difference.message : `${difference.message} (saw ${difference.seen})`;
}

/** Thrown by a strict check: the differences, each named by its field. */
export class SpecDifferenceError extends Error {
  constructor(
    readonly vendor: string,
    readonly differences: readonly SpecDifference[],
  ) {
    super(`outside ${vendor}'s description: ${differences.map(describeDifference).join('; ')}`);
    this.name = 'SpecDifferenceError';
  }
}

/** Where a validated value sits, for messages: `answer 200`, `request body`, or a parameter (`the query parameter page`). */
export type Place = { readonly part: 'answer' | 'body' | 'value'; readonly label: string } | { readonly part: 'path' | 'query' | 'header' };

const MAX_SEEN = 80;
/** An enum of hundreds of values (currencies, countries) is named by its first few. */
const MAX_LISTED = 12;

/** A value as short JSON. */
export function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > MAX_SEEN ? `${text.slice(0, MAX_SEEN - 1)}…` : text;
}

const segmentsOf = (pointer: string): string[] => pointer.split('/').slice(1).map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));

const at = (value: unknown, segments: readonly string[]): unknown =>
  segments.reduce<unknown>((inner, segment) => (inner !== null && typeof inner === 'object' ? (inner as Record<string, unknown>)[segment] : undefined), value);

/**
 * ajv's errors as differences, without the noise a translated description makes: a nullable field of the wrong type
 * fails its `type` (or a field inside it) and its null alternative and their `anyOf`; only the precise one is kept. A
 * null alternative's or an `anyOf`/`oneOf` failure is kept only when nothing more precise was found at or under it.
 */
export function differencesOf(errors: readonly ErrorObject[], value: unknown, place: Place, limit: number): SpecDifference[] {
  const precise = errors.filter((error) => !isNullBranch(error) && !isUnion(error));
  const explained = (error: ErrorObject): boolean =>
    precise.some((other) => other.instancePath === error.instancePath || other.instancePath.startsWith(`${error.instancePath}/`));
  const kept = errors.filter((error) => !(isNullBranch(error) || isUnion(error)) || !explained(error));
  return kept.slice(0, limit).map((error) => differenceOf(error, value, place));
}

const isNullBranch = (error: ErrorObject): boolean => error.keyword === 'type' && error.params['type'] === 'null';
const isUnion = (error: ErrorObject): boolean => error.keyword === 'anyOf' || error.keyword === 'oneOf';

function differenceOf(error: ErrorObject, value: unknown, place: Place): SpecDifference {
  const segments = segmentsOf(error.instancePath);
  const seenValue = at(value, segments);
  const base = { part: place.part, rule: error.keyword };
  const message = (text: string): string => {
    if (place.part === 'answer' || place.part === 'body' || place.part === 'value') return `${place.label}${error.instancePath} ${text}`;
    const [name, ...rest] = segments;
    return `the ${place.part} parameter ${name}${rest.map((segment) => `/${segment}`).join('')} ${text}`;
  };
  switch (error.keyword) {
    case 'required': {
      const missing = String(error.params['missingProperty']);
      const path = [...segments, missing];
      if (place.part !== 'answer' && place.part !== 'body' && place.part !== 'value' && segments.length === 0) {
        return { ...base, path, expected: 'present', seen: 'nothing', message: `the ${place.part} parameter ${missing} is required` };
      }
      return { ...base, path, expected: 'present', seen: 'nothing', message: message(error.message ?? `must have required property '${missing}'`) };
    }
    case 'additionalProperties':
    case 'unevaluatedProperties': {
      const extra = String(error.params['additionalProperty'] ?? error.params['unevaluatedProperty']);
      const path = [...segments, extra];
      const seen = shown(at(seenValue, [extra]));
      if (place.part !== 'answer' && place.part !== 'body' && place.part !== 'value' && segments.length === 0) {
        return { ...base, path, expected: 'not there', seen, message: `the ${place.part} parameter ${extra} is not in the description` };
      }
      return { ...base, path, expected: 'not there', seen, message: message(`must NOT have the property '${extra}' (not in the description)`) };
    }
    case 'type':
      return { ...base, path: segments, expected: String(error.params['type']), seen: shown(seenValue), message: message(error.message ?? 'is of the wrong type') };
    case 'enum': {
      const allowed = error.params['allowedValues'] as unknown[];
      const listed = allowed.slice(0, MAX_LISTED).map((item) => String(item)).join(', ');
      const expected = `one of ${listed}${allowed.length > MAX_LISTED ? ` … (${allowed.length} values)` : ''}`;
      return { ...base, path: segments, expected, seen: shown(seenValue), allowed, message: message(error.message ?? 'is not allowed') };
    }
    case 'format':
      return { ...base, path: segments, expected: `format ${String(error.params['format'])}`, seen: shown(seenValue), message: message(error.message ?? 'has the wrong format') };
    default:
      return { ...base, path: segments, expected: error.message ?? error.keyword, seen: shown(seenValue), message: message(error.message ?? 'is invalid') };
  }
}
