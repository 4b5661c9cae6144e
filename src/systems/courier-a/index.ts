import { z } from 'zod';
import path from 'node:path';
import type { Courier } from '../../domain';
import { PKI_FILES } from '../../pki';
import { defineSystem } from '../kit/define-system';
import { courierADoctor } from './doctor';
import { COURIER_CACHE_TTL_MS, COURIER_POLICIES, COURIERS_SUBGRAPH } from '../kit/courier-policies';
import { courierFollowers, courierNamed } from '../kit/courier-followers';
import { createCourierAAdapter, type CourierAAdapterOptions } from './adapter';
import { createCourierASandbox } from './sandbox';

/** Courier A: a published XML parcel API over HTTPS with mutual TLS. */
export const courierASystem = defineSystem<CourierAAdapterOptions>({
  name: 'courier-a',
  kind: 'courier',
  title: 'Courier A (XML over mutual TLS)',
  auth: 'mtls',
  format: 'xml',
  imitates: { api: 'An XML parcel API over HTTPS with mutual TLS, of our own making', reference: 'docs/estate.md' },
  subgraph: COURIERS_SUBGRAPH,
  cacheTtlMs: COURIER_CACHE_TTL_MS,
  settings: {
    COURIER_A_URL: { schema: z.string().url().optional(), doc: 'Base URL of courier A (https, mutual TLS).', required: true },
    COURIER_A_CA_FILE: { schema: z.string().optional(), doc: 'PEM file of the CA that signed courier A\'s server certificate.', required: true },
    COURIER_A_CERT_FILE: { schema: z.string().optional(), doc: 'PEM file of our client certificate for courier A.', required: true },
    COURIER_A_KEY_FILE: { schema: z.string().optional(), doc: 'PEM file of our client key for courier A.', required: true },
  },
  connect: (settings) => ({
    baseUrl: settings.get('COURIER_A_URL'),
    tls: { ca: settings.file('COURIER_A_CA_FILE'), cert: settings.file('COURIER_A_CERT_FILE'), key: settings.file('COURIER_A_KEY_FILE') },
  }),
  // The certificates are named by file, in the directory where the sandboxes made them.
  environmentOf: (connection, { pkiDir }) => ({
    COURIER_A_URL: connection.baseUrl,
    COURIER_A_CA_FILE: path.join(pkiDir, PKI_FILES.ca),
    COURIER_A_CERT_FILE: path.join(pkiDir, PKI_FILES.clientCert),
    COURIER_A_KEY_FILE: path.join(pkiDir, PKI_FILES.clientKey),
  }),
  sandbox: {
    port: 4104,
    scheme: 'https',
    connection: (url, { pki }) => ({ baseUrl: url, tls: { ca: pki.ca, cert: pki.client.cert, key: pki.client.key } }),
    create: ({ estate, pki }) => ({ definition: createCourierASandbox(estate, { pki: { ca: pki.ca, server: pki.server } }) }),
  },
  doctor: courierADoctor,
  serve: ({ connection, resilience }) => {
    const adapter = createCourierAAdapter(connection);
    return { ports: { couriers: [resilience.wrap<Courier>('courier-a', adapter, COURIER_POLICIES)] }, close: async () => adapter[Symbol.asyncDispose]() };
  },
  followers: ({ ports, invalidate }) => courierFollowers(courierNamed(ports.couriers, 'courier-a'), { invalidate }),
});
