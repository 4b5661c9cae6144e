import { loadConfig } from '../../src/config/config';
import { connectionsFromConfig, environmentOf } from '../../src/estate/connections';
import { courierASystem } from '../../src/systems/courier-a';
import { COURIER_A_SANDBOX_CREDENTIALS } from '../../src/systems/courier-a/sandbox';

/** Courier A's Canada Post account comes from configuration: API key, customer number, contract, service, sender. */
describe('courier A settings', () => {
  const sandboxConnection = courierASystem.sandbox!.connection('https://127.0.0.1:4104', { pki: { ca: 'CA PEM' } as never, tuning: {} });
  // Against Canada Post no CA file is set: the system's CAs are trusted.
  const { COURIER_A_CA_FILE: _ca, ...environment } = environmentOf({ 'courier-a': sandboxConnection }, '/nonexistent');

  it('round-trips the API key, the contract account and the sender through the environment (PLUGBOARD_SANDBOXES=off)', () => {
    const connections = connectionsFromConfig(loadConfig(environment), ['courier-a']);

    expect(connections['courier-a']).toMatchObject({
      username: COURIER_A_SANDBOX_CREDENTIALS.username,
      password: COURIER_A_SANDBOX_CREDENTIALS.password,
      account: { ...COURIER_A_SANDBOX_CREDENTIALS.account, declaredParcelWeightKg: 1 },
    });
    expect(connections['courier-a']).not.toHaveProperty('tls');
  });

  it('stops a start without the customer number, the contract or the service, naming each', () => {
    const { COURIER_A_CUSTOMER_NUMBER: _customer, COURIER_A_CONTRACT_ID: _contract, COURIER_A_SERVICE_CODE: _service, ...without } = environment;

    expect(() => connectionsFromConfig(loadConfig(without), ['courier-a'])).toThrow(/COURIER_A_CUSTOMER_NUMBER[\s\S]*COURIER_A_CONTRACT_ID[\s\S]*COURIER_A_SERVICE_CODE/);
  });

  it('refuses a customer number that is not digits and a sender without a phone, naming the variable', () => {
    expect(() => loadConfig({ ...environment, COURIER_A_CUSTOMER_NUMBER: 'C2004381' })).toThrow(/COURIER_A_CUSTOMER_NUMBER/);
    expect(() => loadConfig({ ...environment, COURIER_A_SENDER: '{"company":"Shop","address":{"line1":"1 Main St","city":"Ottawa","region":"ON","postalCode":"K1A0B1","countryCode":"CA"}}' })).toThrow(/COURIER_A_SENDER/);
    expect(() => loadConfig({ ...environment, COURIER_A_SENDER: '2701 Riverside Dr' })).toThrow(/COURIER_A_SENDER/);
  });
});
