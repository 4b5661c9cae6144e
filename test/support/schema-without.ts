import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SCHEMA_DIR } from '../../src/integration-map';

/**
 * A copy of the committed schema/ (map, matrix, supergraph) for an estate without `system`: its entry under
 * `systems:` in the integration map is gone, and so is every place the matrix names it (as a follower, and the fields
 * it owns). Returns the new directory; the caller removes it.
 */
export function schemaWithout(system: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `plugboard-without-${system}-`));
  copyFileSync(path.join(SCHEMA_DIR, 'supergraph.graphql'), path.join(dir, 'supergraph.graphql'));
  const map = readFileSync(path.join(SCHEMA_DIR, 'integration-map.yaml'), 'utf8');
  const entry = new RegExp(String.raw`\n  ${system}:\n(?:(?:    .*|)\n)*?(?=  \S)`);
  if (!entry.test(map)) throw new Error(`schema/integration-map.yaml declares no ${system}`);
  writeFileSync(path.join(dir, 'integration-map.yaml'), map.replace(entry, '\n'));
  const matrix = readFileSync(path.join(SCHEMA_DIR, 'source-of-truth.yaml'), 'utf8')
    .split('\n')
    .filter((line) => !new RegExp(String.raw`\bowner: ${system}\b`).test(line))
    .map((line) => line.replace(new RegExp(String.raw`(followers: \[[^\]]*?)(?:, ${system}\b|\b${system}, |\b${system}\b)`), '$1'))
    .join('\n');
  writeFileSync(path.join(dir, 'source-of-truth.yaml'), matrix);
  return dir;
}
