import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * The dependency rules of style.md, enforced on every TypeScript source file of src/ and subgraphs/:
 * - src/domain imports nothing but src/domain (no package at all);
 * - an adapter (src/systems/<system>/adapter) never imports a sandbox, another system's folder (the shared
 *   src/systems/kit/adapter and src/systems/kit/spec are fine), the subgraphs, the gateway or the runtime;
 * - the sandboxes (src/systems/<system>/sandbox, the shared kit and seed) never import an adapter;
 * - the subgraphs never import an adapter or a sandbox;
 * - no two folders (src/<folder>, subgraphs/<folder>, src/systems/<name>) import each other, directly or round a cycle.
 */

const ROOT = path.resolve(__dirname, '..', '..');
const SCANNED = ['src', 'subgraphs'];

interface SourceFile {
  /** Repository-relative, with forward slashes, e.g. "src/systems/crm/adapter/client.ts". */
  readonly file: string;
  /** Module specifiers exactly as written: imports, re-exports, require() and import(). */
  readonly imports: readonly string[];
}

type Target = { readonly kind: 'package'; readonly name: string } | { readonly kind: 'source'; readonly path: string };

const within = (file: string, folder: string): boolean => file === folder || file.startsWith(`${folder}/`);

function resolveImport(from: string, specifier: string): Target {
  if (!specifier.startsWith('.')) return { kind: 'package', name: specifier };
  return { kind: 'source', path: path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier)) };
}

/** The system whose adapter a path is in ("crm" for src/systems/crm/adapter/client.ts, "kit" for the shared kit), if any. */
function adapterOf(file: string): string | undefined {
  return /^src\/systems\/([^/]+)\/adapter\//.exec(`${file}/`)?.[1];
}

/** The system folder a path is in ("crm" for src/systems/crm/index.ts), if any. */
function systemOf(file: string): string | undefined {
  return /^src\/systems\/([^/]+)\//.exec(`${file}/`)?.[1];
}

/** Whether a path is a sandbox: a system's, or the shared sandbox kit and seed data. */
function isSandbox(file: string): boolean {
  return /^src\/systems\/[^/]+\/sandbox\//.test(`${file}/`) || within(file, 'src/systems/kit/seed');
}

/** Why `from` may not import `target`, or undefined when it may. */
function brokenRule(from: string, target: Target): string | undefined {
  if (within(from, 'src/domain')) {
    if (target.kind === 'package') return 'the domain imports no package';
    if (!within(target.path, 'src/domain')) return 'the domain imports nothing outside src/domain';
    return undefined;
  }
  if (target.kind === 'package') return undefined;
  const to = target.path;

  const system = adapterOf(from);
  if (system !== undefined) {
    if (isSandbox(to)) return 'an adapter never imports a sandbox';
    for (const folder of ['subgraphs', 'src/gateway', 'src/runtime']) {
      if (within(to, folder)) return `an adapter never imports ${folder}`;
    }
    const other = systemOf(to);
    if (other !== undefined && other !== system && !within(to, 'src/systems/kit/adapter') && !within(to, 'src/systems/kit/spec')) {
      return `the ${system} adapter never imports another system's folder (src/systems/${other})`;
    }
    return undefined;
  }
  if (isSandbox(from) && adapterOf(to) !== undefined) return 'a sandbox never imports an adapter';
  if (within(from, 'subgraphs')) {
    if (adapterOf(to) !== undefined) return 'a subgraph never imports an adapter';
    if (isSandbox(to)) return 'a subgraph never imports a sandbox';
  }
  return undefined;
}

/** Every broken rule, one line each: "file -> 'specifier' (resolved): rule". */
function dependencyViolations(files: readonly SourceFile[]): string[] {
  const violations: string[] = [];
  for (const { file, imports } of files) {
    for (const specifier of imports) {
      const target = resolveImport(file, specifier);
      const rule = brokenRule(file, target);
      if (rule) {
        const resolved = target.kind === 'source' ? ` (${target.path})` : '';
        violations.push(`${file} -> '${specifier}'${resolved}: ${rule}`);
      }
    }
  }
  return violations;
}

/**
 * The node a file is in, in the graph of folders: `src/<folder>`, `subgraphs/<folder>`, each system's own
 * `src/systems/<name>`, and the files at the top of `src/`, `subgraphs/` and `src/systems/` as `src`, `subgraphs` and
 * `src/systems`.
 */
function folderOf(file: string): string {
  const parts = file.split('/');
  if (parts[0] === 'src' && parts[1] === 'systems') return parts.length > 3 ? parts.slice(0, 3).join('/') : 'src/systems';
  return parts.length > 2 ? parts.slice(0, 2).join('/') : parts[0]!;
}

