import type { ErpDatabase } from './database';
import type { FieldSpec } from './models';
import { OdooError, typeError, validationError, valueError } from './odoo-error';

/** Field values as Odoo takes them in create and write: checked and converted one by one. Internal to the ERP sandbox. */
type Vals = Record<string, unknown>;

/** Checks and converts written values field by field, as Odoo's `convert_to_cache` does. */
export function convertVals(db: ErpDatabase, model: string, vals: unknown): { values: Vals; lines: { field: string; commands: unknown[] } | null } {
  if (vals === null || typeof vals !== 'object' || Array.isArray(vals)) {
    throw typeError(`${model}: values must be a dictionary of field names to values, got ${JSON.stringify(vals)}`);
  }
  const spec = db.table(model).spec;
  const values: Vals = {};
  let lines: { field: string; commands: unknown[] } | null = null;
  for (const [name, value] of Object.entries(vals)) {
    const field = spec.fields[name];
    if (!field) throw valueError(`Invalid field ${JSON.stringify(name)} on model ${JSON.stringify(model)}`);
    if (field.type === 'one2many' && !field.computed) {
      if (!Array.isArray(value)) throw valueError(`Wrong value for ${model}.${name}: ${JSON.stringify(value)}`);
      lines = { field: name, commands: value };
      continue;
    }
    if (field.computed) continue;
    values[name] = convertValue(db, model, name, field, value);
  }
  return { values, lines };
}

function convertValue(db: ErpDatabase, model: string, name: string, field: FieldSpec, value: unknown): unknown {
  const wrong = (): OdooError => valueError(`Wrong value for ${model}.${name}: ${JSON.stringify(value)}`);
  if (value === null || value === false) return field.type === 'float' ? 0 : false;
  switch (field.type) {
    case 'integer':
      if (!Number.isInteger(value)) throw wrong();
      return value;
    case 'boolean':
      return Boolean(value);
    case 'float':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw wrong();
      return value;
    case 'char':
      if (typeof value === 'number') return String(value);
      if (typeof value !== 'string') throw wrong();
      return value === '' ? false : value;
    case 'datetime': {
      if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2})?$/.test(value)) {
        throw valueError(`${JSON.stringify(value)} does not match format "%Y-%m-%d %H:%M:%S" (${model}.${name})`);
      }
      return value.length === 10 ? `${value} 00:00:00` : value;
    }
    case 'selection':
      if (!field.selection?.includes(value as string)) throw wrong();
      return value;
    case 'many2one': {
      if (!Number.isInteger(value)) throw wrong();
      const target = db.table(field.comodel ?? '').get(value as number);
      if (!target) {
        throw validationError(
          `The operation cannot be completed: ${field.string} (${name}) points at ${field.comodel} ` +
            `${String(value)}, which does not exist.`,
        );
      }
      return db.pairOf(field.comodel ?? '', target);
    }
    case 'one2many':
      throw wrong();
  }
}
