import type DataLoader from 'dataloader';
import { Ctx, Directive, Field, FieldResolver, ID, ObjectType, Resolver, Root } from 'type-graphql';
import type { CrmProfile, CustomerDirectory, CustomerSegment } from '../../src/domain';
import { type Awaitable, buildSubgraph, CustomerSegmentEnum, fieldOf, loaderOf, loadingReference, MoneyType, type Subgraph, portOf, type SubgraphFactory } from '../kit';

interface CrmContext {
  readonly profiles: DataLoader<string, CrmProfile | null>;
}

@ObjectType('Customer', { description: 'A customer of the business.' })
@Directive('@key(fields: "id")')
class CrmCustomer {
  @Field(() => ID, { description: 'The customer\'s id in the graph (the new site\'s id).' })
  id!: string;
}

@Resolver(() => CrmCustomer)
class CrmCustomerResolver {
  @FieldResolver(() => CustomerSegmentEnum, { nullable: true, description: 'Marketing segment; the CRM owns it.' })
  segment(@Root() customer: CrmCustomer, @Ctx() context: CrmContext): Awaitable<CustomerSegment | null> {
    return fieldOf(customer, () => context.profiles.load(customer.id), (profile) => profile?.segment ?? null);
  }

  @FieldResolver(() => MoneyType, { nullable: true, description: 'What the customer has spent over all time, as the CRM computes it.' })
  lifetimeValue(@Root() customer: CrmCustomer, @Ctx() context: CrmContext): Awaitable<MoneyType | null> {
    return fieldOf(customer, () => context.profiles.load(customer.id), (profile) => profile && MoneyType.of(profile.lifetimeValue));
  }
}

/** The CRM: owner of the customer's segment and lifetime value. */
export function createCrmSubgraph(deps: { readonly directory: CustomerDirectory }): Promise<Subgraph<CrmContext>> {
  return buildSubgraph<CrmContext>({
    name: 'crm',
    resolvers: [CrmCustomerResolver],
    orphanedTypes: [CrmCustomer],
    referenceResolvers: {
      Customer: {
        __resolveReference: loadingReference(
          (reference: { id: string }) => Object.assign(new CrmCustomer(), { id: reference.id }),
          (reference, context: CrmContext) => context.profiles.load(reference.id),
        ),
      },
    },
    createContext: () => ({ profiles: loaderOf(deps.directory.findByCustomerIds) }),
  });
}

/** This subgraph, built from the estate's ports (the registry's loop in subgraphs/index.ts finds it by its name). */
export const subgraph: SubgraphFactory = (ports) => createCrmSubgraph({ directory: portOf<CustomerDirectory>(ports, 'directory', 'crm') });
