import { readFileSync } from 'node:fs';
import Ajv, { type ValidateFunction } from 'ajv';
import Ajv2019 from 'ajv/dist/2019';
import addFormats from 'ajv-formats';
import { differencesOf, SpecDifferenceError, type Place, type SpecDifference } from './differences';
import { indexOperations, pointerTo, type DeclaredParameter, type FoundOperation } from './operations';
import { escapePointer, toJsonSchema, type Direction, type Json } from './translate';

/** A request as sent or received: its method, its path (concrete, below the server; the server's base path is dropped), and what it carries. */
export interface SpecRequest {
  readonly method: string;
  /** The path, e.g. `/v1/payment_intents/pi_123` (a query string after it is ignored). */
  readonly path: string;
  /** Decoded query parameters: a value, a list of them, or (a form's `metadata[k]=v`) a nested object. @default {} */
  readonly query?: Readonly<Record<string, unknown>>;
  /** Headers, any case; when left out, header parameters are not checked. */
  readonly headers?: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The decoded body (JSON, or a form decoded to an object). */
  readonly body?: unknown;
  /** The body's media type. @default the one the operation describes first */
  readonly contentType?: string;
}

export interface SpecCheckOptions {
  /** The vendor's name, for messages ("… is not in <vendor>'s description"). */
  readonly vendor: string;
  /**
   * Refuse query parameters the operation does not declare (as a vendor that refuses them does: the payment gateway's `parameter_unknown`).
   * @default false
   */
  readonly closedQuery?: boolean;
  /** At most this many differences per check. @default 20 */
  readonly maxDifferences?: number;
  /** Extra formats the description uses, by name (`unix-time`, `decimal`): true accepts any value. @default none */
  readonly formats?: Readonly<Record<string, true | ((text: string) => boolean)>>;
}

/**
 * A vendor's OpenAPI 3.0 description, compiled once (ajv) into checks of the requests and answers that pass between
 * an adapter and the vendor (or its sandbox). Each check returns the differences, empty when the exchange is what the
 * description says; the {@link SpecCheck.strict} view throws them instead.
 *
 * Schemas compile on first use, once per operation and direction, and are kept: a check after that is one ajv call.
 * `warm()` compiles everything up front (the payment gateway's description takes seconds; better at a sandbox's start than in a
 * first request's timeout).
 */
export interface SpecCheck {
  readonly vendor: string;
  /** What is wrong with a request: the operation unknown, a path, query or header parameter, or the body. */
  checkRequest(request: SpecRequest): SpecDifference[];
  /**
   * What is wrong with an answer. A status the operation does not describe is a difference when it is a success
   * (2xx); an error status the description leaves out (401, 429, 503 …, documented elsewhere by vendors) is not checked,
   * nor the body of a 204.
   */
  checkAnswer(method: string, path: string, status: number, body: unknown): SpecDifference[];
  /** What is wrong with a value against one of the description's schemas, by JSON Pointer (`/components/schemas/event`). */
  checkValue(pointer: string, value: unknown, label?: string, direction?: Direction): SpecDifference[];
  /** The operation a request names, as the description writes it, or undefined. */
  operationOf(method: string, path: string): { readonly template: string; readonly operationId?: string } | undefined;
  /** Compiles every check now. */
  warm(): void;
  /** The same checks, throwing a {@link SpecDifferenceError} instead of returning differences (for tests). */
  strict(): StrictSpecCheck;
}

export interface StrictSpecCheck {
  assertRequest(request: SpecRequest): void;
  assertAnswer(method: string, path: string, status: number, body: unknown): void;
  assertValue(pointer: string, value: unknown, label?: string): void;
}

/** Compiles a description (a parsed OpenAPI 3.0 document). */
export function compileSpec(document: Json, options: SpecCheckOptions): SpecCheck {
  return createSpecCheck(document, options);
}

const loaded = new Map<string, SpecCheck>();
/** Reads and compiles a description file once per process (later calls with the same file and options get the same checks). */
export function loadSpec(file: string, options: SpecCheckOptions): SpecCheck {
  const key = `${file}\n${JSON.stringify(options)}`;
  let found = loaded.get(key);
  if (!found) loaded.set(key, (found = compileSpec(JSON.parse(readFileSync(file, 'utf8')) as Json, options)));
  return found;
}

