import { orderFollowers } from '../../src/writes/write-service';
import { aMatrix } from '../support/builders';

/** An order sync carries the whole order: it goes to every system that follows any field of it, once each. */
describe('orderFollowers', () => {
  it('is the followers of the status when only the status is followed (the demo before accounting)', () => {
    expect(orderFollowers(aMatrix().buildForWrites())).toEqual(['erp']);
  });

  it('adds a system that follows other fields of the order one way (an accounting system follows number and total)', () => {
    const matrix = aMatrix().withOwner('Order', 'number', 'store', ['erp', 'xero']).withOwner('Order', 'total', 'store', ['xero']).buildForWrites();
    expect(orderFollowers(matrix)).toEqual(['erp', 'xero']);
  });
});
