import type { RecordStore } from '../../kit/sandbox';
import { compileDomain, compileOrder } from './domain-filter';
import { MODELS, odooDatetime, roundAmount, type FieldSpec, type Many2one, type OdooRecord } from './models';
import { convertVals } from './convert';
import { missingError, OdooError, userError, validationError, valueError } from './odoo-error';
import { Table } from './table';

/** Paging and sorting of a search, as Odoo's `search`/`search_read` take them. */
export interface SearchOptions {
  readonly offset?: number;
  readonly limit?: number | null;
  readonly order?: unknown;
}

type Vals = Record<string, unknown>;

/**
 * The ERP's state and its ORM rules: generic search/read/create/write over the models, with the few computed and
 * related fields Odoo keeps up to date (display names of many2one pairs, order totals, stock on the product).
 * Internal to the ERP sandbox.
 */
export class ErpDatabase {
  private readonly tables = new Map<string, Table>();

  constructor(
    records: RecordStore,
    /** The company currency, as the many2one pair Odoo puts on prices and totals. */
    readonly currency: Many2one,
    private readonly clock: () => Date = () => new Date(),
  ) {
    for (const spec of Object.values(MODELS)) {
      const key = spec.key;
      const businessKey = (record: OdooRecord): string | null => {
        if (!key) return null;
        const holder = key.via ? this.pointed(spec.fields[key.via]?.comodel ?? '', record[key.via]) : record;
        const value = holder?.[key.field];
        return typeof value === 'string' && value !== '' ? value : null;
      };
      this.tables.set(spec.name, new Table(spec, records.collection<OdooRecord>(spec.name), businessKey));
    }
  }

  now(): string {
    return odooDatetime(this.clock());
  }

  table(model: string): Table {
    const table = this.tables.get(model);
    if (!table) throw new OdooError('builtins.KeyError', `'${model}'`);
    return table;
  }

  /** The record a many2one pair points at. */
  private pointed(comodel: string, value: unknown): OdooRecord | undefined {
    if (!Array.isArray(value) || typeof value[0] !== 'number') return undefined;
    return this.tables.get(comodel)?.get(value[0]);
  }

  /** The many2one pair Odoo answers for a record: [id, display name]. */
  pairOf(model: string, record: OdooRecord): Many2one {
    if (model === 'product.product' && typeof record['default_code'] === 'string') {
      return [record.id, `[${record['default_code']}] ${String(record['name'])}`];
    }
    if (model === 'stock.location') return [record.id, String(record['complete_name'] || record['name'])];
    return [record.id, String(record['name'])];
  }

  search(model: string, domain: unknown, options: SearchOptions = {}): OdooRecord[] {
    const table = this.table(model);
    const predicate = compileDomain(table.spec, domain);
    const found = table.all().filter(predicate).sort(compileOrder(table.spec, options.order));
    const offset = options.offset ?? 0;
    return found.slice(offset, options.limit === null || options.limit === undefined ? undefined : offset + options.limit);
  }

  browse(model: string, ids: readonly number[]): OdooRecord[] {
    const table = this.table(model);
    const missing = ids.filter((id) => !table.get(id));
    if (missing.length > 0) throw missingError(model, missing);
    return ids.map((id) => table.get(id) as OdooRecord);
  }

  /** A record as `read` answers it: the fields asked for (all when none), always with its id. */
  project(model: string, record: OdooRecord, fields: readonly string[] | undefined): Vals {
    const spec = this.table(model).spec;
    const names = fields && fields.length > 0 ? fields : Object.keys(spec.fields);
    const out: Vals = { id: record.id };
    for (const name of names) {
      if (!spec.fields[name]) throw valueError(`Invalid field ${JSON.stringify(name)} on model ${JSON.stringify(model)}`);
      out[name] = record[name] ?? false;
    }
    return out;
  }

  create(model: string, vals: unknown): number {
    if (model === 'stock.quant') throw userError("Quant's editing is restricted, you can't do this operation.");
    const table = this.table(model);
    const { values, lines } = convertVals(this, model, vals);
    const now = this.now();
    const record: OdooRecord = { ...this.defaults(model, table.nextId(), now), ...values };
    if (model === 'stock.picking' || model === 'stock.move') record['state'] = 'draft';
    if (model === 'stock.picking') this.locateDraftPicking(record);
    for (const [name, spec] of Object.entries(table.spec.fields)) {
      if (spec.required && (record[name] === false || record[name] === undefined)) throw mandatory(model, name, spec);
    }
    this.checkKey(table, record);
    table.insert(record);
    this.afterChange(model, record, values);
    if (lines) this.applyLineCommands(model, record, lines);
    return record.id;
  }

