import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadIntegrationMap, renderIntegrationMapHtml, renderIntegrationMapMarkdown } from '../../src/integration-map';

describe('committed integration map pages (docs/)', () => {
  it('match the map and the matrix in schema/ (run `npm run map` after changing either)', async () => {
    const loaded = loadIntegrationMap();
    const docs = path.join(__dirname, '..', '..', 'docs');
    const expected: [string, string][] = [
      ['integration-map.html', renderIntegrationMapHtml(loaded)],
      ['integration-map.md', renderIntegrationMapMarkdown(loaded)],
    ];
    for (const [file, text] of expected) {
      const committed = await readFile(path.join(docs, file), 'utf8').catch(() => '(missing)');
      if (committed !== text) throw new Error(`docs/${file} is stale: run \`npm run map\` and commit the result`);
    }
  });
});
