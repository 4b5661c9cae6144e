import '../telemetry-off';
import { readFile } from 'node:fs/promises';
import { assertSafeToServe, loadConfig, newAdminToken } from '../config';
import { AuthError, createAuth, jwtSecretFrom } from '../auth';
import { SYSTEMS } from '../estate/systems';
import { frontDoorFrom } from '../gateway/front-door';
import { serveGateway } from '../gateway/serve-gateway';
import { admissionFrom } from '../gateway/admission';
import { SUPERGRAPH_FILE } from '../runtime/start-stack';

/**
 * `npm run gateway`: the gateway alone, in front of subgraphs that run as their own processes (at the URLs composed
 * into schema/supergraph.graphql, or those PLUGBOARD_SUBGRAPH_URLS names).
 */
async function main(): Promise<void> {
  const config = loadConfig();
  assertSafeToServe(config, 'gateway');
  const subgraphUrls = Object.fromEntries(
    (config.PLUGBOARD_SUBGRAPH_URLS ?? '').split(',').filter(Boolean).map((pair) => {
      const [name, ...url] = pair.split('=');
      return [name, url.join('=')];
    }),
  );
  const sandboxes = config.PLUGBOARD_SANDBOXES === 'on';
  const configured: Record<string, string | undefined> = {
    crm: config.CRM_URL, erp: config.ERP_URL, payments: config.PAYMENTS_URL, 'courier-a': config.COURIER_A_URL,
    'courier-b': config.COURIER_B_URL, legacy: config.LEGACY_URL, store: config.DATABASE_URL ? 'DATABASE_URL' : 'sqlite',
  };
  const baseUrlOf = (name: string, sandboxPort: number | undefined): string =>
    sandboxes && sandboxPort ? `${name === 'courier-a' ? 'https' : 'http'}://127.0.0.1:${sandboxPort}` : (configured[name] ?? '');
  const adminToken = config.PLUGBOARD_ADMIN_TOKEN ?? newAdminToken();
  const auth = createAuth({ secret: jwtSecretFrom().secret, readsOpen: config.PLUGBOARD_READS === 'open' });
  const gateway = await serveGateway({
    supergraphSdl: await readFile(SUPERGRAPH_FILE, 'utf8'),
    subgraphUrls,
    // Every request to a subgraph is signed: the subgraphs answer nothing else.
    subgraphSecret: config.PLUGBOARD_SUBGRAPH_SECRET,
    port: config.PORT,
    host: config.HOST,
    ...frontDoorFrom(config),
    // Reads closed: refused here first (each subgraph checks the token again itself).
    ...(config.PLUGBOARD_READS === 'closed'
      ? {
          authorize: async (authorization: string | undefined) => {
            if (!(await auth.verify(authorization))) throw new AuthError('UNAUTHENTICATED', 'reads are closed: send Authorization: Bearer <token>');
          },
        }
      : {}),
    admission: admissionFrom(config),
    ...(config.REDIS_URL ? { redisUrl: config.REDIS_URL } : {}),
    adminToken,
    systems: SYSTEMS.map((system) => ({
      name: system.name,
      kind: system.kind,
      baseUrl: baseUrlOf(system.name, system.sandboxPort),
      sandbox: sandboxes && system.sandboxPort !== undefined,
    })),
  });
  console.log(`gateway at ${gateway.url}`);
  if (!config.PLUGBOARD_ADMIN_TOKEN) console.log(`admin token: ${adminToken}`);
  const stop = () => void gateway.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