  write(model: string, ids: readonly number[], vals: unknown): true {
    if (model === 'stock.quant') throw userError("Quant's editing is restricted, you can't do this operation.");
    const table = this.table(model);
    const records = this.browse(model, ids);
    const { values, lines } = convertVals(this, model, vals);
    for (const [name, spec] of Object.entries(table.spec.fields)) {
      if (spec.required && name in values && values[name] === false) throw mandatory(model, name, spec);
    }
    const now = this.now();
    const quants = this.table('stock.quant');
    for (const record of records) {
      const quantKeys =
        model === 'product.product' ? this.quantsOf(record.id).map((quant) => [quant, quants.keyOf(quant)] as const) : [];
      this.checkKey(table, { ...record, ...values });
      table.update(record, () => Object.assign(record, values, { write_date: now }));
      for (const [quant, previousKey] of quantKeys) quants.rekey(quant, previousKey);
      this.afterChange(model, record, values);
      if (lines) this.applyLineCommands(model, record, lines);
    }
    return true;
  }

  /**
   * `stock_picking.py: _compute_location_id` for a draft picking: the operation type's default source and destination
   * where the picking names none (the partner's or the warehouse's locations otherwise: not modelled here).
   */
  private locateDraftPicking(picking: OdooRecord): void {
    const type = this.pointed('stock.picking.type', picking['picking_type_id']);
    if (picking['location_id'] === false) picking['location_id'] = type?.['default_location_src_id'] ?? false;
    if (picking['location_dest_id'] === false) picking['location_dest_id'] = type?.['default_location_dest_id'] ?? false;
  }

  /** The first location of a usage (the sandbox keeps one of each), as a many2one pair. */
  locationOf(usage: string): Many2one {
    const location = this.table('stock.location').all().find((one) => one['usage'] === usage);
    return location ? this.pairOf('stock.location', location) : false;
  }

  /**
   * An empty quant of a product at a location, as `stock_quant.py: create` in inventory mode makes one when `_gather`
   * finds none (a product that was never in stock has no quant).
   */
  emptyQuant(productId: number, location: Many2one): OdooRecord {
    const quants = this.table('stock.quant');
    const product = this.table('product.product').get(productId) as OdooRecord;
    const now = this.now();
    const quant: OdooRecord = {
      id: quants.nextId(),
      product_id: this.pairOf('product.product', product),
      location_id: location,
      quantity: 0,
      reserved_quantity: 0,
      inventory_quantity: 0,
      inventory_quantity_set: false,
      user_id: false,
      create_date: now,
      write_date: now,
    };
    quants.insert(quant);
    return quant;
  }

  quantsOf(productId: number): OdooRecord[] {
    return this.table('stock.quant')
      .all()
      .filter((quant) => Array.isArray(quant['product_id']) && quant['product_id'][0] === productId);
  }

  private checkKey(table: Table, record: OdooRecord): void {
    const key = table.spec.key;
    if (!key || key.via) return;
    const value = record[key.field];
    if (typeof value !== 'string' || value === '') return;
    const holder = table.holderOf(value, record.id);
    if (holder) {
      throw validationError(
        `${table.spec.fields[key.field]?.string ?? key.field} "${value}" is already used by ${table.spec.description} ` +
          `${holder.id}: it must be unique.`,
      );
    }
  }

  private defaults(model: string, id: number, now: string): OdooRecord {
    const spec = this.table(model).spec;
    const record: OdooRecord = { id };
    for (const [name, field] of Object.entries(spec.fields)) {
      if (name === 'id') continue;
      record[name] = field.type === 'float' ? 0 : field.type === 'one2many' ? [] : false;
    }
    Object.assign(record, { create_date: now, write_date: now });
    if (model === 'product.product') Object.assign(record, { list_price: 1, currency_id: this.currency });
    if (model === 'stock.picking') {
      Object.assign(record, { name: `WH/OUT/${String(id).padStart(5, '0')}` });
    }
    if (model === 'sale.order') {
      Object.assign(record, {
        name: `S${String(id).padStart(5, '0')}`,
        state: 'draft',
        date_order: now,
        currency_id: this.currency,
      });
    }
    return record;
  }


  /** Keeps what Odoo computes or relates in step with a change. */
  private afterChange(model: string, record: OdooRecord, values: Vals): void {
    const renamed = 'name' in values || 'default_code' in values;
    if (model === 'res.partner' && renamed) {
      for (const order of this.table('sale.order').all()) {
        if (Array.isArray(order['partner_id']) && order['partner_id'][0] === record.id) {
          order['partner_id'] = this.pairOf(model, record);
        }
      }
    }
    if (model === 'product.product' && renamed) {
      const pair = this.pairOf(model, record);
      for (const other of [...this.table('stock.quant').all(), ...this.table('sale.order.line').all()]) {
        if (Array.isArray(other['product_id']) && other['product_id'][0] === record.id) other['product_id'] = pair;
      }
    }
    if (model === 'stock.picking' && 'picking_type_id' in values) {
      record['picking_type_code'] = this.pointed('stock.picking.type', record['picking_type_id'])?.['code'] ?? false;
    }
    if (model === 'sale.order.line') {
      record['price_subtotal'] = roundAmount(Number(record['product_uom_qty']) * Number(record['price_unit']));
      const order = this.pointed('sale.order', record['order_id']);
      if (order) this.recomputeOrder(order);
    }
  }

