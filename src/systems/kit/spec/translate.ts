/**
 * OpenAPI 3.0 schemas as JSON Schema 2019-09, for one direction of the exchange. Internal to the spec kit.
 *
 * OpenAPI 3.0 (https://spec.openapis.org/oas/v3.0.3#schema-object) is "an extended subset" of JSON Schema: a few of
 * its keywords mean something JSON Schema does not say, and are rewritten here so that ajv checks what the
 * description means:
 * - `nullable: true` without a `type` beside it (the payment gateway's description writes it beside `anyOf`) becomes a null alternative
 *   (`anyOf: [schema, {type: null}]`); beside a `type`, ajv reads it itself, and an `enum` gets null among its values;
 * - boolean `exclusiveMinimum` / `exclusiveMaximum` (draft 4) become the numeric bounds of later drafts;
 * - `readOnly` properties are not required in a request, nor `writeOnly` ones in an answer (OpenAPI 3.0's rule);
 * - `additionalProperties: false` beside `allOf` (courier B's description closes composed objects so) becomes
 *   `unevaluatedProperties: false`, which sees the properties the `allOf` members declare; a schema used as an `allOf`
 *   member loses its own `additionalProperties: false`, as the composed object is closed by its owner.
 * Examples are carried as they are.
 */

export type Json = Record<string, unknown>;
export type Direction = 'request' | 'answer';

const SCHEMA_REF = '#/components/schemas/';

export function toJsonSchema(document: Json, direction: Direction): Json {
  const schemas = ((document['components'] as Json | undefined)?.['schemas'] ?? {}) as Record<string, Json>;
  const members = allOfMembers(document);
  const resolve = (schema: Json): Json =>
    typeof schema['$ref'] === 'string' && schema['$ref'].startsWith(SCHEMA_REF) ? (schemas[schema['$ref'].slice(SCHEMA_REF.length)] ?? {}) : schema;
  const flag = direction === 'request' ? 'readOnly' : 'writeOnly';
  /** Whether a property of this schema (or of its allOf members) carries the flag, on itself or on what it refers to. */
  const marked = (schema: Json, name: string, depth = 0): boolean => {
    const own = (schema['properties'] as Record<string, Json> | undefined)?.[name];
    if (own && typeof own === 'object' && (own[flag] === true || resolve(own)[flag] === true)) return true;
    if (depth > 8) return false;
    return ((schema['allOf'] as Json[] | undefined) ?? []).some((member) => marked(resolve(member), name, depth + 1));
  };

  const walk = (node: unknown, at: string): unknown => {
    if (Array.isArray(node)) return node.map((item, index) => walk(item, `${at}/${index}`));
    if (node === null || typeof node !== 'object') return node;
    const source = node as Json;
    const out: Json = {};
    for (const [key, value] of Object.entries(source)) out[key] = key === 'example' || key === 'examples' ? value : walk(value, `${at}/${escapePointer(key)}`);
    for (const [exclusive, bound] of [['exclusiveMinimum', 'minimum'], ['exclusiveMaximum', 'maximum']] as const) {
      if (out[exclusive] === true) {
        out[exclusive] = out[bound];
        delete out[bound];
      } else if (out[exclusive] === false) delete out[exclusive];
    }
    if (Array.isArray(out['required']) && out['required'].every((name) => typeof name === 'string')) {
      out['required'] = (out['required'] as string[]).filter((name) => !marked(source, name));
    }
    if (out['additionalProperties'] === false && (out['allOf'] !== undefined || members.has(at))) {
      delete out['additionalProperties'];
      if (out['allOf'] !== undefined) out['unevaluatedProperties'] = false;
    }
    if (out['nullable'] === true && typeof out['type'] === 'string') {
      // ajv reads `nullable` beside a `type` itself (the quicker code); an `enum` must still list null.
      if (Array.isArray(out['enum']) && !out['enum'].includes(null)) out['enum'] = [...out['enum'], null];
    } else if (out['nullable'] === true) {
      delete out['nullable'];
      return { anyOf: [out, { type: 'null' }] };
    }
    if (out['nullable'] === false) delete out['nullable'];
    return out;
  };
  return walk(document, '#') as Json;
}

/** JSON Pointer escaping of one segment (RFC 6901). */
export function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** The `#/...` pointers of every schema some `allOf` names as a member. */
function allOfMembers(document: Json): Set<string> {
  const members = new Set<string>();
  const collect = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(collect);
    if (node === null || typeof node !== 'object') return;
    const allOf = (node as Json)['allOf'];
    if (Array.isArray(allOf)) for (const member of allOf as Json[]) if (typeof member?.['$ref'] === 'string') members.add(member['$ref']);
    Object.values(node).forEach(collect);
  };
  collect(document);
  return members;
}
