import 'reflect-metadata';
import { graphql } from 'graphql';
import { Arg, Ctx, Field, FieldResolver, ID, Int, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { buildSubgraph } from '../../subgraphs/kit';

/**
 * subgraphs/kit/lean-resolvers.ts: a subgraph's fields answer what type-graphql's own resolvers answer, without their
 * per-call machinery; what they cannot do alike (a root to convert, arguments) still goes through type-graphql.
 */
@ObjectType('LeanWidget')
class Widget {
  @Field(() => ID)
  id!: string;

  @Field(() => Int)
  count!: number;

  /** Asked of the object itself: a getter of its class (type-graphql converts a plain object into the class first). */
  @Field()
  get label(): string {
    return `widget ${this.id}`;
  }

  static of(id: string, count: number): Widget {
    return Object.assign(new Widget(), { id, count });
  }
}

interface LeanContext {
  readonly prefix: string;
}

/** What the field resolvers saw: the instance they ran on and the root they were given. */
const seen: { instance: object; root: unknown }[] = [];

@Resolver(() => Widget)
class WidgetResolver {
  @Query(() => [Widget])
  widgets(): Widget[] {
    return Array.from({ length: 50 }, (_, index) => Widget.of(`w${index}`, index));
  }

  /** A plain object, not a Widget: type-graphql converts it for the resolvers below and for `label`. */
  @Query(() => Widget)
  plainWidget(): Widget {
    return { id: 'plain', count: 7 } as Widget;
  }

  @FieldResolver(() => String)
  code(@Root() widget: Widget, @Ctx() context: LeanContext): string {
    seen.push({ instance: this, root: widget });
    return `${context.prefix}-${widget.id}-${widget instanceof Widget ? 'class' : 'plain'}`;
  }

  @FieldResolver(() => Int)
  times(@Root() widget: Widget, @Arg('by', () => Int) by: number): number {
    return widget.count * by;
  }
}

describe('lean resolvers', () => {
  const ask = async (source: string) => {
    const subgraph = await buildSubgraph<LeanContext>({ name: 'lean', resolvers: [WidgetResolver], createContext: () => ({ prefix: 'ctx' }) });
    return graphql({ schema: subgraph.schema, source, contextValue: subgraph.createContext({ headers: {} }) });
  };

  beforeEach(() => void (seen.length = 0));

  it('answers plain fields, getters, field resolvers and their arguments as type-graphql does', async () => {
    const result = await ask('{ widgets { id count label code times(by: 3) } }');
    expect(result.errors).toBeUndefined();
    const widgets = (result.data as { widgets: unknown[] }).widgets;
    expect(widgets).toHaveLength(50);
    expect(widgets[2]).toEqual({ id: 'w2', count: 2, label: 'widget w2', code: 'ctx-w2-class', times: 6 });
    // One instance of the resolver class for every call, as type-graphql's default container keeps.
    expect(new Set(seen.map((call) => call.instance)).size).toBe(1);
  });

  it('hands a root that is not of its class to type-graphql, which converts it', async () => {
    const result = await ask('{ plainWidget { id label code times(by: 2) } }');
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ plainWidget: { id: 'plain', label: 'widget plain', code: 'ctx-plain-class', times: 14 } });
    expect(seen[0]!.root).toBeInstanceOf(Widget);
  });

  it("runs no type-graphql machinery per field: no parameter list sorted per call (type-graphql's getParams sorts on every call)", async () => {
    const subgraph = await buildSubgraph<LeanContext>({ name: 'lean', resolvers: [WidgetResolver], createContext: () => ({ prefix: 'ctx' }) });
    const sort = jest.spyOn(Array.prototype, 'sort');
    try {
      const result = await graphql({ schema: subgraph.schema, source: '{ widgets { id count code } }', contextValue: subgraph.createContext({ headers: {} }) });
      expect(result.errors).toBeUndefined();
      expect(seen).toHaveLength(50);
      // A few for the query itself (its validation, the root field's type-graphql handler), none per widget.
      expect(sort.mock.calls.length).toBeLessThan(10);
    } finally {
      sort.mockRestore();
    }
  });
});
