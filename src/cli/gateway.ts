import '../telemetry-off';
import { readFile } from 'node:fs/promises';
import { assertSafeToServe, loadConfig, newAdminToken } from '../config';
import { AuthError, createAuth, jwtSecretFrom } from '../auth';
import { SYSTEM_REGISTRY, type SystemDefinition } from '../systems';
import { frontDoorFrom } from '../gateway/front-door';
import { serveGateway } from '../gateway/serve-gateway';
import { admissionFrom } from '../gateway/admission';
import { SUPERGRAPH_FILE } from '../runtime/start-stack';
import { estateSystemNames } from '../estate/systems';
import { loadIntegrationMap } from '../integration-map';

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
  // Where each system is: its sandbox's fixed port, or the URL setting of its definition (the one named *_URL).
  const baseUrlOf = (system: SystemDefinition): string => {
    if (!system.connect) return config.DATABASE_URL ? 'DATABASE_URL' : 'sqlite';
    if (sandboxes && system.sandbox) return `${system.sandbox.scheme ?? 'http'}://127.0.0.1:${system.sandbox.port}`;
    const urlSetting = Object.keys(system.settings ?? {}).find((key) => key.endsWith('_URL'));
    return urlSetting && typeof config[urlSetting] === 'string' ? (config[urlSetting] as string) : '';
  };
  // The admin listing shows the estate: the registry's systems that the integration map declares.
  const inEstate = estateSystemNames(loadIntegrationMap(config.PLUGBOARD_SCHEMA_DIR).map);
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
    systems: SYSTEM_REGISTRY.filter((system) => inEstate.includes(system.name)).map((system) => ({
      name: system.name,
      kind: system.kind,
      baseUrl: baseUrlOf(system),
      sandbox: sandboxes && system.sandbox !== undefined,
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