function createSpecCheck(document: Json, options: SpecCheckOptions): SpecCheck {
  const { vendor } = options;
  const limit = options.maxDifferences ?? 20;
  const operations = indexOperations(document);
  const schemas = createSchemaCompiler(document, options);
  const notFound = (message: string): SpecDifference => ({ part: 'operation', path: [], rule: 'operation', expected: 'in the description', seen: 'not there', message });

  const checkParameters = (found: FoundOperation, request: SpecRequest): SpecDifference[] => {
    const differences: SpecDifference[] = [];
    const headers = request.headers === undefined ? undefined : lowerCased(request.headers);
    const sources: Record<'path' | 'query' | 'header', Readonly<Record<string, unknown>> | undefined> = {
      path: found.pathValues,
      query: request.query ?? {},
      header: headers,
    };
    for (const part of ['path', 'query', 'header'] as const) {
      const source = sources[part];
      if (source === undefined) continue;
      const declared = found.parameters.filter((parameter) => parameter.in === part);
      const named = (parameter: DeclaredParameter) => (part === 'header' ? parameter.name.toLowerCase() : parameter.name);
      const values: Record<string, unknown> = {};
      for (const parameter of declared) {
        const value = source[named(parameter)];
        if (value !== undefined) values[named(parameter)] = asDeclared(structuredClone(value), parameter);
      }
      if (part === 'query' && options.closedQuery) {
        for (const [name, value] of Object.entries(source)) if (!(name in values) && value !== undefined) values[name] = structuredClone(value);
      }
      const validate = schemas.parameters(found, part, declared, named, part === 'query' && options.closedQuery === true);
      // Coercion rewrites what it checks ("50" becomes 50): it works on the copies made above.
      if (!validate(values)) differences.push(...differencesOf(validate.errors ?? [], values, { part }, limit));
    }
    return differences;
  };

  const check: SpecCheck = {
    vendor,
    checkRequest(request) {
      const found = operations.find(request.method, request.path);
      if (!found) return [notFound(`${request.method.toUpperCase()} ${request.path} is not in ${vendor}'s description`)];
      const differences = checkParameters(found, request);
      const body = found.operation['requestBody'] as Json | undefined;
      const content = (body?.['content'] ?? {}) as Record<string, Json>;
      const mediaTypes = Object.keys(content);
      const mediaType = mediaTypeOf(request.contentType, mediaTypes);
      if (request.body !== undefined && mediaType && content[mediaType]?.['schema']) {
        const form = mediaType === 'application/x-www-form-urlencoded';
        const validate = schemas.at(`${found.pointer}/requestBody/content/${escapePointer(mediaType)}/schema`, 'request', form);
        const value = form ? structuredClone(request.body) : request.body;
        if (!validate(value)) differences.push(...differencesOf(validate.errors ?? [], value, { part: 'body', label: 'request body' }, limit));
      } else if (request.body === undefined && body?.['required'] === true) {
        differences.push({ part: 'body', path: [], rule: 'required', expected: 'present', seen: 'nothing', message: 'request body is required' });
      }
      return differences.slice(0, limit);
    },
    checkAnswer(method, path, status, body) {
      const found = operations.find(method, path);
      if (!found) return [notFound(`${method.toUpperCase()} ${path} is not in ${vendor}'s description`)];
      const responses = (found.operation['responses'] ?? {}) as Record<string, Json>;
      const key = responses[String(status)] ? String(status) : responses[`${String(status)[0]}XX`] ? `${String(status)[0]}XX` : responses['default'] ? 'default' : undefined;
      const success = status >= 200 && status < 300;
      if (key === undefined) return success ? [notFound(`${method.toUpperCase()} ${path}: ${vendor}'s description has no ${status} answer`)] : [];
      if (status === 204) return [];
      let pointer = `${found.pointer}/responses/${key}`;
      const ref = responses[key]!['$ref'];
      if (typeof ref === 'string') pointer = ref.slice(1);
      const response = pointerTo(document, pointer) as Json | undefined;
      const content = (response?.['content'] ?? {}) as Record<string, Json>;
      const mediaType = mediaTypeOf('application/json', Object.keys(content));
      // An answer described without a body (a 202, a 204) has nothing to check.
      if (!mediaType || !content[mediaType]?.['schema']) return [];
      return check.checkValue(`${pointer}/content/${escapePointer(mediaType)}/schema`, body, `answer ${status}`);
    },
    checkValue(pointer, value, label = 'value', direction = 'answer') {
      const validate = schemas.at(pointer, direction, false);
      if (validate(value)) return [];
      return differencesOf(validate.errors ?? [], value, { part: label.startsWith('answer') ? 'answer' : 'value', label } satisfies Place, limit);
    },
    operationOf(method, path) {
      const found = operations.find(method, path);
      if (!found) return undefined;
      const operationId = found.operation['operationId'];
      return { template: found.template, ...(typeof operationId === 'string' ? { operationId } : {}) };
    },
    warm() {
      for (const { method, template } of operations.all()) {
        check.checkRequest({ method, path: template, query: {}, headers: {}, body: {} });
        const responses = (operations.find(method, template)?.operation['responses'] ?? {}) as Record<string, unknown>;
        for (const status of Object.keys(responses)) {
          // `default` is what an error status with no answer of its own gets; `4XX` stands for its 400.
          const code = status === 'default' ? 599 : /^\dXX$/.test(status) ? Number(status[0]) * 100 : Number(status);
          check.checkAnswer(method, template, code, {});
        }
      }
    },
    strict() {
      const fail = (differences: SpecDifference[]): void => {
        if (differences.length > 0) throw new SpecDifferenceError(vendor, differences);
      };
      return {
        assertRequest: (request) => fail(check.checkRequest(request)),
        assertAnswer: (method, path, status, body) => fail(check.checkAnswer(method, path, status, body)),
        assertValue: (pointer, value, label) => fail(check.checkValue(pointer, value, label)),
      };
    },
  };
  return check;
}

