import type DataLoader from 'dataloader';
import { Arg, Ctx, Directive, Field, FieldResolver, Int, ObjectType, Query, Resolver, Root } from 'type-graphql';
import type { Erp, InventoryItem } from '../../src/domain';
import { type Awaitable, buildSubgraph, fieldOf, loaderOf, loadingReference, MoneyType, type Subgraph, portOf, type SubgraphFactory } from '../kit';

interface ErpContext {
  readonly items: DataLoader<string, InventoryItem | null>;
}

@ObjectType('InventoryItem', { description: 'A stock-keeping unit as the ERP, the owner of inventory and prices, holds it.' })
@Directive('@key(fields: "sku")')
class ErpInventoryItem {
  @Field({ description: 'Stock-keeping unit code.' })
  sku!: string;
}

@Resolver(() => ErpInventoryItem)
class InventoryItemResolver {
  @Query(() => ErpInventoryItem, { nullable: true, description: 'One inventory item by SKU.' })
  async inventoryItem(@Arg('sku', { description: 'Stock-keeping unit code.' }) sku: string, @Ctx() context: ErpContext): Promise<ErpInventoryItem | null> {
    return (await context.items.load(sku)) && Object.assign(new ErpInventoryItem(), { sku });
  }

  @FieldResolver(() => String, { nullable: true, description: 'Product name.' })
  name(@Root() item: ErpInventoryItem, @Ctx() context: ErpContext): Awaitable<string | null> {
    return fieldOf(item, () => context.items.load(item.sku), (found) => found?.name ?? null);
  }

  @FieldResolver(() => Int, { nullable: true, description: 'Units physically in stock.' })
  onHand(@Root() item: ErpInventoryItem, @Ctx() context: ErpContext): Awaitable<number | null> {
    return fieldOf(item, () => context.items.load(item.sku), (found) => found?.onHand ?? null);
  }

  @FieldResolver(() => Int, { nullable: true, description: 'Units that can still be promised: on hand minus reserved.' })
  available(@Root() item: ErpInventoryItem, @Ctx() context: ErpContext): Awaitable<number | null> {
    return fieldOf(item, () => context.items.load(item.sku), (found) => found?.available ?? null);
  }

  @FieldResolver(() => MoneyType, { nullable: true, description: 'List price of one unit.' })
  price(@Root() item: ErpInventoryItem, @Ctx() context: ErpContext): Awaitable<MoneyType | null> {
    return fieldOf(item, () => context.items.load(item.sku), (found) => found && MoneyType.of(found.price));
  }
}

/** The ERP: owner of inventory and prices. */
export function createErpSubgraph(deps: { readonly erp: Erp }): Promise<Subgraph<ErpContext>> {
  return buildSubgraph<ErpContext>({
    name: 'erp',
    resolvers: [InventoryItemResolver],
    orphanedTypes: [ErpInventoryItem],
    referenceResolvers: {
      InventoryItem: {
        __resolveReference: loadingReference(
          (reference: { sku: string }) => Object.assign(new ErpInventoryItem(), { sku: reference.sku }),
          (reference, context: ErpContext) => context.items.load(reference.sku),
        ),
      },
    },
    createContext: () => ({ items: loaderOf(deps.erp.findItemsBySkus) }),
  });
}

/** This subgraph, built from the estate's ports (the registry's loop in subgraphs/index.ts finds it by its name). */
export const subgraph: SubgraphFactory = (ports) => createErpSubgraph({ erp: portOf<Erp>(ports, 'erp', 'erp') });
