import { loadConfig } from '../../src/config/config';
import { connectionsFromConfig, environmentOf } from '../../src/estate/connections';
import { courierBSystem } from '../../src/systems/courier-b';
import { COURIER_B_SANDBOX_SHIP_FROM } from '../../src/systems/courier-b/sandbox';

/** Courier B's booking account comes from configuration: carrier, service and sender, validated at start. */
describe('courier B settings', () => {
  const sandboxConnection = courierBSystem.sandbox!.connection('http://127.0.0.1:4105', { pki: undefined as never, tuning: {} });
  const environment = { ...environmentOf({ 'courier-b': sandboxConnection }, '/nonexistent') };

  it('round-trips the carrier, the service and the sender through the environment (PLUGBOARD_SANDBOXES=off)', () => {
    const connections = connectionsFromConfig(loadConfig(environment), ['courier-b']);

    expect(connections['courier-b']).toMatchObject({
      carrierId: 'se-100001',
      serviceCode: 'courier_b_standard',
      shipFrom: COURIER_B_SANDBOX_SHIP_FROM,
    });
  });

  it('stops a start without the carrier or service, naming each', () => {
    const { COURIER_B_CARRIER_ID: _carrier, COURIER_B_SERVICE_CODE: _service, ...without } = environment;

    expect(() => connectionsFromConfig(loadConfig(without), ['courier-b'])).toThrow(/COURIER_B_CARRIER_ID[\s\S]*COURIER_B_SERVICE_CODE/);
  });

  it('refuses a sender that is not an address, naming the variable', () => {
    expect(() => loadConfig({ ...environment, COURIER_B_SHIP_FROM: '{"name":"no street"}' })).toThrow(/COURIER_B_SHIP_FROM/);
    expect(() => loadConfig({ ...environment, COURIER_B_SHIP_FROM: 'Westerdok 12' })).toThrow(/COURIER_B_SHIP_FROM/);
  });
});
