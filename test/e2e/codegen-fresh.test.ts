import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { generate, loadContext } from '@graphql-codegen/cli';

const ROOT = path.join(__dirname, '..', '..');

/** Where two texts first part, as "line N: expected … / found …", or null when they are the same. */
function firstDifference(expected: string, found: string): string | null {
  if (expected === found) return null;
  const want = expected.split('\n');
  const have = found.split('\n');
  const index = want.findIndex((line, at) => line !== have[at]);
  const line = index < 0 ? want.length : index;
  const clip = (text: string | undefined) => (text === undefined ? '(end of file)' : text.slice(0, 160));
  return `line ${line + 1}: expected ${clip(want[line])} / found ${clip(have[line])}`;
}

describe('generated GraphQL types', () => {
  it('match what `npm run codegen` makes from the committed supergraph and test/operations', async () => {
    const context = await loadContext(path.join(ROOT, 'codegen.yml'));
    context.cwd = ROOT;
    const outputs: { filename: string; content: string }[] = await generate(context, false);
    const files = outputs.map((output) => ({ file: path.relative(ROOT, path.resolve(ROOT, output.filename)), content: output.content }));
    expect(files.map(({ file }) => file).sort()).toEqual([path.join('schema', 'api.graphql'), path.join('src', 'generated', 'graphql.ts')]);

    const stale: string[] = [];
    for (const { file, content } of files) {
      const committed = await readFile(path.join(ROOT, file), 'utf8').catch(() => '');
      const difference = firstDifference(content, committed);
      if (difference) stale.push(`${file} is stale (run \`npm run codegen\`), ${difference}`);
    }
    expect(stale).toEqual([]);
  });

  it('describe the API schema clients see, not the supergraph the gateway plans with', async () => {
    const api = await readFile(path.join(ROOT, 'schema', 'api.graphql'), 'utf8');
    expect(api).toContain('type Customer {');
    expect(api).not.toMatch(/join__|link__|@link/);
  });
});
