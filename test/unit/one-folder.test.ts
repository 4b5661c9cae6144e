import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { SYSTEM_REGISTRY, type SystemDefinition } from '../../src/systems';

/**
 * One system, one folder (issue 17): the name of the vendor a system imitates appears nowhere outside its folder
 * (src/systems/<name>/), its subgraph (subgraphs/<subgraph>/), schema/, docs/ and other Markdown (bench/RESULTS.md
 * among them), the tests, the generated files (src/generated/) and the npm manifest and lockfile (which must name an
 * SDK the system uses): the benchmark reads what it needs of a vendor (batch limits, latencies) from the registry. The
 * registry (src/systems/index.ts) may name the system's folder in its import line and list entry, and nothing else.
 */

const ROOT = path.resolve(__dirname, '..', '..');
const REGISTRY_FILE = 'src/systems/index.ts';
const EVERYWHERE_ALLOWED = [
  'schema',
  'docs',
  'test',
  '*.test.ts',
  'src/generated',
  '*.md',
  'package.json',
  'package-lock.json',
] as const;

/** The lines `git grep` prints (tracked files, and new ones not ignored), or none when nothing matches. */
function gitGrep(args: readonly string[]): string[] {
  try {
    return execFileSync('git', ['grep', '--untracked', ...args], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);
  } catch (error) {
    // git grep exits 1 when nothing matches.
    if ((error as { status?: number }).status === 1) return [];
    throw error;
  }
}

/** Files that mention `word`, case-insensitively, outside the `allowed` paths. */
const filesNaming = (word: string, allowed: readonly string[]): string[] =>
  gitGrep(['-il', '--fixed-strings', word, '--', '.', ...allowed.map((place) => `:!${place}`)]).sort();

/** The lines of a file that mention `word`. */
const linesNaming = (file: string, word: string): string[] => gitGrep(['-ih', '--fixed-strings', word, '--', file]);

/** The paths where a system's vendor may be named. */
function allowedFor(system: SystemDefinition<any>): string[] {
  return [`src/systems/${system.name}`, ...(system.subgraph ? [`subgraphs/${system.subgraph.name}`] : []), ...EVERYWHERE_ALLOWED];
}

const imitating = SYSTEM_REGISTRY.filter((system) => system.imitates?.vendor);

describe('one system, one folder', () => {
  it('knows what each system imitates (every system but our own store)', () => {
    const without = SYSTEM_REGISTRY.filter((system) => system.kind !== 'site-store' && !system.imitates).map((system) => system.name);
    expect(without).toEqual([]);
    for (const system of SYSTEM_REGISTRY) {
      if (system.imitates) expect(system.imitates.reference).toMatch(/^(https:\/\/\S+|docs\/\S+\.md)$/);
    }
    // Guards against a registry that declares no vendor, which would make the check below pass on nothing.
    expect(imitating.length).toBeGreaterThanOrEqual(4);
  });

  it('finds a vendor where it is named (the search itself works)', () => {
    const payments = imitating.find((system) => system.name === 'payments')!;
    expect(filesNaming(payments.imitates!.vendor!, [])).toContain('src/systems/payments/index.ts');
  });

  it.each(imitating.map((system) => [system.imitates!.vendor!, system] as const))(
    'names %s nowhere outside its system\'s folder, its subgraph, schema/, docs/, tests and generated files',
    (vendor, system) => {
      const found = filesNaming(vendor, allowedFor(system));
      const outside = found.filter(
        (file) =>
          // The registry's import of the system's folder and its list entry are the one line a system adds there.
          file !== REGISTRY_FILE ||
          linesNaming(file, vendor).some((line) => !/^import \{ \w+ \} from '\.\/[\w-]+';$/.test(line) && !/^\s+\w+,$/.test(line)),
      );
      if (outside.length) {
        throw new Error(`${vendor} (${system.name}) is named outside src/systems/${system.name}/:\n${outside.map((file) => `- ${file}`).join('\n')}`);
      }
    },
  );
});
