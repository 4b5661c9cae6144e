import type { ErpDatabase } from './database';
import { MODELS } from './models';
import { accessDenied, OdooError, typeError, userError, valueError } from './odoo-error';
import { procure, runSaleAction, SALE_ACTIONS } from './sale-flow';
import { applyInventory, assignPickings, cancelPickings, confirmPickings, isInventoryMode, validatePickings, writeQuants } from './stock';

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

type Kwargs = Record<string, unknown>;
const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * Odoo's external API services (`common`, `object`) behind `/jsonrpc`. Internal to the ERP sandbox
 * (`odoo/service/common.py`, `odoo/service/model.py: execute_kw`). Odoo has no idempotency key: a context key it
 * does not know is ignored, as Odoo ignores it. A method that returns nothing answers `undefined` (Python's None),
 * which the endpoint sends as an envelope with neither `result` nor `error`.
 */
export class ErpRpc {
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
    if (!MODELS[model]) throw userError(`Object ${model} doesn't exist`);
    // odoo/service/model.py: execute_kw refuses private methods.
    if (modelMethod.startsWith('_')) {
      throw new OdooError('odoo.exceptions.AccessError', `Private methods (such as ${modelMethod}) cannot be called remotely.`);
    }
    return this.execute(model, modelMethod, callArgs, kwargs);
  }

  private execute(model: string, method: string, args: readonly unknown[], kwargs: Kwargs): unknown {
    const { db } = this;
    switch (method) {
      case 'search_read': {
        const a = bind(method, args, kwargs, ['domain', 'fields', 'offset', 'limit', 'order']);
        const fields = fieldsOf(a['fields']);
        return db.search(model, a['domain'], paging(a)).map((record) => db.project(model, record, fields));
      }
      case 'web_search_read': {
        // addons/web/models/models.py: web_search_read / web_read (the web client's read, with a specification).
        const a = bind(method, args, kwargs, ['domain', 'specification', 'offset', 'limit', 'order', 'count_limit']);
        const records = db.search(model, a['domain'], paging(a)).map((record) => webRead(db, model, record, a['specification']));
        return { length: records.length + paging(a).offset, records };
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
        // Seen on Odoo 17: reading an id that does not exist answers without it (writing one is a MissingError).
        const table = db.table(model);
        return idsOf(a['ids']).flatMap((id) => {
          const record = table.get(id);
          return record ? [db.project(model, record, fields)] : [];
        });
      }
      case 'create': {
        const a = bind(method, args, kwargs, ['vals_list']);
        const vals = a['vals_list'];
        const createOne = (one: unknown): number => {
          if (model === 'stock.quant') return createQuant(db, one, kwargs['context']);
          const id = db.create(model, one);
          if (model === 'sale.order') procure(db, db.browse(model, [id])[0]!);
          return id;
        };
        return Array.isArray(vals) ? vals.map(createOne) : createOne(vals);
      }
      case 'write': {
        const a = bind(method, args, kwargs, ['ids', 'vals']);
        const ids = idsOf(a['ids']);
        if (model === 'stock.quant') return writeQuants(db, ids, a['vals'], kwargs['context']);
        const done = db.write(model, ids, a['vals']);
        for (const order of ordersOf(db, model, ids)) procure(db, order);
        return done;
      }
      case 'unlink': {
        const a = bind(method, args, kwargs, ['ids']);
        return unlink(db, model, idsOf(a['ids']));
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
      default: {
        const ids = (): number[] => idsOf(bind(method, args, kwargs, ['ids'])['ids']);
        const context = kwargs['context'];
        if (model === 'sale.order' && SALE_ACTIONS.includes(method)) return runSaleAction(db, method, ids(), context);
        if (model === 'stock.quant' && method === 'action_apply_inventory') {
          return applyInventory(db, db.browse(model, ids()), context);
        }
        if (model === 'stock.picking') {
          const pickings = (): ReturnType<ErpDatabase['browse']> => db.browse(model, ids());
          if (method === 'action_confirm') return confirmPickings(db, pickings());
          if (method === 'action_assign') return assignPickings(db, pickings());
          if (method === 'action_cancel') return cancelPickings(db, pickings());
          if (method === 'button_validate') return validatePickings(db, pickings());
        }
        throw new OdooError('builtins.AttributeError', `The method '${method}' does not exist on the model '${model}'`);
      }
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

/**
 * `stock.quant.create` in inventory mode (`stock_quant.py: create`): only the inventory fields with product and
 * location; it finds the product's quant at that location (`_gather`), or makes an empty one, and sets its count.
 * Outside inventory mode the sandbox refuses it (Odoo creates a bare quant, which no client of ours should).
 */
function createQuant(db: ErpDatabase, vals: unknown, context: unknown): number {
  const given = isObject(vals) ? vals : {};
  const productId = given['product_id'];
  const locationId = given['location_id'];
  if (!isInventoryMode(context) || !Number.isInteger(productId) || !Number.isInteger(locationId)) {
    throw userError("Quant's creation is restricted, you can't do this operation.");
  }
  db.browse('product.product', [productId as number]);
  const [location] = db.browse('stock.location', [locationId as number]);
  const at = db.pairOf('stock.location', location!);
  const quant =
    db.quantsOf(productId as number).find((one) => Array.isArray(one['location_id']) && one['location_id'][0] === locationId) ??
    db.emptyQuant(productId as number, at);
  const { product_id: _product, location_id: _location, ...counted } = given;
  writeQuants(db, [quant.id], counted, context);
  return quant.id;
}

/** The confirmed orders a write on sale.order or its lines touched: their deliveries follow the lines. */
function ordersOf(db: ErpDatabase, model: string, ids: readonly number[]): ReturnType<ErpDatabase['browse']> {
  if (model === 'sale.order') return db.browse(model, ids).filter((order) => order['state'] === 'sale');
  if (model !== 'sale.order.line') return [];
  const orderIds = new Set(db.browse(model, ids).map((line) => (line['order_id'] as [number, string])[0]));
  return db.browse('sale.order', [...orderIds]).filter((order) => order['state'] === 'sale');
}

/** `unlink`: a confirmed order's lines and an order that is not a draft or cancelled cannot be deleted. */
function unlink(db: ErpDatabase, model: string, ids: readonly number[]): true {
  const records = db.browse(model, ids);
  if (model === 'sale.order.line') {
    db.unlinkLines(records);
    return true;
  }
  if (model === 'sale.order' && records.some((order) => order['state'] !== 'draft' && order['state'] !== 'cancel')) {
    throw userError('You can not delete a sent quotation or a confirmed sales order. You must first cancel it.');
  }
  if (model !== 'res.partner' && model !== 'sale.order') {
    throw userError(`This sandbox does not delete ${model} records.`);
  }
  const table = db.table(model);
  for (const record of records) table.delete(record);
  return true;
}

/**
 * `web_read` of one record (`addons/web/models/models.py`): the fields of the specification as `read(load=None)`
 * answers them (a many2one as its id), and a many2one whose spec has `fields` as a dict of those fields of the record
 * it points at (`display_name` included).
 */
function webRead(db: ErpDatabase, model: string, record: ReturnType<ErpDatabase['browse']>[number], specification: unknown): Record<string, unknown> {
  if (!isObject(specification)) throw typeError(`web_search_read() needs a specification dictionary, got ${JSON.stringify(specification)}`);
  const spec = db.table(model).spec;
  const names = Object.keys(specification).filter((name) => name !== 'display_name');
  const values = db.project(model, record, names.length > 0 ? names : ['id']);
  if ('display_name' in specification) values['display_name'] = (db.pairOf(model, record) as readonly [number, string])[1];
  for (const name of names) {
    const field = spec.fields[name];
    const sub = specification[name];
    if (field?.type !== 'many2one' || !Array.isArray(values[name])) continue;
    const [id, displayName] = values[name] as [number, string];
    const fields = isObject(sub) ? sub['fields'] : undefined;
    const comodel = field.comodel ?? '';
    if (!isObject(fields)) {
      values[name] = id;
    } else if (MODELS[comodel]) {
      values[name] = webRead(db, comodel, db.table(comodel).get(id)!, fields);
    } else {
      // A model the sandbox keeps no table of (res.currency): its display name is all it knows.
      values[name] = { id, ...('display_name' in fields ? { display_name: displayName } : {}) };
    }
  }
  return values;
}
