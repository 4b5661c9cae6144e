import type { ModelSpec, OdooRecord } from './models';

/**
 * One model's records: by Odoo id, and mirrored into the `/_sandbox/records` collection under our id for the record
 * (the model's key). Internal to the ERP sandbox.
 */
export class Table {
  private readonly byId = new Map<number, OdooRecord>();
  private lastId = 0;

  constructor(
    readonly spec: ModelSpec,
    private readonly collection: Map<string, OdooRecord>,
    /** Our id for a record (the collection key), or null when it carries none. */
    private readonly businessKey: (record: OdooRecord) => string | null,
  ) {}

  nextId(): number {
    this.lastId += 1;
    return this.lastId;
  }

  get(id: number): OdooRecord | undefined {
    return this.byId.get(id);
  }

  all(): OdooRecord[] {
    return [...this.byId.values()];
  }

  keyOf(record: OdooRecord): string {
    return this.businessKey(record) ?? (this.spec.key ? `#${record.id}` : String(record.id));
  }

  /** The record other than `except` that already carries this business key, if any. */
  holderOf(key: string, except?: number): OdooRecord | undefined {
    const holder = this.collection.get(key);
    return holder && holder.id !== except ? holder : undefined;
  }

  insert(record: OdooRecord): void {
    this.byId.set(record.id, record);
    this.lastId = Math.max(this.lastId, record.id);
    this.collection.set(this.keyOf(record), record);
  }

  /** Applies a change to a record, moving it in the collection when its key changed. */
  update(record: OdooRecord, change: () => void): void {
    const before = this.keyOf(record);
    change();
    const after = this.keyOf(record);
    if (before !== after) {
      this.collection.delete(before);
      this.collection.set(after, record);
    }
  }

  /** Moves a record whose key changed through another record (a quant when its product's code changed). */
  rekey(record: OdooRecord, previousKey: string): void {
    const key = this.keyOf(record);
    if (key === previousKey) return;
    this.collection.delete(previousKey);
    this.collection.set(key, record);
  }

  delete(record: OdooRecord): void {
    this.byId.delete(record.id);
    this.collection.delete(this.keyOf(record));
  }
}
