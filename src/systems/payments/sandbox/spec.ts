import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { PROJECT_ROOT } from '../../../project-root';

/**
 * Stripe's own description of its API (trimmed to what Plugboard uses: see the file's `x-plugboard-trimmed`), compiled
 * into validators: the sandbox checks every request it receives (form or query parameters, decoded with `qs` as Stripe
 * decodes them), every answer it sends and every webhook event it raises against it, so that the sandbox and the
 * adapter can never agree with each other and not with Stripe. Internal to the sandbox.
 */
export const STRIPE_SPEC_FILE = path.join(PROJECT_ROOT, 'src/systems/payments/stripe.trimmed.json');

type Schema = Record<string, unknown>;

interface Parameter {
  readonly name: string;
  readonly in: 'query' | 'path' | 'header';
  readonly required?: boolean;
  readonly schema: Schema;
}

interface Operation {
  readonly parameters?: readonly Parameter[];
  readonly requestBody?: { readonly content: Record<string, { readonly schema: Schema }> };
  readonly responses: Record<string, { readonly content?: Record<string, { readonly schema: Schema }> }>;
}

interface Spec {
  readonly paths: Record<string, Record<string, Operation>>;
  readonly components: { readonly schemas: Record<string, Schema> };
}

/** One refusal, in the terms Stripe's own refusals use (the parameter and what is wrong with it). */
export interface SpecProblem {
  readonly message: string;
  /** The top-level parameter at fault, when one is. */
  readonly param?: string;
  /** Stripe's error code for it: parameter_unknown, parameter_missing, parameter_invalid_integer ... */
  readonly code: string;
}

export interface StripeSpec {
  /**
   * What is wrong with a request, empty when Stripe's description allows it. `route` is the path template as Stripe
   * writes it (`/v1/payment_intents/{intent}`); `params` the decoded query (GET) or form body (POST).
   */
  checkRequest(method: string, route: string, params: Record<string, unknown>): SpecProblem[];
  /** What is wrong with an answer the sandbox is about to send; empty when it is what the description promises. */
  checkAnswer(method: string, route: string, status: number, body: unknown): string[];
  /** What is wrong with a webhook event the sandbox is about to send (the description's `event` schema). */
  checkEvent(event: unknown): string[];
  /**
   * Compiles every check now. Stripe's objects reach some 500 schemas, a few seconds' work: done at the sandbox's
   * start, it never lands on a first request (and its caller's timeout). Once per process.
   */
  warm(): void;
}

const SPEC_ID = 'stripe';

let loaded: StripeSpec | undefined;
/** Loads and compiles the trimmed description once per process. */
export function loadStripeSpec(): StripeSpec {
  loaded ??= compile(withNullsAllowed(JSON.parse(readFileSync(STRIPE_SPEC_FILE, 'utf8')) as Spec));
  return loaded;
}

/** A fastify route (`/v1/payment_intents/:intent`) as the description names it (`/v1/payment_intents/{intent}`). */
export function specRoute(fastifyRoute: string): string {
  return fastifyRoute.replace(/:(\w+)/g, '{$1}');
}

function compile(spec: Spec): StripeSpec {
  // strict: false, as an OpenAPI 3.0 schema carries keywords JSON Schema does not know (x-expandableFields ...).
  // Loops for long enums and required lists, and no code optimisation pass: Stripe's objects reach ~500 schemas (MCC
  // and country enums of hundreds of values), and these cut their compile time by about a third (~4 s to ~2.7 s here).
  const answers = new Ajv({ strict: false, allErrors: true, loopEnum: 8, loopRequired: 8, code: { optimize: false }, formats: { 'unix-time': true, decimal: true } });
  // Form and query values arrive as strings: Stripe reads "50" as the integer 50 and "true" as true, so does this.
  const requests = new Ajv({ strict: false, allErrors: false, coerceTypes: true, loopEnum: 8, loopRequired: 8, code: { optimize: false }, formats: { 'unix-time': true, decimal: true } });
  answers.addSchema({ ...spec, $id: SPEC_ID });
  requests.addSchema({ ...spec, $id: SPEC_ID });
  const compiled = new Map<string, ValidateFunction>();
  const once = (key: string, make: () => ValidateFunction): ValidateFunction => {
    let found = compiled.get(key);
    if (!found) compiled.set(key, (found = make()));
    return found;
  };
  const operationOf = (method: string, route: string): Operation | undefined => spec.paths[route]?.[method.toLowerCase()];
  const refTo = (pointer: string) => ({ $ref: `${SPEC_ID}#${pointer}` });
  const escape = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');

  const checks: StripeSpec = {
    checkRequest(method, route, params) {
      const operation = operationOf(method, route);
      if (!operation) return [{ message: `${method} ${route} is not in Stripe's description`, code: 'resource_missing' }];
      const at = `/paths/${escape(route)}/${method.toLowerCase()}`;
      const validate = once(`request ${method} ${route}`, () => {
        if (method === 'GET') {
          // Query parameters as one object: Stripe refuses a parameter it does not know, as it does in a form body.
          const query = (operation.parameters ?? []).map((parameter, index) => [parameter, index] as const).filter(([parameter]) => parameter.in === 'query');
          return requests.compile({
            type: 'object',
            additionalProperties: false,
            properties: Object.fromEntries(query.map(([parameter, index]) => [parameter.name, refTo(`${at}/parameters/${index}/schema`)])),
            required: query.filter(([parameter]) => parameter.required).map(([parameter]) => parameter.name),
          });
        }
        if (!operation.requestBody) return requests.compile({ type: 'object', additionalProperties: false });
        return requests.compile(refTo(`${at}/requestBody/content/application~1x-www-form-urlencoded/schema`));
      });
      // Coercion rewrites the value it checks: check a copy.
      return validate(structuredClone(params)) ? [] : (validate.errors ?? []).map(problemOf);
    },
    checkAnswer(method, route, status, body) {
      const operation = operationOf(method, route);
      if (!operation) return [`${method} ${route} is not in Stripe's description`];
      const key = operation.responses[String(status)] ? String(status) : status >= 200 && status < 300 ? undefined : 'default';
      if (!key || !operation.responses[key]?.content?.['application/json']) return [`${method} ${route}: Stripe's description has no ${status} answer`];
      const validate = once(`answer ${method} ${route} ${key}`, () =>
        answers.compile(refTo(`/paths/${escape(route)}/${method.toLowerCase()}/responses/${key}/content/application~1json/schema`)),
      );
      return validate(body) ? [] : messagesOf(validate.errors, `answer ${status}`);
    },
    checkEvent(event) {
      const validate = once('event', () => answers.compile(refTo('/components/schemas/event')));
      return validate(event) ? [] : messagesOf(validate.errors, 'event');
    },
    warm() {
      for (const [route, item] of Object.entries(spec.paths)) {
        for (const [method, operation] of Object.entries(item)) {
          checks.checkRequest(method.toUpperCase(), route, {});
          for (const status of Object.keys(operation.responses)) checks.checkAnswer(method.toUpperCase(), route, status === 'default' ? 400 : Number(status), {});
        }
      }
      checks.checkEvent({});
    },
  };
  return checks;
}

