import { foldRepresentations } from '../../src/gateway/distinct-representations';

const product = (upc: string) => ({ __typename: 'Product', upc });

describe('entity fetches name each entity once', () => {
  it('sends the distinct representations, in first-seen order, and spreads the answer back over every place', () => {
    const variables = { representations: [product('a'), product('b'), product('a'), product('c'), product('b'), product('a')], first: 5 };
    const fetch = foldRepresentations(variables);
    expect(fetch.variables).toEqual({ representations: [product('a'), product('b'), product('c')], first: 5 });

    const answer = fetch.spread({
      data: { _entities: [{ name: 'A', reviews: [{ id: 'r1' }] }, { name: 'B', reviews: [] }, null] },
      extensions: { stale: [] },
    });
    expect(answer.extensions).toEqual({ stale: [] });
    const entities = answer.data?.['_entities'] as { name: string; reviews: { id: string }[] }[];
    expect(entities).toEqual([
      { name: 'A', reviews: [{ id: 'r1' }] },
      { name: 'B', reviews: [] },
      { name: 'A', reviews: [{ id: 'r1' }] },
      null,
      { name: 'B', reviews: [] },
      { name: 'A', reviews: [{ id: 'r1' }] },
    ]);
    // Each place has objects of its own: the gateway merges later fetches into each one separately.
    expect(entities[2]).not.toBe(entities[0]);
    expect(entities[2]!.reviews[0]).not.toBe(entities[0]!.reviews[0]);
    entities[5]!.reviews[0]!.id = 'changed';
    expect(entities[0]!.reviews[0]!.id).toBe('r1');
  });

  it('gives an error about a distinct entity to every place it came from; other errors stay as they are', () => {
    const fetch = foldRepresentations({ representations: [product('a'), product('b'), product('a')] });
    const answer = fetch.spread({
      data: { _entities: [null, { name: 'B' }] },
      errors: [
        { message: 'no such product', path: ['_entities', 0, 'name'], extensions: { code: 'NOT_FOUND' } },
        { message: 'the whole fetch', extensions: { code: 'UPSTREAM_UNAVAILABLE' } },
      ],
    });
    expect(answer.errors).toEqual([
      { message: 'no such product', path: ['_entities', 0, 'name'], extensions: { code: 'NOT_FOUND' } },
      { message: 'no such product', path: ['_entities', 2, 'name'], extensions: { code: 'NOT_FOUND' } },
      { message: 'the whole fetch', extensions: { code: 'UPSTREAM_UNAVAILABLE' } },
    ]);
    expect(answer.data?.['_entities']).toEqual([null, { name: 'B' }, null]);
  });

  it('sends the variables as they are when every representation is distinct, or there are none', () => {
    for (const variables of [{ representations: [product('a'), product('b')] }, { first: 5 }, undefined]) {
      const fetch = foldRepresentations(variables);
      expect(fetch.variables).toBe(variables);
      const answer = { data: { _entities: [{ name: 'A' }] } };
      expect(fetch.spread(answer)).toBe(answer);
    }
  });

  it('leaves data of the wrong shape for the gateway to refuse, and still sends its errors to the right places', () => {
    const fetch = foldRepresentations({ representations: [product('a'), product('b'), product('a')] });
    const short = { data: { _entities: [{ name: 'A' }] } };
    expect(fetch.spread(short)).toEqual(short);

    const failed = fetch.spread({
      data: null,
      errors: [
        { message: 'a is broken', path: ['_entities', 0] },
        { message: 'no such slot', path: ['_entities', 7] },
      ],
    });
    expect(failed).toEqual({
      data: null,
      errors: [
        { message: 'a is broken', path: ['_entities', 0] },
        { message: 'a is broken', path: ['_entities', 2] },
        { message: 'no such slot', path: ['_entities', 7] },
      ],
    });
  });
});
