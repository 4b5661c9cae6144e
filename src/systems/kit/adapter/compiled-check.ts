import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import { z, type ZodType } from 'zod';
import { util } from 'zod/v4/core';

/**
 * A check of a system's answer compiled once from the adapter's zod schema: zod's own JSON Schema of it
 * (`z.toJSONSchema`, the input side), compiled by ajv into one function that walks the answer without allocating.
 * zod, even with its compiled object parsers, makes a result object per field it checks and a copy of every object:
 * on an uncached page of 100 orders, 3-4 ms of CPU for the ERP's, the CRM's, payments' and courier B's answers
 * (docs/benchmark.md, issue 19).
 *
 * It stands in front of zod, never in its place: what it accepts, zod accepts with the same meaning, so the answer is
 * used as it came (unknown fields kept, where zod would leave them out of its copy); whatever it refuses goes to zod,
 * which gives the answer or the error it always gave. So a schema gets a compiled check only when every part of it
 * means the same in JSON Schema: no transform, refinement, preprocessing or default (zod would change or judge the
 * value in ways JSON Schema cannot say), no regular expression with flags, no format other than a pattern. Anything
 * else answers `undefined`: zod alone, as before.
 */
export function compiledCheckOf(schema: ZodType): ValidateFunction | undefined {
  let check = compiled.get(schema);
  if (check === undefined) {
    check = representable(schema) ? compile(schema) : null;
    compiled.set(schema, check);
  }
  return check ?? undefined;
}

const compiled = new WeakMap<ZodType, ValidateFunction | null>();

const ajv = new Ajv2020({
  // zod tests a pattern as a JavaScript RegExp without flags; ajv's default adds the `u` flag, under which `.` and
  // classes read astral characters otherwise.
  unicodeRegExp: false,
  strict: false,
  allErrors: false,
  // The check only says yes or no: zod tells what is wrong.
  messages: false,
});
ajv.addKeyword({
  keyword: 'x-plugboard-date',
  // z.date(): a Date whose time is a number (an invalid Date is refused).
  validate: (_enabled: boolean, value: unknown) => value instanceof Date && !Number.isNaN(value.getTime()),
  errors: false,
});
ajv.addKeyword({
  keyword: 'x-plugboard-plain-object',
  // z.record(): a plain object, by zod's own test (JSON Schema's "object" is also a Date or any class's instance).
  validate: (_enabled: boolean, value: unknown) => util.isPlainObject(value),
  errors: false,
});

function compile(schema: ZodType): ValidateFunction | null {
  try {
    const json = z.toJSONSchema(schema, {
      io: 'input',
      override: ({ zodSchema, jsonSchema }) => {
        const def = defOf(zodSchema as unknown as ZodType);
        const json = jsonSchema as Record<string, unknown>;
        if (def.type === 'date') json['x-plugboard-date'] = true;
        if (def.type === 'record') json['x-plugboard-plain-object'] = true;
        // An ISO date or time is, to zod, its pattern and nothing else: the pattern, not JSON Schema's own format.
        if (def.type === 'string' && def.format !== undefined) {
          delete json['format'];
          json['pattern'] = (def.pattern as RegExp).source;
        }
      },
      unrepresentable: 'any',
    });
    return ajv.compile(json);
  } catch {
    return null;
  }
}

interface Def {
  readonly type: string;
  readonly checks?: readonly { readonly _zod: { readonly def: CheckDef } }[];
  readonly [key: string]: unknown;
}
interface CheckDef {
  readonly check: string;
  readonly format?: string;
  readonly pattern?: RegExp;
}

const defOf = (schema: ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/**
 * Checks JSON Schema says the same of: shortest lengths (ajv and zod both count a string in code points), bounds, whole
 * numbers, a pattern without flags. A longest length is left out: no adapter's read schema has one, so none is held to
 * the same test here.
 */
function sameInJsonSchema(check: CheckDef): boolean {
  switch (check.check) {
    case 'min_length':
    case 'greater_than':
    case 'less_than':
      return true;
    case 'number_format':
      return check.format === 'safeint';
    case 'string_format':
      return check.format === 'regex' && check.pattern instanceof RegExp && check.pattern.flags === '';
    default:
      return false;
  }
}

/** String formats zod checks by their pattern alone (`z.iso.datetime()`…), written into the JSON Schema as that pattern. */
const PATTERN_FORMATS: ReadonlySet<unknown> = new Set(['datetime', 'date', 'time']);

/** Whether every part of the schema means in JSON Schema what it means to zod (the parts our adapters use). */
function representable(schema: ZodType): boolean {
  const def = defOf(schema);
  if (def.checks?.some((check) => !sameInJsonSchema(check._zod.def))) return false;
  // z.coerce.*: zod converts the value before it checks it.
  if (def['coerce'] === true) return false;
  switch (def.type) {
    case 'string':
      return def['format'] === undefined || (PATTERN_FORMATS.has(def['format']) && def['pattern'] instanceof RegExp && def['pattern'].flags === '');
    case 'number':
      return def['format'] === undefined || def['format'] === 'safeint';
    case 'boolean':
    case 'null':
    case 'literal':
    case 'enum':
    case 'date':
    case 'unknown':
    case 'any':
      return true;
    case 'optional':
    case 'nullable':
      return representable(def['innerType'] as ZodType);
    case 'array':
      return representable(def['element'] as ZodType);
    case 'union':
      return (def['options'] as ZodType[]).every(representable);
    case 'record':
      return defOf(def['keyType'] as ZodType).type === 'string' && !defOf(def['keyType'] as ZodType).checks?.length && representable(def['valueType'] as ZodType);
    case 'object': {
      const catchall = def['catchall'] as ZodType | undefined;
      if (catchall && !['unknown', 'any', 'never'].includes(defOf(catchall).type)) return false;
      return Object.values(def['shape'] as Record<string, ZodType>).every(representable);
    }
    default:
      return false;
  }
}
