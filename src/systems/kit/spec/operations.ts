import { escapePointer, type Json } from './translate';

/** Finding an operation and its parameters in an OpenAPI 3.0 description. Internal to the spec kit. */

export interface DeclaredParameter {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header' | 'cookie';
  readonly required: boolean;
  /** `explode: false` on an array: its items arrive as one comma-separated value (`Statuses=PAID,VOIDED`). */
  readonly commaSeparated: boolean;
  /** The parameter's declared type, through `$ref`s (`array` is what decides splitting). */
  readonly type: string | undefined;
  /** JSON Pointer to its schema in the description. */
  readonly schemaPointer: string;
}

export interface FoundOperation {
  /** The path template as the description writes it (`/v1/payment_intents/{intent}`). */
  readonly template: string;
  readonly method: string;
  /** JSON Pointer to the operation (`/paths/~1v1~1payment_intents/post`). */
  readonly pointer: string;
  readonly operation: Json;
  /** Values of the template's path parameters, by name. */
  readonly pathValues: Readonly<Record<string, string>>;
  /** The operation's parameters, with the path item's shared ones it does not override. */
  readonly parameters: readonly DeclaredParameter[];
}

export interface OperationIndex {
  /** The operation a concrete path (or the template itself) and method name, or undefined. */
  find(method: string, path: string): FoundOperation | undefined;
  /** Every operation, as (method, template). */
  all(): readonly { readonly method: string; readonly template: string }[];
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

export function indexOperations(document: Json): OperationIndex {
  const paths = (document['paths'] ?? {}) as Record<string, Json>;
  const basePath = serverBasePath(document);
  const templates = Object.keys(paths).map((template) => {
    const names = [...template.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]!);
    const pattern = new RegExp(`^${template.split(/\{[^}]+\}/).map(escapeRegExp).join('([^/]+)')}$`);
    return { template, names, pattern, literal: names.length === 0 };
  });
  const resolveParameter = (entry: Json, pointer: string): { parameter: Json; pointer: string } => {
    const ref = entry['$ref'];
    if (typeof ref !== 'string') return { parameter: entry, pointer };
    return { parameter: (pointerTo(document, ref.slice(1)) ?? {}) as Json, pointer: ref.slice(1) };
  };
  const declared = (entries: unknown, pointer: string): DeclaredParameter[] =>
    ((entries ?? []) as Json[]).map((entry, index) => {
      const { parameter, pointer: at } = resolveParameter(entry, `${pointer}/${index}`);
      const schema = (parameter['schema'] ?? {}) as Json;
      const type = typeOf(document, schema);
      return {
        name: String(parameter['name']),
        in: parameter['in'] as DeclaredParameter['in'],
        required: parameter['required'] === true,
        commaSeparated: type === 'array' && parameter['explode'] === false,
        type,
        schemaPointer: `${at}/schema`,
      };
    });

  // A literal path wins over a template (`/v1/shipments/external_shipment_id/{id}` over `/v1/shipments/{id}`).
  templates.sort((a, b) => Number(b.literal) - Number(a.literal) || b.template.length - a.template.length);
  const described = new Map<string, Omit<FoundOperation, 'pathValues'> | null>();
  const operationAt = (template: string, lower: string): Omit<FoundOperation, 'pathValues'> | null => {
    const key = `${lower} ${template}`;
    if (described.has(key)) return described.get(key)!;
    const item = paths[template]!;
    const operation = item[lower] as Json | undefined;
    let found: Omit<FoundOperation, 'pathValues'> | null = null;
    if (operation && typeof operation === 'object' && METHODS.includes(lower)) {
      const itemPointer = `/paths/${escapePointer(template)}`;
      const own = declared(operation['parameters'], `${itemPointer}/${lower}/parameters`);
      const shared = declared(item['parameters'], `${itemPointer}/parameters`).filter(
        (parameter) => !own.some((mine) => mine.name === parameter.name && mine.in === parameter.in),
      );
      found = { template, method: lower, pointer: `${itemPointer}/${lower}`, operation, parameters: [...shared, ...own] };
    }
    described.set(key, found);
    return found;
  };
  const find = (method: string, path: string): FoundOperation | undefined => {
    const lower = method.toLowerCase();
    for (const entry of templates) {
      const values = entry.pattern.exec(path);
      if (!values) continue;
      const found = operationAt(entry.template, lower);
      if (!found) continue;
      return { ...found, pathValues: Object.fromEntries(entry.names.map((name, index) => [name, safeDecode(values[index + 1]!)])) };
    }
    return undefined;
  };

  return {
    find(method, path) {
      const bare = path.split('?')[0] ?? path;
      const found = find(method, bare);
      if (found || basePath === '' || !bare.startsWith(`${basePath}/`)) return found;
      return find(method, bare.slice(basePath.length));
    },
    all: () =>
      templates.flatMap(({ template }) =>
        Object.keys(paths[template]!)
          .filter((key) => METHODS.includes(key))
          .map((method) => ({ method, template })),
      ),
  };
}

/** The path of the description's first server (`/api/2.0` for `https://api.example.com/api/2.0`), '' for none. */
function serverBasePath(document: Json): string {
  const url = ((document['servers'] as Json[] | undefined)?.[0]?.['url'] ?? '') as string;
  try {
    return new URL(url).pathname.replace(/\/+$/, '');
  } catch {
    return '';
  }
}

/** The value a `#/a/b` JSON Pointer names in the description. */
export function pointerTo(document: Json, pointer: string): unknown {
  return pointer
    .split('/')
    .slice(1)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, segment) => (node !== null && typeof node === 'object' ? (node as Json)[segment] : undefined), document);
}

/** A schema's type, through `$ref` and a first `allOf` member. */
function typeOf(document: Json, schema: Json, depth = 0): string | undefined {
  if (typeof schema['type'] === 'string') return schema['type'];
  if (depth > 5) return undefined;
  if (typeof schema['$ref'] === 'string') return typeOf(document, (pointerTo(document, schema['$ref'].slice(1)) ?? {}) as Json, depth + 1);
  const first = (schema['allOf'] as Json[] | undefined)?.[0];
  return first ? typeOf(document, first, depth + 1) : undefined;
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
