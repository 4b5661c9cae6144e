import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { PROJECT_ROOT } from '../../../project-root';

/**
 * Xero's own description of its API (trimmed to what Plugboard uses: see the file's `x-plugboard-trimmed`), compiled
 * into validators: the sandbox checks every request it receives and every answer it sends against it, so that the
 * sandbox and the adapter can never agree with each other and not with Xero.
 */
export const XERO_SPEC_FILE = path.join(PROJECT_ROOT, 'src/systems/xero/xero-accounting.trimmed.json');

interface Parameter {
  readonly name: string;
  readonly in: 'query' | 'header' | 'path';
  readonly required?: boolean;
  readonly schema: { readonly type?: string; readonly items?: { readonly type?: string } };
}

interface Operation {
  readonly parameters?: readonly (Parameter | { readonly $ref: string })[];
  readonly requestBody?: { readonly content: Record<string, { readonly schema: { readonly $ref: string } }> };
  readonly responses: Record<string, { readonly $ref?: string; readonly content?: Record<string, { readonly schema: { readonly $ref: string } }> }>;
}

interface Spec {
  readonly paths: Record<string, Record<string, Operation | readonly unknown[]>>;
  readonly components: { readonly parameters: Record<string, Parameter>; readonly responses: Record<string, Operation['responses'][string]> };
}

/** A request as the sandbox received it. */
export interface SpecRequest {
  readonly method: string;
  /** The path below the API's base, e.g. "/Invoices". */
  readonly path: string;
  readonly query: Record<string, string | string[] | undefined>;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body?: unknown;
}

export interface XeroSpec {
  /** What is wrong with a request, in words; empty when Xero's description allows it. */
  checkRequest(request: SpecRequest): string[];
  /** What is wrong with an answer the sandbox is about to send; empty when it is what the description promises. */
  checkAnswer(method: string, path: string, status: number, body: unknown): string[];
}

const SPEC_ID = 'xero-accounting';

/** Loads and compiles the trimmed description once per process. */
let loaded: XeroSpec | undefined;
export function loadXeroSpec(): XeroSpec {
  loaded ??= compile(JSON.parse(readFileSync(XERO_SPEC_FILE, 'utf8')) as Spec);
  return loaded;
}

function compile(spec: Spec): XeroSpec {
  // strict: false, as an OpenAPI 3.0 schema carries keywords JSON Schema does not know (x-is-money, readOnly's kin).
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  for (const name of ['double', 'int32', 'int64', 'float']) ajv.addFormat(name, true);
  ajv.addSchema({ ...spec, $id: SPEC_ID });
  const byRef = new Map<string, ValidateFunction>();
  const validatorOf = (ref: string): ValidateFunction => {
    let found = byRef.get(ref);
    if (!found) {
      found = ajv.getSchema(`${SPEC_ID}${ref}`);
      if (!found) throw new Error(`xero spec: no schema ${ref}`);
      byRef.set(ref, found);
    }
    return found;
  };
  const errorsOf = (validate: ValidateFunction, value: unknown, where: string): string[] =>
    validate(value) ? [] : (validate.errors ?? []).slice(0, 5).map((error) => `${where}${error.instancePath || ''} ${error.message ?? 'is invalid'}`);
  const parameter = (entry: Parameter | { readonly $ref: string }): Parameter =>
    '$ref' in entry ? spec.components.parameters[entry.$ref.split('/').pop()!]! : entry;
  const operationOf = (method: string, at: string): { operation: Operation; shared: readonly Parameter[] } | undefined => {
    const item = spec.paths[at];
    const operation = item?.[method.toLowerCase()] as Operation | undefined;
    if (!item || !operation || Array.isArray(operation)) return undefined;
    return { operation, shared: ((item['parameters'] ?? []) as (Parameter | { $ref: string })[]).map(parameter) };
  };

  return {
    checkRequest(request) {
      const found = operationOf(request.method, request.path);
      if (!found) return [`${request.method} ${request.path} is not in Xero's description`];
      const problems: string[] = [];
      for (const declared of [...found.shared, ...(found.operation.parameters ?? []).map(parameter)]) {
        const source = declared.in === 'header' ? request.headers : request.query;
        const raw = source[declared.in === 'header' ? declared.name.toLowerCase() : declared.name];
        const value = Array.isArray(raw) ? raw[0] : raw;
        if (value === undefined) {
          if (declared.required) problems.push(`the ${declared.in} parameter ${declared.name} is required`);
          continue;
        }
        const type = declared.schema.type;
        if ((type === 'integer' && !/^-?\d+$/.test(value)) || (type === 'boolean' && !/^(true|false)$/i.test(value))) {
          problems.push(`the ${declared.in} parameter ${declared.name} must be ${type === 'integer' ? 'an integer' : 'a boolean'}, got ${JSON.stringify(value)}`);
        }
      }
      const body = found.operation.requestBody?.content['application/json'];
      if (body) problems.push(...errorsOf(validatorOf(body.schema.$ref), request.body, 'request body'));
      return problems;
    },
    checkAnswer(method, at, status, body) {
      const found = operationOf(method, at);
      if (!found) return [`${method} ${at} is not in Xero's description`];
      let response = found.operation.responses[String(status)];
      if (response?.$ref) response = spec.components.responses[response.$ref.split('/').pop()!];
      // Statuses the description leaves out (401, 403, 404, 429, 503) are Xero's own, described in its docs, not here.
      const schema = response?.content?.['application/json']?.schema;
      if (!schema) return status >= 200 && status < 300 ? [`${method} ${at}: Xero's description has no ${status} answer`] : [];
      return errorsOf(validatorOf(schema.$ref), body, `answer ${status}`);
    },
  };
}
