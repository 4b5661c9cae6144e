import { loadConfig } from '../config';
import { startSandboxes } from '../estate/start-sandboxes';
import { generateEstate } from '../systems/kit/seed';

/** `npm run sandboxes`: only the example estate's sandboxes, on their fixed ports, until Ctrl-C. */
async function main(): Promise<void> {
  const config = loadConfig();
  const estate = await startSandboxes({ estate: generateEstate(), dataDir: config.PLUGBOARD_DATA_DIR, ports: 'fixed', host: config.PLUGBOARD_INTERNAL_HOST });
  for (const sandbox of Object.values(estate.sandboxes)) console.log(`${sandbox.name.padEnd(10)} ${sandbox.url}`);
  const stop = () => void estate.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
