import Ajv2019, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2019';
import addFormats from 'ajv-formats';
import { ERROR, ROUTES, WC_API_BASE, type WooRoute } from './schemas';

/**
 * The WooCommerce schemas of ./schemas.ts compiled (ajv): what is wrong with a request to a route, or with an answer
 * from it, in words; empty when WooCommerce's published schema allows it. The sandbox holds every exchange to it.
 */
export interface WooContract {
  /** The route a method and path (below the shop's URL, no query string) name, with its `{id}`; undefined when none. */
  routeOf(method: string, path: string): { route: WooRoute; id?: string } | undefined;
  checkRequest(request: { method: string; path: string; query: Record<string, unknown>; body?: unknown }): string[];
  checkAnswer(request: { method: string; path: string }, status: number, body: unknown): string[];
}

let compiled: WooContract | undefined;
export function wooContract(): WooContract {
  compiled ??= compile();
  return compiled;
}

const describe = (where: string, errors: readonly ErrorObject[] | null | undefined): string[] =>
  (errors ?? []).slice(0, 5).map((error) => {
    const extra = error.keyword === 'additionalProperties' ? ` (${String((error.params as { additionalProperty: string }).additionalProperty)})` : '';
    return `${where}${error.instancePath || ''} ${error.message ?? error.keyword}${extra}`;
  });

function compile(): WooContract {
  const ajv = new Ajv2019({ allErrors: true, strict: false });
  addFormats(ajv);
  // WordPress reads query values as text and casts them by the parameter's type (rest_sanitize_value_from_schema).
  const queries = new Ajv2019({ allErrors: true, strict: false, coerceTypes: 'array' });
  addFormats(queries);
  const patterns = ROUTES.map((route) => new RegExp(`^${WC_API_BASE}${route.path.replace('{id}', '(\\d+)')}$`));
  const checks = ROUTES.map((route) => ({
    query: queries.compile(route.query),
    body: route.body ? ajv.compile(route.body) : undefined,
    answer: ajv.compile(route.answer),
  }));
  const error: ValidateFunction = ajv.compile(ERROR);
  /** Array parameters arrive as `1,2,3` (WordPress splits them, wp_parse_list). */
  const listsSplit = (route: WooRoute, query: Record<string, unknown>): Record<string, unknown> => {
    const properties = (route.query['properties'] ?? {}) as Record<string, { type?: string }>;
    return Object.fromEntries(
      Object.entries(query).map(([name, value]) =>
        [name, properties[name]?.type === 'array' && typeof value === 'string' ? value.split(',').map((part) => part.trim()) : value]),
    );
  };

  const routeOf: WooContract['routeOf'] = (method, path) => {
    for (const [index, route] of ROUTES.entries()) {
      if (route.method !== method.toUpperCase()) continue;
      const match = patterns[index]!.exec(path);
      if (match) return { route, ...(match[1] ? { id: match[1] } : {}) };
    }
    return undefined;
  };
  const checksOf = (method: string, path: string) => {
    const found = routeOf(method, path);
    return found ? { route: found.route, check: checks[ROUTES.indexOf(found.route)]! } : undefined;
  };

  return {
    routeOf,
    checkRequest(request) {
      const found = checksOf(request.method, request.path);
      if (!found) return [`${request.method} ${request.path} is not a WooCommerce route Plugboard uses`];
      const problems: string[] = [];
      if (!found.check.query(listsSplit(found.route, request.query))) problems.push(...describe('query', found.check.query.errors));
      if (found.check.body && !found.check.body(request.body ?? {})) problems.push(...describe('body', found.check.body.errors));
      return problems;
    },
    checkAnswer(request, status, body) {
      const found = checksOf(request.method, request.path);
      if (!found) return [`${request.method} ${request.path} is not a WooCommerce route Plugboard uses`];
      if (status >= 400) return error(body) ? [] : describe(`answer ${status}`, error.errors);
      if (status !== found.route.status) return [`answer ${status}: WooCommerce answers ${found.route.status} here`];
      return found.check.answer(body) ? [] : describe(`answer ${status}`, found.check.answer.errors);
    },
  };
}
