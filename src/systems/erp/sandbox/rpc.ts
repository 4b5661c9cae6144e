import type { ErpDatabase } from './database';
import { MODELS } from './models';
import { accessDenied, OdooError, typeError, valueError } from './odoo-error';
import { isStockAction, runStockAction } from './stock';

/** The credentials the ERP accepts: a database, a user's login and that user's API key (Odoo's external API). */
export interface ErpCredentials {
  readonly db: string;
  readonly login: string;
  readonly apiKey: string;
}

/** The id of the API user (Odoo's first user after the superuser). */
export const API_USER_ID = 2;

const VERSION = {
  server_version: '17.0',
  server_version_info: [17, 0, 0, 'final', 0, ''],
  server_serie: '17.0',
  protocol_version: 1,
};

const MUTATING = new Set(['create', 'write']);

type Kwargs = Record<string, unknown>;
const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * Odoo's external API services (`common`, `object`) behind `/jsonrpc`. Internal to the ERP sandbox.
 *
 * Idempotency, the sandbox's convention: Odoo has no idempotency header, so a write carries its key in
 * `kwargs.context.idempotency_key`; the first successful result per (model, method, key) is remembered and
 * answered again for a repeated key, without applying the write twice. (A real deployment installs a small
 * module doing the same.) Failures are not remembered, so a refused write can be retried with its key.
 */
export class ErpRpc {
  private readonly remembered = new Map<string, Map<string, unknown>>();

  constructor(
    private readonly db: ErpDatabase,
    private readonly credentials: ErpCredentials,
  ) {}

  call(params: unknown): unknown {
    if (!isObject(params) || typeof params['service'] !== 'string' || typeof params['method'] !== 'string') {
      throw typeError('dispatch_rpc() needs params {service, method, args}');
    }
    const args = params['args'] ?? [];
    if (!Array.isArray(args)) throw typeError('params.args must be a list');
    const method = params['method'];
    switch (params['service']) {
      case 'common':
        return this.common(method, args);
      case 'object':
        return this.object(method, args);
      default:
        throw new OdooError('builtins.Exception', `No such service: ${params['service']}`);
    }
  }

  private common(method: string, args: readonly unknown[]): unknown {
    switch (method) {
      case 'version':
        return VERSION;
      case 'login':
      case 'authenticate': {
        const [db, login, password] = args;
        const { credentials } = this;
        return db === credentials.db && login === credentials.login && password === credentials.apiKey
          ? API_USER_ID
          : false;
      }
      default:
        throw new OdooError('builtins.NameError', `Method not available ${method}`);
    }
  }

  private object(method: string, args: readonly unknown[]): unknown {
    if (method !== 'execute_kw' && method !== 'execute') {
      throw new OdooError('builtins.NameError', `Method not available ${method}`);
    }
    const [db, uid, password, model, modelMethod, ...rest] = args;
    // Every call is checked again: the external API has no session.
    if (db !== this.credentials.db || uid !== API_USER_ID || password !== this.credentials.apiKey) throw accessDenied();
    if (typeof model !== 'string' || typeof modelMethod !== 'string') {
      throw typeError('execute_kw() needs a model and a method name');
    }
    const callArgs = method === 'execute_kw' ? (rest[0] ?? []) : rest;
    const kwargs = method === 'execute_kw' ? (rest[1] ?? {}) : {};
    if (!Array.isArray(callArgs) || !isObject(kwargs)) {
      throw typeError('execute_kw() takes args as a list and kwargs as a dictionary');
    }
    this.db.table(model);

    const context = kwargs['context'];
    const key = isObject(context) && typeof context['idempotency_key'] === 'string' ? context['idempotency_key'] : null;
    const remembers = key !== null && (MUTATING.has(modelMethod) || isStockAction(modelMethod));
    const memory = this.remembered.get(`${model}.${modelMethod}`) ?? new Map<string, unknown>();
    if (remembers && memory.has(key)) return memory.get(key);
    const result = this.execute(model, modelMethod, callArgs, kwargs);
    if (remembers) {
      memory.set(key, result);
      this.remembered.set(`${model}.${modelMethod}`, memory);
    }
    return result;
  }

