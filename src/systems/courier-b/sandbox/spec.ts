import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2019, { type ValidateFunction } from 'ajv/dist/2019';
import addFormats from 'ajv-formats';
import { PROJECT_ROOT } from '../../../project-root';

/**
 * ShipEngine's own description of its API (trimmed to what Plugboard uses: see the file's `x-plugboard-trimmed`),
 * compiled into validators: the sandbox checks every request it receives and every answer it sends against it, so
 * that the sandbox and the adapter can never agree with each other and not with ShipEngine.
 */
export const SHIPENGINE_SPEC_FILE = path.join(PROJECT_ROOT, 'src/systems/courier-b/shipengine.trimmed.json');

type Json = Record<string, unknown>;

interface Parameter {
  readonly name: string;
  readonly in: 'query' | 'header' | 'path';
  readonly required?: boolean;
  readonly schema: Json;
}

interface Operation {
  readonly parameters?: readonly Parameter[];
  readonly requestBody?: { readonly content: Record<string, { readonly schema: Json }> };
  readonly responses: Record<string, { readonly $ref?: string; readonly content?: Record<string, { readonly schema: Json }> }>;
}

interface Spec {
  readonly paths: Record<string, Record<string, unknown>>;
  readonly components: { readonly schemas: Record<string, Json>; readonly responses: Record<string, Operation['responses'][string]> };
}

export interface ShipEngineSpec {
  /** What is wrong with a request, in words; empty when ShipEngine's description allows it. */
  checkRequest(request: { method: string; path: string; query: Record<string, unknown>; body?: unknown }): string[];
  /** What is wrong with an answer the sandbox is about to send; empty when it is what the description promises. */
  checkAnswer(method: string, path: string, status: number, body: unknown): string[];
}

let loaded: ShipEngineSpec | undefined;
/** Loads and compiles the trimmed description once per process. */
export function loadShipEngineSpec(): ShipEngineSpec {
  loaded ??= compile(JSON.parse(readFileSync(SHIPENGINE_SPEC_FILE, 'utf8')) as Spec);
  return loaded;
}

/**
 * OpenAPI 3.0 schemas as JSON Schema 2019-09, for one direction. Three translations, each to keep what the
 * description means: `nullable` becomes a null alternative; boolean `exclusiveMinimum`/`Maximum` become numbers; and
 * `additionalProperties: false` beside `allOf` (ShipEngine's way of closing a composed object) becomes
 * `unevaluatedProperties: false`, which sees the properties the `allOf` declares; the members' own
 * `additionalProperties: false` is dropped, as the composed object is closed by its owner. `readOnly` properties are
 * not required in a request, nor `writeOnly` ones in an answer (OpenAPI 3.0's rule).
 */
function translate(spec: Spec, side: 'request' | 'answer'): Spec {
  const members = new Set<string>();
  const collect = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(collect);
    if (node === null || typeof node !== 'object') return;
    const allOf = (node as Json)['allOf'];
    if (Array.isArray(allOf)) for (const member of allOf as Json[]) if (typeof member['$ref'] === 'string') members.add(member['$ref']);
    Object.values(node).forEach(collect);
  };
  collect(spec);
  const schemas = spec.components.schemas;
  const resolve = (schema: Json): Json => (typeof schema['$ref'] === 'string' ? (schemas[schema['$ref'].split('/').pop()!] ?? {}) : schema);
  /** Whether a property named `name` of this schema (or its allOf) is marked readOnly/writeOnly. */
  const marked = (schema: Json, name: string, flag: string, depth = 0): boolean => {
    const own = (schema['properties'] as Record<string, Json> | undefined)?.[name];
    if (own && (own[flag] === true || resolve(own)[flag] === true)) return true;
    if (depth > 8) return false;
    return ((schema['allOf'] as Json[] | undefined) ?? []).some((member) => marked(resolve(member), name, flag, depth + 1));
  };
  const flag = side === 'request' ? 'readOnly' : 'writeOnly';
  const walk = (node: unknown, ref?: string): unknown => {
    if (Array.isArray(node)) return node.map((item) => walk(item));
    if (node === null || typeof node !== 'object') return node;
    const source = node as Json;
    const out: Json = {};
    for (const [key, value] of Object.entries(source)) out[key] = key === 'example' || key === 'examples' ? value : walk(value);
    for (const [exclusive, bound] of [['exclusiveMinimum', 'minimum'], ['exclusiveMaximum', 'maximum']] as const) {
      if (out[exclusive] === true) {
        out[exclusive] = out[bound];
        delete out[bound];
      } else if (out[exclusive] === false) delete out[exclusive];
    }
    if (Array.isArray(out['required'])) out['required'] = (out['required'] as string[]).filter((name) => !marked(source, name, flag));
    if (out['additionalProperties'] === false && (out['allOf'] || (ref && members.has(ref)))) {
      delete out['additionalProperties'];
      if (out['allOf']) out['unevaluatedProperties'] = false;
    }
    if (out['nullable'] === true) {
      delete out['nullable'];
      return { anyOf: [out, { type: 'null' }] };
    }
    return out;
  };
  const translated: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(schemas)) translated[name] = walk(schema, `#/components/schemas/${name}`);
  return { ...spec, components: { ...spec.components, schemas: translated as Record<string, Json> } };
}