function messagesOf(errors: readonly ErrorObject[] | null | undefined, where: string): string[] {
  return (errors ?? []).slice(0, 5).map((error) => `${where}${error.instancePath || ''} ${error.message ?? 'is invalid'}`);
}

/** An ajv error in Stripe's words: `Received unknown parameter: x`, `Missing required param: x.`, `Invalid integer: x`. */
function problemOf(error: ErrorObject): SpecProblem {
  const segments = error.instancePath.split('/').filter(Boolean);
  const named = (extra?: string) => {
    const all = extra === undefined ? segments : [...segments, extra];
    return all.length === 0 ? '' : all.slice(1).reduce((name, segment) => `${name}[${segment}]`, all[0]!);
  };
  const param = named() || undefined;
  switch (error.keyword) {
    case 'additionalProperties': {
      const unknown = named(String(error.params['additionalProperty']));
      return { message: `Received unknown parameter: ${unknown}`, param: unknown, code: 'parameter_unknown' };
    }
    case 'required': {
      const missing = named(String(error.params['missingProperty']));
      return { message: `Missing required param: ${missing}.`, param: missing, code: 'parameter_missing' };
    }
    case 'type': {
      const type = String(error.params['type']);
      const code = /integer|number/.test(type) ? 'parameter_invalid_integer' : type === 'boolean' ? 'parameter_invalid_boolean' : type === 'array' ? 'parameter_invalid_array' : type === 'object' ? 'parameter_invalid_object' : 'parameter_invalid_string';
      return { message: `Invalid ${type}: ${param ?? 'the request'}`, ...(param ? { param } : {}), code };
    }
    case 'enum':
      return { message: `Invalid ${param ?? 'value'}: must be one of ${(error.params['allowedValues'] as unknown[]).join(', ')}`, ...(param ? { param } : {}), code: 'parameter_invalid_string' };
    default:
      return { message: `Invalid ${param ?? 'request'}: ${error.message ?? 'is invalid'}`, ...(param ? { param } : {}), code: 'parameter_invalid' };
  }
}

/**
 * OpenAPI 3.0's `nullable: true` beside `anyOf` (Stripe writes `{ anyOf: [...], nullable: true }` for every expandable
 * or optional object) has no JSON Schema meaning ajv can apply without a `type`: it becomes `anyOf: [..., null]`; a
 * nullable `enum` gets null among its values.
 */
function withNullsAllowed<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withNullsAllowed) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) out[key] = withNullsAllowed(inner);
  // ajv reads `nullable` beside `type`, but an `enum` must still list null itself.
  if (out['nullable'] === true && Array.isArray(out['enum']) && !out['enum'].includes(null)) out['enum'] = [...out['enum'], null];
  if (out['nullable'] === true && out['type'] === undefined) {
    delete out['nullable'];
    const branches = (out['anyOf'] ?? out['oneOf']) as unknown[] | undefined;
    if (branches) {
      out[out['anyOf'] ? 'anyOf' : 'oneOf'] = [...branches, { type: 'null' }];
    } else if (out['$ref'] !== undefined || out['allOf'] !== undefined) {
      const { $ref, allOf, ...rest } = out;
      return { ...rest, anyOf: [$ref !== undefined ? { $ref } : { allOf }, { type: 'null' }] } as T;
    }
  }
  return out as T;
}
