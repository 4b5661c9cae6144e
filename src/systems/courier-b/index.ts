import { z } from 'zod';
import type { Courier } from '../../domain';
import { defineSystem } from '../kit/define-system';
import { COURIER_CACHE_TTL_MS, COURIER_POLICIES } from '../kit/courier-policies';
import { courierFollowers, courierNamed } from '../kit/courier-followers';
import { createCourierBAdapter, type CourierBAdapterOptions } from './adapter';
import { COURIER_B_SANDBOX_CREDENTIALS, createCourierBSandbox } from './sandbox';

/** Courier B: ShipEngine (shipments, labels, tracking; API-Key header). */
export const courierBSystem = defineSystem<CourierBAdapterOptions>({
  name: 'courier-b',
  kind: 'courier',
  title: 'Courier B (ShipEngine-style JSON)',
  auth: 'api-key',
  format: 'json',
  cacheTtlMs: COURIER_CACHE_TTL_MS,
  settings: {
    COURIER_B_URL: { schema: z.string().url().optional(), doc: 'Base URL of courier B.', required: true },
    COURIER_B_API_KEY: { schema: z.string().optional(), doc: 'Courier B API key.', required: true },
  },
  connect: (settings) => ({ baseUrl: settings.get('COURIER_B_URL'), apiKey: settings.get('COURIER_B_API_KEY') }),
  environmentOf: (connection) => ({ COURIER_B_URL: connection.baseUrl, COURIER_B_API_KEY: connection.apiKey }),
  sandbox: {
    port: 4105,
    connection: (url) => ({ baseUrl: url, apiKey: COURIER_B_SANDBOX_CREDENTIALS.apiKey }),
    create: ({ estate }) => ({ definition: createCourierBSandbox(estate) }),
  },
  serve: ({ connection, resilience }) => {
    const adapter = createCourierBAdapter(connection);
    return { ports: { couriers: [resilience.wrap<Courier>('courier-b', adapter, COURIER_POLICIES)] }, close: async () => adapter[Symbol.asyncDispose]() };
  },
  followers: ({ ports, invalidate }) => courierFollowers(courierNamed(ports.couriers, 'courier-b'), { invalidate }),
});
