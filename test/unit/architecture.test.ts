import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * The dependency rules of style.md, enforced on every TypeScript source file of src/ and subgraphs/:
 * - src/domain imports nothing but src/domain (no package at all);
 * - an adapter (src/adapters/<system>) never imports the sandboxes, another system's adapter (the shared
 *   src/adapters/kit is fine), the subgraphs, the gateway or the runtime;
 * - the sandboxes never import an adapter;
 * - the subgraphs never import an adapter or a sandbox.
 */

const ROOT = path.resolve(__dirname, '..', '..');
const SCANNED = ['src', 'subgraphs'];

interface SourceFile {
  /** Repository-relative, with forward slashes, e.g. "src/adapters/crm/client.ts". */
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

/** The adapter folder a path is in ("crm" for src/adapters/crm/client.ts), if any. */
function adapterOf(file: string): string | undefined {
  return /^src\/adapters\/([^/]+)\//.exec(`${file}/`)?.[1];
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
    for (const folder of ['src/sandboxes', 'subgraphs', 'src/gateway', 'src/runtime']) {
      if (within(to, folder)) return `an adapter never imports ${folder}`;
    }
    const other = adapterOf(to);
    if (other !== undefined && other !== system && other !== 'kit') {
      return `the ${system} adapter never imports another system's adapter (src/adapters/${other})`;
    }
    return undefined;
  }
  if (within(from, 'src/sandboxes') && within(to, 'src/adapters')) return 'a sandbox never imports an adapter';
  if (within(from, 'subgraphs')) {
    if (within(to, 'src/adapters')) return 'a subgraph never imports an adapter';
    if (within(to, 'src/sandboxes')) return 'a subgraph never imports a sandbox';
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
    expect(byFile.get('src/adapters/kit/http-client.ts')).toEqual(expect.arrayContaining(['undici', './translate']));
    expect([...byFile.keys()].filter((file) => file.startsWith('subgraphs/')).length).toBeGreaterThan(3);
  });

  it('holds for every file of src/ and subgraphs/', () => {
    expect(dependencyViolations(sources)).toEqual([]);
  });

  it('catches each kind of violation, and only those', () => {
    const synthetic: SourceFile[] = [
      { file: 'src/domain/order-rules.ts', imports: ['./money', '../adapters/crm', 'zod', 'node:crypto', '../sandboxes/seed'] },
      {
        file: 'src/adapters/crm/client.ts',
        imports: ['../kit', '../../domain', 'undici', '../erp/schema', '../../sandboxes/crm', '../../../subgraphs/kit'],
      },
      { file: 'src/adapters/erp/mapper.ts', imports: ['../../gateway/serve-gateway', '../../runtime/start-stack', './schema'] },
      { file: 'src/adapters/kit/translate.ts', imports: ['../payments/errors', '../../domain'] },
      { file: 'src/sandboxes/crm/routes.ts', imports: ['../kit', '../seed', '../../domain', '../../adapters/crm/schema'] },
      { file: 'subgraphs/crm/index.ts', imports: ['../kit', '../../src/domain', '../../src/adapters/crm', '../../src/sandboxes/seed'] },
      { file: 'src/runtime/create-ports.ts', imports: ['../adapters/crm', '../adapters/erp', '../sandboxes/seed'] },
    ];
    expect(dependencyViolations(synthetic)).toEqual([
      "src/domain/order-rules.ts -> '../adapters/crm' (src/adapters/crm): the domain imports nothing outside src/domain",
      "src/domain/order-rules.ts -> 'zod': the domain imports no package",
      "src/domain/order-rules.ts -> 'node:crypto': the domain imports no package",
      "src/domain/order-rules.ts -> '../sandboxes/seed' (src/sandboxes/seed): the domain imports nothing outside src/domain",
      "src/adapters/crm/client.ts -> '../erp/schema' (src/adapters/erp/schema): the crm adapter never imports another system's adapter (src/adapters/erp)",
      "src/adapters/crm/client.ts -> '../../sandboxes/crm' (src/sandboxes/crm): an adapter never imports src/sandboxes",
      "src/adapters/crm/client.ts -> '../../../subgraphs/kit' (subgraphs/kit): an adapter never imports subgraphs",
      "src/adapters/erp/mapper.ts -> '../../gateway/serve-gateway' (src/gateway/serve-gateway): an adapter never imports src/gateway",
      "src/adapters/erp/mapper.ts -> '../../runtime/start-stack' (src/runtime/start-stack): an adapter never imports src/runtime",
      "src/adapters/kit/translate.ts -> '../payments/errors' (src/adapters/payments/errors): the kit adapter never imports another system's adapter (src/adapters/payments)",
      "src/sandboxes/crm/routes.ts -> '../../adapters/crm/schema' (src/adapters/crm/schema): a sandbox never imports an adapter",
      "subgraphs/crm/index.ts -> '../../src/adapters/crm' (src/adapters/crm): a subgraph never imports an adapter",
      "subgraphs/crm/index.ts -> '../../src/sandboxes/seed' (src/sandboxes/seed): a subgraph never imports a sandbox",
    ]);
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