/** ajv instances for the description, one per direction and coercion, made on first use; validators kept by key. */
function createSchemaCompiler(document: Json, options: SpecCheckOptions) {
  const translated = { request: toJsonSchema(document, 'request'), answer: toJsonSchema(document, 'answer') };
  // JSON Schema 2019-09 only where the translation needs its unevaluatedProperties (courier B's closed allOf): the
  // draft-07 compiler is the quicker of the two on a description as large as the payment gateway's.
  const draft2019 = JSON.stringify(translated.request).includes('"unevaluatedProperties"');
  const instances = new Map<string, { ajv: Ajv; id: string }>();
  const compiled = new Map<string, ValidateFunction>();
  const instance = (direction: Direction, coerce: boolean) => {
    const key = `${direction}${coerce ? '-coerced' : ''}`;
    let found = instances.get(key);
    if (!found) {
      // strict: false, as an OpenAPI schema carries keywords JSON Schema does not know (example, discriminator,
      // x-…). Loops for long enums and required lists, and no code optimisation pass: the payment gateway's objects
      // reach some 500 schemas (MCC and country enums of hundreds of values), and these cut their compile time by about
      // a third.
      // Form and query values arrive as strings: "50" is read as the integer 50 and "true" as true, as vendors do.
      const settings = { strict: false, allErrors: true, coerceTypes: coerce, loopEnum: 8, loopRequired: 8, code: { optimize: false } };
      const ajv = draft2019 ? new Ajv2019(settings) : new Ajv(settings);
      addFormats(ajv);
      for (const name of ['double', 'float', 'int32', 'int64']) ajv.addFormat(name, true);
      // ajv-formats' `url` refuses hosts without a dot (http://127.0.0.1:4105 is one): any URL WHATWG parses is a URL.
      ajv.addFormat('url', (text: string) => URL.canParse(text));
      for (const [name, format] of Object.entries(options.formats ?? {})) ajv.addFormat(name, format);
      const id = `${options.vendor.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${key}`;
      ajv.addSchema({ ...translated[direction], $id: id });
      instances.set(key, (found = { ajv, id }));
    }
    return found;
  };
  const once = (key: string, make: () => ValidateFunction): ValidateFunction => {
    let found = compiled.get(key);
    if (!found) compiled.set(key, (found = make()));
    return found;
  };
  return {
    /** The validator of the schema at a pointer in the description. */
    at(pointer: string, direction: Direction, coerce: boolean): ValidateFunction {
      return once(`${direction} ${coerce} ${pointer}`, () => {
        const { ajv, id } = instance(direction, coerce);
        return ajv.compile({ $ref: `${id}#${pointer}` });
      });
    },
    /** The validator of one part's parameters as one object: `{ page: <its schema>, … }`, with the required ones. */
    parameters(found: FoundOperation, part: string, declared: readonly DeclaredParameter[], named: (parameter: DeclaredParameter) => string, closed: boolean): ValidateFunction {
      return once(`${part} ${found.method} ${found.template}`, () => {
        const { ajv, id } = instance('request', true);
        return ajv.compile({
          type: 'object',
          properties: Object.fromEntries(declared.map((parameter) => [named(parameter), { $ref: `${id}#${parameter.schemaPointer}` }])),
          required: declared.filter((parameter) => parameter.required).map(named),
          ...(closed ? { additionalProperties: false } : {}),
        });
      });
    },
  };
}

/** A parameter's raw value as its schema expects it: an array parameter's one value becomes a list (split at commas when `explode: false`). */
function asDeclared(value: unknown, parameter: DeclaredParameter): unknown {
  if (parameter.type !== 'array') return Array.isArray(value) && value.length === 1 ? value[0] : value;
  if (typeof value !== 'string') return value;
  return parameter.commaSeparated ? value.split(',') : [value];
}

function lowerCased(headers: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = Array.isArray(value) ? value[0] : value;
  return out;
}

/** The media type of the description that a content type names (parameters and case ignored), else its first JSON one. */
function mediaTypeOf(contentType: string | undefined, described: readonly string[]): string | undefined {
  const bare = contentType?.split(';')[0]?.trim().toLowerCase();
  if (bare && described.includes(bare)) return bare;
  return described.find((type) => /json/.test(type)) ?? described[0];
}
