import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  IntegrationMapError,
  loadIntegrationMap,
  renderIntegrationMapHtml,
  renderIntegrationMapMarkdown,
  SCHEMA_DIR,
} from '../integration-map';
import { PROJECT_ROOT } from '../project-root';

/** Where `npm run map` writes unless told otherwise: docs/ at the top of the repository. */
const DEFAULT_OUT = path.join(PROJECT_ROOT, 'docs');

/**
 * `npm run map [-- --out <dir>] [--schema <dir>]`: validates schema/integration-map.yaml and
 * schema/source-of-truth.yaml and writes the one-page Integration Map as integration-map.html (for the client) and
 * integration-map.md (for the repository). An invalid map prints every problem, naming its place, and exits 1.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: 'string' }, schema: { type: 'string' } } });
  const loaded = loadIntegrationMap(values.schema ? path.resolve(values.schema) : SCHEMA_DIR);
  const out = values.out ? path.resolve(values.out) : DEFAULT_OUT;
  await mkdir(out, { recursive: true });
  const files: [string, string][] = [
    [path.join(out, 'integration-map.html'), renderIntegrationMapHtml(loaded)],
    [path.join(out, 'integration-map.md'), renderIntegrationMapMarkdown(loaded)],
  ];
  for (const [file, text] of files) {
    await writeFile(file, text);
    const relative = path.relative(process.cwd(), file);
    console.log(`wrote ${relative.startsWith('..') || path.isAbsolute(relative) ? file : relative}`);
  }
}

main().catch((error: unknown) => {
  if (error instanceof IntegrationMapError) console.error(`The integration map is invalid:\n${error.message}`);
  else console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
