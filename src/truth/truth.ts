import DataLoader from 'dataloader';
import type { ConflictLog } from '../audit/conflicts';
import type { DriftLog } from '../audit/drift';
import {
  followersOf,
  ownerOf,
  ruleFor,
  type BatchRead,
  type Customer,
  type CustomerDirectory,
  type Erp,
  type ErpOrder,
  type Order,
  type SourceOfTruthMatrix,
} from '../domain';
import { currentMatrixChoices, type LosingCopy } from './lineage';

/** The profile fields every system that holds a customer keeps. */
export const PROFILE_FIELDS = ['email', 'name', 'phone'] as const;
export type ProfileField = (typeof PROFILE_FIELDS)[number];
type Profile = Readonly<Record<ProfileField, string | null>>;

export interface TruthDeps {
  readonly matrix: SourceOfTruthMatrix;
  readonly directory: CustomerDirectory;
  readonly erp: Erp;
  readonly drift: DriftLog;
  readonly conflicts: ConflictLog;
  /** Applies the winning version of a bidirectional order to the site's store (the site follows the ERP there). */
  readonly applyOrderStatus: (order: Order, winner: ErpOrder) => Promise<void>;
  /** Told when a background check fails (a follower down must never fail a read). */
  readonly onError?: (error: unknown) => void;
}

/** Source-of-truth resolution for one request: who owns a field decides what is served; disagreement is recorded. */
export interface RequestTruth {
  /** The value of a profile field from its owner; followers that disagree are recorded as drift, in the background. */
  customerField(customer: Customer, field: ProfileField): Promise<string | null>;
  /** An order with its bidirectional fields settled by the matrix's conflict rule (latest timestamp wins). */
  order(order: Order): Promise<Order>;
}

const normalise = (field: ProfileField, value: string | null | undefined): string | null => {
  const text = (value ?? '').trim();
  if (!text) return null;
  return field === 'email' ? text.toLowerCase() : text;
};

/** Source-of-truth resolution, made once per process; each request gets its own loaders. */
export interface Truth {
  /**
   * `onAnswer` hears every answer read from a system for this request, so that copies served stale (the system down,
   * its last answer from the cache) are reported in the response.
   */
  forRequest(store: { customers: DataLoader<string, Customer | null> }, onAnswer?: (answer: unknown) => void): RequestTruth;
}

export function createTruth(deps: TruthDeps): Truth {
  const report = (error: unknown) => deps.onError?.(error);
  return {
    forRequest(store, onAnswer) {
      /** Keys whose copy was served stale, per system: an old copy is no evidence of drift. */
      const stale = new Set<string>();
      const loader = <T>(system: string, read: BatchRead<T>) =>
        new DataLoader<string, T | null>(async (keys) => {
          const found = await read(keys);
          onAnswer?.(found);
          for (const key of found.stale?.asOf.keys() ?? []) stale.add(`${system}|${key}`);
          return keys.map((key) => found.get(key) ?? null);
        });
      const profiles: Record<string, DataLoader<string, Profile | null>> = {
        store: store.customers as DataLoader<string, Profile | null>,
        crm: loader('crm', deps.directory.findByCustomerIds),
        erp: loader('erp', deps.erp.findPartnersByCustomerIds),
      };
      const erpOrders = loader('erp', deps.erp.findOrdersByOrderIds);
      const checked = new Set<string>();

      const checkFollowers = (customer: Customer, field: ProfileField, owner: string, ownerValue: string | null) => {
        for (const follower of followersOf(deps.matrix, 'Customer', field)) {
          const key = `${customer.id}|${field}|${follower}`;
          const reader = profiles[follower];
          if (!reader || follower === owner || checked.has(key)) continue;
          checked.add(key);
          reader
            .load(customer.id)
            .then(async (copy) => {
              if (!copy || stale.has(`${follower}|${customer.id}`)) return;
              const followerValue = normalise(field, copy[field]);
              if (followerValue === normalise(field, ownerValue)) return;
              await deps.drift.observe({ entity: 'Customer', entityId: customer.id, field, ownerSystem: owner, ownerValue, followerSystem: follower, followerValue: copy[field] });
            })
            .catch(report);
        }
      };

      /** The followers whose copies disagree with the owner's value (a request asking for lineage waits for them). */
      const losersOf = async (customer: Customer, field: ProfileField, owner: string, ownerValue: string | null): Promise<LosingCopy[]> => {
        const losers: LosingCopy[] = [];
        for (const follower of followersOf(deps.matrix, 'Customer', field)) {
          const reader = profiles[follower];
          if (!reader || follower === owner) continue;
          const copy = await reader.load(customer.id).catch(() => null);
          if (!copy || stale.has(`${follower}|${customer.id}`)) continue;
          if (normalise(field, copy[field]) !== normalise(field, ownerValue)) losers.push({ system: follower, value: copy[field] });
        }
        return losers;
      };

      return {
        async customerField(customer, field) {
          const owner = ownerOf(deps.matrix, 'Customer', field) ?? 'store';
          const reader = profiles[owner];
          const value = owner === 'store' || !reader ? customer[field] : ((await reader.load(customer.id))?.[field] ?? null);
          const choices = currentMatrixChoices();
          if (choices) {
            const losers = await losersOf(customer, field, owner, value);
            choices.chose({ entity: 'Customer', entityId: customer.id, field, system: owner, rule: 'owner-wins', losers });
          }
          checkFollowers(customer, field, owner, value);
          return value;
        },

        async order(order) {
          const rule = ruleFor(deps.matrix, 'Order', 'status');
          if (rule?.direction !== 'bidirectional' || rule.conflict !== 'latest-timestamp-wins' || !rule.followers.includes('erp')) return order;
          // The ERP's copy decides only when it is newer; when the ERP cannot be read, the site's version stands.
          const copy = await erpOrders.load(order.id).catch((error: unknown) => {
            report(error);
            return null;
          });
          const choices = currentMatrixChoices();
          // An old copy of the ERP's order (served while the ERP is down) neither wins nor makes a conflict.
          if (!copy || copy.status === order.status || stale.has(`erp|${order.id}`)) {
            choices?.chose({ entity: 'Order', entityId: order.id, field: 'status', system: 'store', rule: 'latest-timestamp-wins', losers: [] });
            return order;
          }
          const erpIsNewer = copy.updatedAt.getTime() > order.updatedAt.getTime();
          const [winner, loser] = erpIsNewer
            ? [{ system: 'erp', status: copy.status, at: copy.updatedAt }, { system: 'store', status: order.status, at: order.updatedAt }]
            : [{ system: 'store', status: order.status, at: order.updatedAt }, { system: 'erp', status: copy.status, at: copy.updatedAt }];
          choices?.chose({
            entity: 'Order',
            entityId: order.id,
            field: 'status',
            system: winner.system,
            rule: 'latest-timestamp-wins',
            losers: [{ system: loser.system, value: loser.status }],
          });
          void deps.conflicts
            .record({
              entity: 'Order',
              entityId: order.id,
              field: 'status',
              winnerSystem: winner.system,
              winnerValue: { status: winner.status, updatedAt: winner.at.toISOString() },
              winnerTimestamp: winner.at,
              loserSystem: loser.system,
              loserValue: { status: loser.status, updatedAt: loser.at.toISOString() },
              loserTimestamp: loser.at,
              rule: 'latest-timestamp-wins',
            })
            .catch(report);
          if (!erpIsNewer) return order;
          await deps.applyOrderStatus(order, copy).catch(report);
          return { ...order, status: copy.status, updatedAt: copy.updatedAt };
        },
      };
    },
  };
}
