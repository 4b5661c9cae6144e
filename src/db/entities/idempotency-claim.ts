import { Entity, Index, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/**
 * A row of `idempotency_claims`: a mutation being applied right now under an idempotency key, by one process. The
 * unique (operation, key) makes one process the key's applier among every process on this database; a copy of the
 * request that reaches another process waits for the receipt instead of running the same saga side by side. The row
 * goes when the mutation's audit row (its receipt) has committed; one left by a process that died expires with its
 * lease (its process renews it while it lives), and the next copy, or the sweep of interrupted writes, takes it over
 * and finishes the request with what the claim kept of it.
 */
@Entity({ tableName: 'idempotency_claims' })
@Unique({ name: 'idempotency_claims_operation_idempotency_key_unique', properties: ['operation', 'idempotencyKey'] })
@Index({ name: 'idempotency_claims_expires_at_index', properties: ['expiresAt'] })
export class IdempotencyClaimEntity {
  [OptionalProps]?: 'request' | 'fingerprint';

  /** This claim's own id: only the process that made it lets it go. */
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  /** The GraphQL mutation, e.g. "placeOrder". */
  @Property({ type: 'string', length: 64 })
  operation!: string;

  @Property({ type: 'string', length: 200, fieldName: 'idempotency_key' })
  idempotencyKey!: string;

  /** The token's subject that sent the key. */
  @Property({ type: 'string', length: 200 })
  actor!: string;

  @Property({ type: 'datetime', fieldName: 'claimed_at' })
  claimedAt!: Date;

  /** After this, the claim is taken to be a dead process's and may be taken over. */
  @Property({ type: 'datetime', fieldName: 'expires_at' })
  expiresAt!: Date;

  /**
   * What the key is bound to: the SHA-256 of the operation, the caller and the canonical input (src/writes/fingerprint.ts).
   * A copy of the request with another fingerprint is refused (IDEMPOTENCY_KEY_REUSED); the receipt inherits it.
   * Null only for claims made before it was kept.
   */
  @Property({ type: 'string', length: 64, nullable: true })
  fingerprint: string | null = null;

  /** The request itself, to finish it after its process died; null only for claims made before it was kept. */
  @Property({ type: 'json', nullable: true })
  request: { readonly input: unknown; readonly scopes: readonly string[] } | null = null;
}