function compile(spec: Spec): ShipEngineSpec {
  const validators = (['request', 'answer'] as const).map((side) => {
    // strict: false, as an OpenAPI schema carries keywords JSON Schema does not know (example, readOnly's kin).
    const ajv = new Ajv2019({ strict: false, allErrors: true });
    addFormats(ajv);
    for (const name of ['double', 'int32', 'int64', 'float']) ajv.addFormat(name, true);
    // ajv-formats' `url` refuses hosts without a dot (127.0.0.1:4105 is refused); any URL WHATWG parses is one.
    ajv.addFormat('url', (text: string) => URL.canParse(text));
    ajv.addSchema({ ...translate(spec, side), $id: `shipengine-${side}` });
    const cache = new Map<string, ValidateFunction>();
    return (schema: Json): ValidateFunction => {
      const ref = typeof schema['$ref'] === 'string' ? schema['$ref'] : JSON.stringify(schema);
      let found = cache.get(ref);
      if (!found) {
        found =
          typeof schema['$ref'] === 'string'
            ? ajv.getSchema(`shipengine-${side}${schema['$ref']}`)
            : ajv.compile(JSON.parse(JSON.stringify(schema).replaceAll('"$ref":"#/', `"$ref":"shipengine-${side}#/`)) as Json);
        if (!found) throw new Error(`shipengine spec: no schema ${ref}`);
        cache.set(ref, found);
      }
      return found;
    };
  });
  const [requestSchema, answerSchema] = validators as [(schema: Json) => ValidateFunction, (schema: Json) => ValidateFunction];
  const errorsOf = (validate: ValidateFunction, value: unknown, where: string): string[] =>
    validate(value) ? [] : (validate.errors ?? []).slice(0, 50).map((error) => `${where}${error.instancePath} ${error.message ?? 'is invalid'}`);
  const templates = Object.keys(spec.paths).map((template) => ({
    template,
    pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '([^/]+)')}$`),
    literal: !template.includes('{'),
  }));
  const operationOf = (method: string, at: string): { template: string; operation: Operation } | undefined => {
    // A literal path wins over a template (`/v1/shipments/external_shipment_id/{id}` over `/v1/shipments/{id}`).
    const matching = templates.filter((entry) => entry.pattern.test(at)).sort((a, b) => Number(b.literal) - Number(a.literal) || b.template.length - a.template.length);
    for (const { template } of matching) {
      const operation = spec.paths[template]?.[method.toLowerCase()] as Operation | undefined;
      if (operation) return { template, operation };
    }
    return undefined;
  };

  return {
    checkRequest(request) {
      const found = operationOf(request.method, request.path);
      if (!found) return [`${request.method} ${request.path} is not in ShipEngine's description`];
      const problems: string[] = [];
      const values = templates.find((entry) => entry.template === found.template)!.pattern.exec(request.path)!.slice(1);
      const pathNames = [...found.template.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]!);
      for (const declared of found.operation.parameters ?? []) {
        if (declared.in === 'header') continue;
        const raw = declared.in === 'path' ? values[pathNames.indexOf(declared.name)] : request.query[declared.name];
        const text = Array.isArray(raw) ? raw[0] : raw;
        if (text === undefined) {
          if (declared.required) problems.push(`the ${declared.in} parameter ${declared.name} is required`);
          continue;
        }
        const value = coerce(String(text), resolveType(spec, declared.schema));
        problems.push(...errorsOf(requestSchema(declared.schema), value, `the ${declared.in} parameter ${declared.name}`));
      }
      const body = found.operation.requestBody?.content['application/json'];
      if (body) problems.push(...errorsOf(requestSchema(body.schema), request.body, 'request body'));
      return problems;
    },
    checkAnswer(method, at, status, body) {
      const found = operationOf(method, at);
      if (!found) return [`${method} ${at} is not in ShipEngine's description`];
      let response = found.operation.responses[String(status)];
      if (response?.$ref) response = spec.components.responses[response.$ref.split('/').pop()!];
      // Statuses the description leaves out (401, 429, 503) are ShipEngine's own, documented elsewhere; a 204 has no body.
      const schema = response?.content?.['application/json']?.schema;
      if (status === 204) return response ? [] : [`${method} ${at}: ShipEngine's description has no 204 answer`];
      if (!schema) return status >= 200 && status < 300 ? [`${method} ${at}: ShipEngine's description has no ${status} answer`] : [];
      return errorsOf(answerSchema(schema), body, `answer ${status}`);
    },
  };
}

/** A query or path parameter's declared type, through `$ref` and `allOf`. */
function resolveType(spec: Spec, schema: Json, depth = 0): string | undefined {
  if (typeof schema['type'] === 'string') return schema['type'];
  if (depth > 5) return undefined;
  if (typeof schema['$ref'] === 'string') return resolveType(spec, spec.components.schemas[schema['$ref'].split('/').pop()!] ?? {}, depth + 1);
  const first = (schema['allOf'] as Json[] | undefined)?.[0];
  return first ? resolveType(spec, first, depth + 1) : undefined;
}

function coerce(text: string, type: string | undefined): unknown {
  if ((type === 'integer' || type === 'number') && /^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (type === 'boolean' && /^(true|false)$/.test(text)) return text === 'true';
  return text;
}
