import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * The dependency rules of style.md, enforced on every TypeScript source file of src/ and subgraphs/:
 * - src/domain imports nothing but src/domain (no package at all);
 * - an adapter (src/systems/<system>/adapter) never imports a sandbox, another system's folder (the shared
 *   src/systems/kit/adapter is fine), the subgraphs, the gateway or the runtime;
 * - the sandboxes (src/systems/<system>/sandbox, the shared kit and seed) never import an adapter;
 * - the subgraphs never import an adapter or a sandbox.
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
    if (other !== undefined && other !== system && !within(to, 'src/systems/kit/adapter')) {
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
        imports: ['../../kit/adapter', '../../../domain', 'undici', '../../erp/adapter/schema', '../sandbox', '../../../../subgraphs/kit'],
      },
      { file: 'src/systems/erp/adapter/mapper.ts', imports: ['../../../gateway/serve-gateway', '../../../runtime/start-stack', './schema'] },
      { file: 'src/systems/kit/adapter/translate.ts', imports: ['../../payments/adapter/errors', '../../../domain'] },
      { file: 'src/systems/crm/sandbox/routes.ts', imports: ['../../kit/sandbox', '../../kit/seed', '../../../domain', '../adapter/schema'] },
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
      "src/systems/erp/adapter/mapper.ts -> '../../../gateway/serve-gateway' (src/gateway/serve-gateway): an adapter never imports src/gateway",
      "src/systems/erp/adapter/mapper.ts -> '../../../runtime/start-stack' (src/runtime/start-stack): an adapter never imports src/runtime",
      "src/systems/kit/adapter/translate.ts -> '../../payments/adapter/errors' (src/systems/payments/adapter/errors): the kit adapter never imports another system's folder (src/systems/payments)",
      "src/systems/crm/sandbox/routes.ts -> '../adapter/schema' (src/systems/crm/adapter/schema): a sandbox never imports an adapter",
      "subgraphs/crm/index.ts -> '../../src/systems/crm/adapter' (src/systems/crm/adapter): a subgraph never imports an adapter",
      "subgraphs/crm/index.ts -> '../../src/systems/kit/seed' (src/systems/kit/seed): a subgraph never imports a sandbox",
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