/**
 * Every cycle in the import graph between folders, one line each: the folders of one strongly connected component,
 * and for each edge inside it one import that makes it ("a -> b (a/x.ts imports '../b/y')").
 */
function folderCycles(files: readonly SourceFile[]): string[] {
  const known = new Set(files.map(({ file }) => file));
  const edges = new Map<string, Map<string, string>>();
  for (const { file, imports } of files) {
    for (const specifier of imports) {
      const target = resolveImport(file, specifier);
      if (target.kind === 'package') continue;
      // '../config' is a folder's index; './estate' next to it may be a file.
      const resolved = known.has(`${target.path}.ts`) || known.has(target.path) ? target.path.replace(/\.ts$/, '') + '.ts' : `${target.path}/index.ts`;
      const [from, to] = [folderOf(file), folderOf(resolved)];
      if (from === to) continue;
      if (!edges.has(from)) edges.set(from, new Map());
      if (!edges.get(from)!.has(to)) edges.get(from)!.set(to, `${file} imports '${specifier}'`);
    }
  }
  // Tarjan's strongly connected components.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node)?.keys() ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, index.get(next)!));
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) components.push(component.sort());
    }
  };
  for (const node of [...edges.keys()].sort()) if (!index.has(node)) visit(node);
  return components.map((component) => {
    const inside = component.flatMap((from) =>
      [...(edges.get(from) ?? [])].filter(([to]) => component.includes(to)).map(([to, why]) => `${from} -> ${to} (${why})`),
    );
    return `cycle between ${component.join(', ')}: ${inside.join('; ')}`;
  });
}

/** TypeScript's own import scanner: it sees multi-line and type-only imports and ignores comments and strings. */
function importsOf(text: string): string[] {
  return ts.preProcessFile(text, true, true).importedFiles.map((imported) => imported.fileName);
}

function scanSources(): SourceFile[] {
  const files: SourceFile[] = [];
  const walk = (relative: string): void => {
    for (const entry of readdirSync(path.join(ROOT, relative), { withFileTypes: true })) {
      const child = path.posix.join(relative, entry.name);
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile() && entry.name.endsWith('.ts')) {
        files.push({ file: child, imports: importsOf(readFileSync(path.join(ROOT, child), 'utf8')) });
      }
    }
  };
  SCANNED.forEach(walk);
  return files.sort((a, b) => a.file.localeCompare(b.file));
}

