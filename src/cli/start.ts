import '../telemetry-off';
import { assertSafeToServe, ConfigError, loadConfig, UnsafeStartError } from '../config';
import { IntegrationMapError } from '../integration-map';
import { startStack, type RunningPart } from '../runtime/start-stack';

/** `npm start`: the whole product on the embedded defaults, until Ctrl-C. */
async function main(): Promise<void> {
  const config = loadConfig();
  assertSafeToServe(config, 'stack');
  const started = Date.now();
  const stack = await startStack({ config, ports: 'fixed' });
  console.log(`\nPlugboard is running (ready in ${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  console.log(table(stack.parts));
  console.log(`\nDatabase: ${stack.db.dialect}${config.REDIS_URL ? ', cache: Redis' : ', cache: memory'}`);
  if (!config.PLUGBOARD_ADMIN_TOKEN) {
    console.log(`Admin token (set PLUGBOARD_ADMIN_TOKEN to choose your own): ${stack.adminToken}`);
  }
  console.log(`Open ${stack.gateway.url} in a browser for the explorer. Ctrl-C stops everything.\n`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping gateway, subgraphs, database and sandboxes…`);
    stack.close().then(
      () => {
        console.log('stopped cleanly');
        process.exit(0);
      },
      (error: unknown) => {
        console.error('stopped with an error:', error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

function table(parts: readonly RunningPart[]): string {
  const rows = [['PART', 'NAME', 'URL'], ...parts.map((part) => [part.part, part.name, part.url])];
  const widths = [0, 1].map((column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return rows.map((row) => row.map((cell, column) => (column < 2 ? cell.padEnd(widths[column] ?? 0) : cell)).join('  ')).join('\n');
}

main().catch((error: unknown) => {
  // A bad configuration or integration map is the user's to fix: its message names the place, a stack trace would not help.
  if (error instanceof UnsafeStartError) console.error(error.message);
  else console.error(error instanceof ConfigError || error instanceof IntegrationMapError ? `Plugboard did not start:\n${error.message}` : error);
  process.exit(1);
});
