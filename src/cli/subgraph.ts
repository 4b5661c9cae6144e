import '../telemetry-off';
import { assertSafeToServe, introspectionOn, loadConfig } from '../config';
import { createAuth, jwtSecretFrom } from '../auth';
import { createLogger } from '../logging';
import { openDatabase, type Database } from '../db';
import { seedEstate } from '../estate/seed-estate';
import { generateEstate } from '../systems/kit/seed';
import { composeSystems } from '../runtime/compose-systems';
import { serveSubgraph } from '../serve/serve-subgraph';
import { createSubgraph, NO_PORTS, SUBGRAPH_NAMES, subgraphNamed } from '../../subgraphs';
import { loadIntegrationMap } from '../integration-map';
import { createWritePath, writeMatrixOf } from '../runtime/create-write-path';
import { createTruthFor } from '../runtime/create-truth';
import { createAlerts } from '../alerts';
import { outboxSettingsFrom } from '../outbox/settings';

/**
 * `npm run subgraph -- <name> [port]`: one subgraph as its own process, the way a team deploys it past one machine.
 * With PLUGBOARD_SANDBOXES=on it talks to the sandboxes of `npm run sandboxes`; otherwise to the *_URL systems.
 */
async function main(): Promise<void> {
  const [name, portArgument] = process.argv.slice(2);
  const entry = name === undefined ? undefined : subgraphNamed(name);
  if (!entry) throw new Error(`usage: npm run subgraph -- <${SUBGRAPH_NAMES.join('|')}> [port]`);
  const subgraphName = entry.name;
  const config = loadConfig();
  assertSafeToServe(config, 'subgraph');
  const { matrix, map } = loadIntegrationMap(config.PLUGBOARD_SCHEMA_DIR);
  const logger = createLogger({ name: `plugboard-subgraph-${subgraphName}`, level: config.PLUGBOARD_LOG_LEVEL });
  // Every subgraph opens the database: its system calls are written to the integration log like everyone's.
  const db: Database = await openDatabase(config.DATABASE_URL, { dataDir: config.PLUGBOARD_DATA_DIR });
  await db.migrate();
  // The demo store and booking ledger start with the same estate the sandboxes are seeded with, as `npm start` does.
  if (['store', 'writes', 'couriers'].includes(subgraphName) && config.PLUGBOARD_SANDBOXES === 'on') await seedEstate(db, generateEstate());
  // The systems, composed as every process composes them: the map's policies, the integration log, metrics, limits.
  const systems = await composeSystems({ config, db, logger, map });
  const { resilience } = systems;
  const ports = { ports: systems.ports };
  // The writes subgraph carries the write path, and drains the outbox unless PLUGBOARD_OUTBOX_WORKER=off.
  const writePath =
    subgraphName === 'writes'
      ? createWritePath({
          db,
          ports: ports.ports,
          resilience,
          matrix: writeMatrixOf(matrix),
          courierRule: config.PLUGBOARD_COURIER_RULE,
          worker: config.PLUGBOARD_OUTBOX_WORKER === 'on',
          outboxOptions: { ...outboxSettingsFrom(config), alerts: createAlerts(db, { webhookUrl: config.PLUGBOARD_ALERT_WEBHOOK_URL }) },
          readsOpen: config.PLUGBOARD_READS === 'open',
        })
      : undefined;
  const truth = createTruthFor(db, ports.ports, matrix);
  const subgraph = await createSubgraph(subgraphName, { ...NO_PORTS, ...ports.ports, truth, ...(writePath ? { writes: writePath.writes, auth: writePath.auth } : {}) });
  // Reads closed: this subgraph checks the bearer token itself, whatever the gateway did.
  const auth = writePath?.auth ?? createAuth({ secret: jwtSecretFrom().secret, readsOpen: config.PLUGBOARD_READS === 'open' });
  const service = await serveSubgraph(subgraph, {
    introspection: introspectionOn(config),
    logger,
    door: {
      // assertSafeToServe refused a start without it.
      secret: config.PLUGBOARD_SUBGRAPH_SECRET ?? '',
      port: Number(portArgument ?? entry.port),
      host: config.PLUGBOARD_INTERNAL_HOST,
      skewSeconds: config.PLUGBOARD_SUBGRAPH_SKEW_S,
      ...(config.PLUGBOARD_READS === 'closed' ? { requireToken: async (authorization: string | undefined) => (await auth.verify(authorization)) !== null } : {}),
    },
  });
  console.log(`subgraph ${subgraphName} at ${service.url}`);
  const stop = () =>
    void (async () => {
      await service.close();
      await writePath?.close();
      await systems.close();
      await db.close();
      process.exit(0);
    })();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
