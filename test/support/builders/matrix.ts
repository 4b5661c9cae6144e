import { followersOf, ownerOf, type FieldRule, type SourceOfTruthMatrix } from '../../../src/domain';
import type { WriteMatrix } from '../../../src/writes/write-service';

const rule = (owner: string, followers: readonly string[], direction: FieldRule['direction'] = 'owner-to-followers'): FieldRule => ({
  owner: { kind: 'system', system: owner },
  followers,
  direction,
  conflict: direction === 'bidirectional' ? 'latest-timestamp-wins' : 'owner-wins',
});

/**
 * An Object Mother for the source-of-truth matrix: the demo's default (schema/source-of-truth.yaml, the fields the
 * write path and truth ask about), changed where a test says.
 */
export class MatrixBuilder {
  private entities: Record<string, Record<string, FieldRule>> = {
    Customer: {
      email: rule('store', ['crm', 'erp']),
      name: rule('store', ['crm', 'erp']),
      phone: rule('store', ['crm', 'erp']),
      segment: rule('crm', []),
      lifetimeValue: rule('crm', []),
    },
    Order: { status: rule('store', ['erp'], 'bidirectional') },
    InventoryItem: { onHand: rule('erp', ['store']), available: rule('erp', ['store']) },
  };

  /** Gives a field to `owner`, followed by `followers`. */
  withOwner(entity: string, field: string, owner: string, followers: readonly string[] = []): this {
    const current = this.entities[entity]?.[field];
    this.entities = {
      ...this.entities,
      [entity]: { ...this.entities[entity], [field]: { ...(current ?? rule(owner, followers)), owner: { kind: 'system', system: owner }, followers } },
    };
    return this;
  }

  /** The customer profile (email, name, phone) owned by `owner`, followed by the others. */
  withProfileOwnedBy(owner: string, followers: readonly string[]): this {
    for (const field of ['email', 'name', 'phone']) this.withOwner('Customer', field, owner, followers);
    return this;
  }

  /** Order status flowing one way only, owner wins (no conflict rule to apply). */
  withOrderStatusOneWay(): this {
    this.entities = { ...this.entities, Order: { status: rule('store', ['erp']) } };
    return this;
  }

  build(): SourceOfTruthMatrix {
    return { entities: Object.fromEntries(Object.entries(this.entities).map(([entity, fields]) => [entity, { fields }])) };
  }

  /** The matrix as the write path asks it (what the composition root builds from the declared matrix). */
  buildForWrites(): WriteMatrix {
    const matrix = this.build();
    return {
      ownerOf(entity, field) {
        const owner = ownerOf(matrix, entity, field);
        if (!owner) throw new Error(`the matrix names no single owner for ${entity}.${field}`);
        return owner;
      },
      followersOf: (entity, field) => followersOf(matrix, entity, field),
    };
  }
}

/** `aMatrix().withProfileOwnedBy('crm', ['store', 'erp']).buildForWrites()` */
export const aMatrix = (): MatrixBuilder => new MatrixBuilder();