  private execute(model: string, method: string, args: readonly unknown[], kwargs: Kwargs): unknown {
    const { db } = this;
    switch (method) {
      case 'search_read': {
        const a = bind(method, args, kwargs, ['domain', 'fields', 'offset', 'limit', 'order']);
        const fields = fieldsOf(a['fields']);
        return db.search(model, a['domain'], paging(a)).map((record) => db.project(model, record, fields));
      }
      case 'search': {
        const a = bind(method, args, kwargs, ['domain', 'offset', 'limit', 'order', 'count']);
        const found = db.search(model, a['domain'], paging(a));
        return a['count'] === true ? found.length : found.map((record) => record.id);
      }
      case 'search_count': {
        const a = bind(method, args, kwargs, ['domain', 'limit']);
        return db.search(model, a['domain'], { limit: paging(a).limit }).length;
      }
      case 'read': {
        const a = bind(method, args, kwargs, ['ids', 'fields', 'load']);
        const fields = fieldsOf(a['fields']);
        return db.browse(model, idsOf(a['ids'])).map((record) => db.project(model, record, fields));
      }
      case 'create': {
        const a = bind(method, args, kwargs, ['vals_list']);
        const vals = a['vals_list'];
        return Array.isArray(vals) ? vals.map((one) => db.create(model, one)) : db.create(model, vals);
      }
      case 'write': {
        const a = bind(method, args, kwargs, ['ids', 'vals']);
        return db.write(model, idsOf(a['ids']), a['vals']);
      }
      case 'fields_get':
        bind(method, args, kwargs, ['allfields', 'attributes']);
        return Object.fromEntries(
          Object.entries(MODELS[model]?.fields ?? {}).map(([name, field]) => [
            name,
            {
              type: field.type,
              string: field.string,
              required: field.required ?? false,
              readonly: field.computed ?? false,
              ...(field.comodel ? { relation: field.comodel } : {}),
              ...(field.selection ? { selection: field.selection.map((value) => [value, value]) } : {}),
            },
          ]),
        );
      default:
        if (model === 'stock.quant' && isStockAction(method)) {
          const note = method === 'action_adjust_quantity' ? 'reason' : 'origin';
          const a = bind(method, args, kwargs, ['product_id', 'quantity', note]);
          return runStockAction(db, method, Object.values(a));
        }
        throw new OdooError('builtins.AttributeError', `The method '${method}' does not exist on the model '${model}'`);
    }
  }
}

/** Python's argument binding: positional first, then keywords; `context` is always accepted. */
function bind(method: string, args: readonly unknown[], kwargs: Kwargs, names: readonly string[]): Kwargs {
  if (args.length > names.length) {
    throw typeError(`${method}() takes ${names.length} positional arguments but ${args.length} were given`);
  }
  const bound: Kwargs = {};
  names.forEach((name, index) => {
    bound[name] = args[index];
  });
  for (const [name, value] of Object.entries(kwargs)) {
    if (name === 'context') continue;
    const index = names.indexOf(name);
    if (index < 0) throw typeError(`${method}() got an unexpected keyword argument '${name}'`);
    if (index < args.length) throw typeError(`${method}() got multiple values for argument '${name}'`);
    bound[name] = value;
  }
  return bound;
}

function paging(a: Kwargs): { offset: number; limit: number | null; order: unknown } {
  const { offset, limit } = a;
  const whole = (value: unknown): boolean => Number.isInteger(value) && (value as number) >= 0;
  const unset = (value: unknown): boolean => value === undefined || value === null || value === false;
  if (!unset(offset) && !whole(offset)) throw valueError(`Invalid offset ${JSON.stringify(offset)}`);
  if (!unset(limit) && !whole(limit)) throw valueError(`Invalid limit ${JSON.stringify(limit)}`);
  return {
    offset: whole(offset) ? (offset as number) : 0,
    limit: whole(limit) ? (limit as number) : null,
    order: a['order'],
  };
}

function fieldsOf(value: unknown): string[] | undefined {
  if (value === undefined || value === null || value === false) return undefined;
  if (!Array.isArray(value) || !value.every((name) => typeof name === 'string')) {
    throw valueError(`fields must be a list of field names, got ${JSON.stringify(value)}`);
  }
  return value;
}

function idsOf(value: unknown): number[] {
  const ids = Number.isInteger(value) ? [value] : value;
  if (!Array.isArray(ids) || !ids.every((id) => Number.isInteger(id))) {
    throw typeError(`ids must be a list of integers, got ${JSON.stringify(value)}`);
  }
  return ids as number[];
}
