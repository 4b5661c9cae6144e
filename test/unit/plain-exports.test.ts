import { exportsOf, PLAIN_EXPORT_PACKAGES } from '../../src/gateway/plain-exports';
import { gatewayOverOneCustomer, type OneCustomerGateway } from '../support/stand-ins';

/**
 * The gateway reads Apollo's federation packages through plain properties instead of their index's getters
 * (src/gateway/plain-exports.ts). That is only right while no package reassigns an export after loading: checked here
 * after the gateway has planned and served a query, when anything lazily set would have been set.
 */

let served: OneCustomerGateway;

beforeAll(async () => {
  served = await gatewayOverOneCustomer();
});

afterAll(async () => {
  await served?.close();
});

it.each(PLAIN_EXPORT_PACKAGES)('%s: plain properties with the values its own exports hold after a served query', async (name) => {
  const { body } = await served.ask('{ customer(id: "cus-00001") { id name } }');
  expect(body).toEqual({ data: { customer: { id: 'cus-00001', name: 'Ada Lovelace' } } });

  const { required, original } = exportsOf(name);
  expect(original).toBeDefined();
  expect(required).not.toBe(original);
  const keys = Object.keys(original!);
  expect(keys.length).toBeGreaterThan(5);
  expect(Object.keys(required)).toEqual(keys);
  // One export is ours on purpose: the executor's operationFromDocument keeps the operation of a document it has seen
  // (src/gateway/kept-operations.ts), and wraps the original.
  const differing = keys.filter((key) => required[key] !== original![key]);
  const wrapped = name === '@apollo/federation-internals' ? ['operationFromDocument'] : [];
  expect(differing).toEqual(wrapped);
  for (const key of wrapped) expect((required[key] as { original?: unknown }).original).toBe(original![key]);
  const getters = keys.filter((key) => Object.getOwnPropertyDescriptor(required, key)?.get);
  expect(getters).toEqual([]);
  expect(required['__esModule']).toBe(true);
});

it('is installed by the gateway itself: loading the gateway alone leaves no getter on the packages it reads', () => {
  jest.isolateModules(() => {
    require('../../src/gateway/create-gateway');
    for (const name of PLAIN_EXPORT_PACKAGES) {
      const exported = require(name) as Record<string, unknown>;
      const getters = Object.keys(exported).filter((key) => Object.getOwnPropertyDescriptor(exported, key)?.get);
      expect(getters).toEqual([]);
    }
  });
});