  /** The records of a one2many, e.g. an order's `order_line`. */
  linesOf(model: string, record: OdooRecord, field: string): OdooRecord[] {
    const ids = Array.isArray(record[field]) ? (record[field] as number[]) : [];
    const lines = this.table(this.table(model).spec.fields[field]?.comodel ?? '');
    return ids.map((id) => lines.get(id)).filter((line): line is OdooRecord => line !== undefined);
  }

  /**
   * Deletes sale.order.line records; refused on a confirmed order, as
   * `addons/sale/models/sale_order_line.py: _unlink_except_confirmed` refuses it.
   */
  unlinkLines(lines: readonly OdooRecord[]): void {
    for (const line of lines) {
      const order = this.pointed('sale.order', line['order_id']);
      if (order?.['state'] === 'sale') {
        throw userError(
          "Once a sales order is confirmed, you can't remove one of its lines (we need to track if something gets " +
            'invoiced or delivered).\n Set the quantity to 0 instead.',
        );
      }
    }
    const table = this.table('sale.order.line');
    for (const line of lines) table.delete(line);
    const orders = new Set(lines.map((line) => this.pointed('sale.order', line['order_id'])));
    for (const order of orders) if (order) this.recomputeOrder(order);
  }

  private recomputeOrder(order: OdooRecord): void {
    const lines = this.table('sale.order.line')
      .all()
      .filter((line) => Array.isArray(line['order_id']) && line['order_id'][0] === order.id);
    const ids = lines.map((line) => line.id);
    const total = roundAmount(lines.reduce((sum, line) => sum + Number(line['price_subtotal']), 0));
    const before = order['order_line'] as number[];
    if (total !== order['amount_total'] || ids.join() !== before.join()) {
      Object.assign(order, { order_line: ids, amount_total: total });
    }
  }

  /** Odoo's x2many commands on a one2many: (0, 0, vals) create, (1, id, vals) update, (2|3, id) delete, (5) clear. */
  private applyLineCommands(model: string, owner: OdooRecord, { field, commands }: { field: string; commands: readonly unknown[] }): void {
    const spec = this.table(model).spec.fields[field];
    const comodel = spec?.comodel ?? '';
    const inverse = spec?.inverse ?? '';
    const lines = this.table(comodel);
    const remove = (doomed: OdooRecord[]): void => {
      if (comodel === 'sale.order.line') this.unlinkLines(doomed);
      else for (const line of doomed) lines.delete(line);
    };
    for (const command of commands) {
      if (!Array.isArray(command) || !Number.isInteger(command[0])) {
        throw valueError(`Invalid x2many command ${JSON.stringify(command)} on ${model}.${field}`);
      }
      const [code, id, vals] = command as [number, unknown, unknown];
      const owned = (): OdooRecord => {
        const line = Number.isInteger(id) ? lines.get(id as number) : undefined;
        if (!line || !Array.isArray(line[inverse]) || line[inverse][0] !== owner.id) throw missingError(comodel, [Number(id)]);
        return line;
      };
      switch (code) {
        case 0:
          this.create(comodel, { ...(vals as Vals), [inverse]: owner.id });
          break;
        case 1:
          this.write(comodel, [owned().id], vals);
          break;
        case 2:
        case 3:
          remove([owned()]);
          break;
        case 5:
          remove(this.linesOf(model, owner, field));
          break;
        default:
          throw valueError(`The x2many command ${code} is not supported by this ERP on ${model}.${field}`);
      }
    }
    this.relink(model, owner, field);
  }

  /** Keeps a one2many's id list in step with the records pointing back at its owner. */
  relink(model: string, owner: OdooRecord, field: string): void {
    if (model === 'sale.order' && field === 'order_line') {
      this.recomputeOrder(owner);
      return;
    }
    const spec = this.table(model).spec.fields[field];
    const inverse = spec?.inverse ?? '';
    owner[field] = this.table(spec?.comodel ?? '')
      .all()
      .filter((line) => Array.isArray(line[inverse]) && line[inverse][0] === owner.id)
      .map((line) => line.id);
  }
}

/** Odoo's default stock location (WH/Stock), the customers' and the inventory loss location (`stock/data/stock_data.xml`). */
export const STOCK_LOCATION: Many2one = [8, 'WH/Stock'];
export const CUSTOMER_LOCATION: Many2one = [5, 'Partners/Customers'];
export const INVENTORY_LOCATION: Many2one = [14, 'Virtual Locations/Inventory adjustment'];

function mandatory(model: string, name: string, field: FieldSpec): OdooError {
  return validationError(
    `The operation cannot be completed: a mandatory field is not set.\nModel: ${MODELS[model]?.description ?? model} ` +
      `(${model}), Field: ${field.string} (${name})`,
  );
}
