import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { schemaFiles, SCHEMA_DIR } from '../supergraph/sources';

/** `npm run compose`: prints each subgraph's SDL and composes them into schema/supergraph.graphql. */
async function main(): Promise<void> {
  await mkdir(SCHEMA_DIR, { recursive: true });
  for (const [file, text] of await schemaFiles()) {
    await writeFile(file, text);
    console.log(`wrote ${path.relative(process.cwd(), file)}`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
