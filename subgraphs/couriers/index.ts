import DataLoader from 'dataloader';
import { Ctx, Directive, Field, FieldResolver, ID, ObjectType, Resolver, Root } from 'type-graphql';
import type { Courier, Shipment, ShipmentStatus } from '../../src/domain';
import { type Awaitable, buildSubgraph, fieldOf, loadingReference, reportStale, ShipmentStatusEnum, type Subgraph, type SubgraphFactory } from '../kit';
import { ShipmentLabelType, ShipmentTrackingType } from './types';

interface CouriersContext {
  readonly byOrder: DataLoader<string, readonly Shipment[]>;
}

@ObjectType('Shipment', { description: 'A parcel on its way, as the courier that carries it (its owner) reports it.' })
@Directive('@key(fields: "id")')
class ShipmentType {
  @Field(() => ID, { description: 'Unique across couriers: "<courier>:<the courier\'s id>".' })
  id!: string;

  @Field({ description: 'The courier that carries it, by its system name, e.g. "courier-a".' })
  carrier!: string;

  @Field({ description: 'The courier\'s tracking number.' })
  trackingNumber!: string;

  @Field(() => ShipmentStatusEnum, { description: 'Where the shipment stands.' })
  status!: ShipmentStatus;

  @Field(() => ShipmentLabelType, { nullable: true, description: 'The shipping label bought from the carrier; null while none is.' })
  label!: ShipmentLabelType | null;

  @Field(() => ShipmentTrackingType, { nullable: true, description: 'The carrier\'s tracking as last read; null when the courier reports none.' })
  tracking!: ShipmentTrackingType | null;

  static of(shipment: Shipment): ShipmentType {
    return Object.assign(new ShipmentType(), {
      id: shipment.id,
      carrier: shipment.carrier,
      trackingNumber: shipment.trackingNumber,
      status: shipment.status,
      label: shipment.label ? ShipmentLabelType.of(shipment.label) : null,
      tracking: shipment.tracking ? ShipmentTrackingType.of(shipment.tracking) : null,
    });
  }
}

@ObjectType('Order', { description: 'An order placed by a customer.' })
@Directive('@key(fields: "id")')
class CouriersOrder {
  @Field(() => ID, { description: 'The order\'s id in the graph.' })
  id!: string;
}

@Resolver(() => CouriersOrder)
class OrderShipmentsResolver {
  // Nullable: when a courier cannot be asked (and holds no stale copy), the order still comes back, its shipments null
  // with an error naming the courier; a non-null list would null the order, and with it the whole page of orders.
  @FieldResolver(() => [ShipmentType], {
    nullable: true,
    description: 'Shipments of the order, from every courier that carries part of it; null, with an error naming the courier, when one of them cannot be asked.',
  })
  shipments(@Root() order: CouriersOrder, @Ctx() context: CouriersContext): Awaitable<ShipmentType[]> {
    return fieldOf(order, () => context.byOrder.load(order.id), (found) => found.map(ShipmentType.of));
  }
}

/**
 * The couriers: one subgraph over every courier adapter, because `Order.shipments` is one field that an order's
 * couriers fill together (an order can fan out to several). Each courier is still its own system and adapter.
 */
export function createCouriersSubgraph(deps: { readonly couriers: readonly Courier[] }): Promise<Subgraph<CouriersContext>> {
  return buildSubgraph<CouriersContext>({
    name: 'couriers',
    resolvers: [OrderShipmentsResolver],
    orphanedTypes: [CouriersOrder, ShipmentType],
    referenceResolvers: {
      Order: {
        __resolveReference: loadingReference(
          (reference: { id: string }) => Object.assign(new CouriersOrder(), { id: reference.id }),
          (reference, context: CouriersContext) => context.byOrder.load(reference.id),
        ),
      },
    },
    createContext: () => ({
      byOrder: new DataLoader<string, readonly Shipment[]>(
        async (orderIds) => {
          const perCourier = await Promise.all(deps.couriers.map((courier) => courier.findByOrderIds(orderIds)));
          // A courier that is down may be answered from its last copy: the response says which orders and as of when.
          for (const found of perCourier) reportStale(found);
          return orderIds.map((orderId) =>
            perCourier.flatMap((found) => found.get(orderId) ?? []).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime()),
          );
        },
        // No cap of our own: each courier reads a batch as its vendor allows (courier B lists a page, courier A asks
        // order by order).
      ),
    }),
  });
}

/** This subgraph, built from the estate's ports (the registry's loop in subgraphs/index.ts finds it by its name). */
export const subgraph: SubgraphFactory = (ports) => createCouriersSubgraph({ couriers: ports.couriers ?? [] });
