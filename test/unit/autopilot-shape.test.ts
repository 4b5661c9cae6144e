import { SeenShape, shapeOf } from '../../src/autopilot/shape';

/** The shape check of contract drift (src/autopilot/shape.ts): what counts as a change, and what does not. */
describe('the shape seen before', () => {
  const seen = (...answers: unknown[]) => {
    const shape = new SeenShape();
    return answers.map((answer) => shape.compare(shapeOf(answer)));
  };
  const order = (extra: Record<string, unknown> = {}) => ({ id: 'o1', total: 10, lines: [{ sku: 'a', quantity: 1 }], ...extra });

  it('names a renamed field and a changed type at once', () => {
    const [, renamed] = seen(order(), { id: 'o1', amount: 10, lines: [{ sku: 'a', quantity: 1 }] });
    expect(renamed).toEqual([{ field: 'amount', change: 'renamed from total' }]);
    const [, typed] = seen(order(), order({ total: '10' }));
    expect(typed).toEqual([{ field: 'total', change: 'type number → string' }]);
    const [, inList] = seen(order(), { id: 'o1', total: 10, lines: [{ sku: 'a', quantity: '1' }] });
    expect(inList).toEqual([{ field: 'lines[].quantity', change: 'type number → string' }]);
  });

  it('takes a null for no value, an empty list for no elements, and an optional field for what it is', () => {
    const changes = seen(order({ note: 'x' }), order({ note: null }), order({ lines: [] }), order(), order(), order(), order({ note: 'y' }));
    expect(changes.flat()).toEqual([]);
  });

  it('names a field that appears or disappears once the first answers have taught which fields are optional', () => {
    const settled = [order(), order(), order(), order(), order()];
    expect(seen(...settled, order({ discount: 2 })).at(-1)).toEqual([{ field: 'discount', change: 'appeared' }]);
    expect(seen(...settled, { id: 'o1', lines: [] }).at(-1)).toEqual([{ field: 'total', change: 'disappeared' }]);
    // Before that, a field that comes or goes is taken as optional, not as news.
    expect(seen(order(), order({ discount: 2 })).flat()).toEqual([]);
  });
});