describe('architecture: the dependency rules of style.md', () => {
  const sources = scanSources();

  it('reads the real sources and their imports', () => {
    // Guards against a scan that finds nothing and so passes whatever the code does.
    const byFile = new Map(sources.map((source) => [source.file, source.imports]));
    expect(sources.length).toBeGreaterThan(50);
    expect(byFile.get('src/domain/ports.ts')).toEqual(expect.arrayContaining(['./entities', './money']));
    expect(byFile.get('src/systems/kit/adapter/http-client.ts')).toEqual(expect.arrayContaining(['undici', './translate']));
    expect([...byFile.keys()].filter((file) => file.startsWith('subgraphs/')).length).toBeGreaterThan(3);
  });

  it('holds for every file of src/ and subgraphs/', () => {
    expect(dependencyViolations(sources)).toEqual([]);
  });

  it('catches each kind of violation, and only those', () => {
    const synthetic: SourceFile[] = [
      { file: 'src/domain/order-rules.ts', imports: ['./money', '../systems/crm/adapter', 'zod', 'node:crypto', '../systems/kit/seed'] },
      {
        file: 'src/systems/crm/adapter/client.ts',
        imports: ['../../kit/adapter', '../../kit/spec', '../../../domain', 'undici', '../../erp/adapter/schema', '../sandbox', '../../../../subgraphs/kit', '../../kit/sandbox'],
      },
      { file: 'src/systems/erp/adapter/mapper.ts', imports: ['../../../gateway/serve-gateway', '../../../runtime/start-stack', './schema'] },
      { file: 'src/systems/kit/adapter/translate.ts', imports: ['../../payments/adapter/errors', '../../../domain'] },
      { file: 'src/systems/crm/sandbox/routes.ts', imports: ['../../kit/sandbox', '../../kit/seed', '../../kit/spec', '../../../domain', '../adapter/schema'] },
      { file: 'subgraphs/crm/index.ts', imports: ['../kit', '../../src/domain', '../../src/systems/crm/adapter', '../../src/systems/kit/seed'] },
      { file: 'src/runtime/create-ports.ts', imports: ['../systems/crm/adapter', '../systems/erp/adapter', '../systems/kit/seed'] },
    ];
    expect(dependencyViolations(synthetic)).toEqual([
      "src/domain/order-rules.ts -> '../systems/crm/adapter' (src/systems/crm/adapter): the domain imports nothing outside src/domain",
      "src/domain/order-rules.ts -> 'zod': the domain imports no package",
      "src/domain/order-rules.ts -> 'node:crypto': the domain imports no package",
      "src/domain/order-rules.ts -> '../systems/kit/seed' (src/systems/kit/seed): the domain imports nothing outside src/domain",
      "src/systems/crm/adapter/client.ts -> '../../erp/adapter/schema' (src/systems/erp/adapter/schema): the crm adapter never imports another system's folder (src/systems/erp)",
      "src/systems/crm/adapter/client.ts -> '../sandbox' (src/systems/crm/sandbox): an adapter never imports a sandbox",
      "src/systems/crm/adapter/client.ts -> '../../../../subgraphs/kit' (subgraphs/kit): an adapter never imports subgraphs",
      "src/systems/crm/adapter/client.ts -> '../../kit/sandbox' (src/systems/kit/sandbox): an adapter never imports a sandbox",
      "src/systems/erp/adapter/mapper.ts -> '../../../gateway/serve-gateway' (src/gateway/serve-gateway): an adapter never imports src/gateway",
      "src/systems/erp/adapter/mapper.ts -> '../../../runtime/start-stack' (src/runtime/start-stack): an adapter never imports src/runtime",
      "src/systems/kit/adapter/translate.ts -> '../../payments/adapter/errors' (src/systems/payments/adapter/errors): the kit adapter never imports another system's folder (src/systems/payments)",
      "src/systems/crm/sandbox/routes.ts -> '../adapter/schema' (src/systems/crm/adapter/schema): a sandbox never imports an adapter",
      "subgraphs/crm/index.ts -> '../../src/systems/crm/adapter' (src/systems/crm/adapter): a subgraph never imports an adapter",
      "subgraphs/crm/index.ts -> '../../src/systems/kit/seed' (src/systems/kit/seed): a subgraph never imports a sandbox",
    ]);
  });

  it('has no import cycle between folders (src/<folder>, subgraphs/<folder>, src/systems/<name>)', () => {
    expect(folderCycles(sources)).toEqual([]);
  });

  it('catches a cycle between folders, of two folders or more, and names the imports that make it', () => {
    const synthetic: SourceFile[] = [
      { file: 'src/outbox/worker-process.ts', imports: ['../writes/follower-handlers', './outbox'] },
      { file: 'src/outbox/outbox.ts', imports: ['../db'] },
      { file: 'src/writes/follower-handlers.ts', imports: ['../outbox/outbox', '../systems'] },
      { file: 'src/systems/index.ts', imports: ['./crm', './kit/define-system'] },
      { file: 'src/systems/crm/index.ts', imports: ['../kit/define-system', '../../project-root'] },
      { file: 'src/systems/kit/define-system.ts', imports: ['../../domain'] },
      { file: 'src/project-root.ts', imports: [] },
      { file: 'src/domain/index.ts', imports: [] },
      { file: 'src/db/index.ts', imports: ['../systems/kit/seed'] },
      { file: 'src/systems/kit/seed.ts', imports: ['../../runtime/start-stack'] },
      { file: 'src/runtime/start-stack.ts', imports: ['../db'] },
    ];
    expect(folderCycles(synthetic)).toEqual([
      "cycle between src/db, src/runtime, src/systems/kit: src/db -> src/systems/kit (src/db/index.ts imports '../systems/kit/seed'); " +
        "src/runtime -> src/db (src/runtime/start-stack.ts imports '../db'); " +
        "src/systems/kit -> src/runtime (src/systems/kit/seed.ts imports '../../runtime/start-stack')",
      "cycle between src/outbox, src/writes: src/outbox -> src/writes (src/outbox/worker-process.ts imports '../writes/follower-handlers'); " +
        "src/writes -> src/outbox (src/writes/follower-handlers.ts imports '../outbox/outbox')",
    ]);
    // Within one folder, and a system's folder to the shared kit, are not cycles.
    expect(folderCycles(synthetic.slice(3, 8))).toEqual([]);
  });

  it('reads imports the way TypeScript does: multi-line, type-only, require and import(), not comments', () => {
    const text = [
      "import type { Money } from './money';",
      'export {',
      '  Customer,',
      "} from './entities';",
      "// import { createCrmAdapter } from '../adapters/crm';",
      "const note = \"comes from 'the CRM'\";",
      "const lazy = () => import('../sandboxes/seed');",
      "const legacy = require('../adapters/legacy');",
    ].join('\n');
    expect(importsOf(text)).toEqual(['./money', './entities', '../sandboxes/seed', '../adapters/legacy']);
  });
});
