import { AlertEntity } from './alert';
import { ConflictEntity } from './conflict';
import { ContractDriftEntity } from './contract-drift';
import { CourierBookingEntity } from './courier-booking';
import { CustomerEntity } from './customer';
import { DriftEntity } from './drift';
import { IdempotencyClaimEntity } from './idempotency-claim';
import { IntegrationLogEntity } from './integration-log';
import { MutationAuditEntity } from './mutation-audit';
import { OrderEntity } from './order';
import { OrderLineEntity } from './order-line';
import { OutboxJobEntity } from './outbox-job';
import { ReconciliationDayEntity } from './reconciliation-day';
import { ShadowStateEntity } from './shadow-state';
import { WebhookEventEntity } from './webhook-event';

export { CustomerEntity, OrderEntity, OrderLineEntity };
export { AlertEntity, ConflictEntity, DriftEntity, IdempotencyClaimEntity, IntegrationLogEntity, MutationAuditEntity, OutboxJobEntity };
export { WebhookEventEntity };
export { ContractDriftEntity };
export { CourierBookingEntity };
export type { ContractDriftSource } from './contract-drift';
export type { AlertKind } from './alert';
export type { ConflictRule } from './conflict';
export type { IntegrationDirection, IntegrationOutcome } from './integration-log';
export type { MutationResult } from './mutation-audit';
export type { OutboxJobState } from './outbox-job';
export { ReconciliationDayEntity, ShadowStateEntity };
export type { EntityOwner } from './shadow-state';
export type { WebhookEventOutcome } from './webhook-event';

/**
 * Every entity of our database, given to MikroORM explicitly (no folder discovery). A new table is one file in this
 * folder plus one entry here, then `node -r @swc-node/register src/db/create-migration.ts`.
 */
export const ENTITIES = [
  CustomerEntity,
  OrderEntity,
  OrderLineEntity,
  IntegrationLogEntity,
  MutationAuditEntity,
  IdempotencyClaimEntity,
  DriftEntity,
  ConflictEntity,
  OutboxJobEntity,
  AlertEntity,
  WebhookEventEntity,
  ShadowStateEntity,
  ReconciliationDayEntity,
  ContractDriftEntity,
  CourierBookingEntity,
] as const;
