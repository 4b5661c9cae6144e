#!/usr/bin/env node
/**
 * `npm run build`: compiles the TypeScript that runs (src, subgraphs, bench, test/support) into dist/ with swc, one
 * file at a time and only the files changed since their last build, so that `npm start` is ready in seconds.
 *
 * It does not type-check: `npm test` does (`tsc --noEmit`), as it always did. swc takes the options jest already runs
 * the whole suite with (jest.config.js): decorators with their metadata, which type-graphql reads, and class fields
 * assigned as TypeScript's `useDefineForClassFields: false` does.
 *
 * A file is compiled again when its source is newer than its output; everything is compiled again when these options,
 * this script or swc's version change (dist/.build-stamp). Outputs whose source is gone are removed, so that a deleted
 * migration cannot go on running from dist/.
 */
'use strict';
const { createHash } = require('node:crypto');
const { mkdir, readdir, readFile, rename, rm, stat, writeFile } = require('node:fs/promises');
const path = require('node:path');
const swc = require('@swc/core');

const ROOT = path.join(__dirname, '..');
const OUT = path.join(ROOT, 'dist');
/** The code a process runs, never the tests themselves. */
const SOURCES = ['src', 'subgraphs', 'bench', 'test/support'];
const SKIPPED = [/\.test\.ts$/, /\.d\.ts$/, /^bench\/scratch\//];
const STAMP = path.join(OUT, '.build-stamp');
/** Files compiled at once; swc works on its own threads, so this only bounds open files and memory. */
const PARALLEL = 32;

/** @type {import('@swc/core').Options} */
const OPTIONS = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    target: 'es2022',
  },
  module: { type: 'commonjs' },
  sourceMaps: true,
  swcrc: false,
  configFile: false,
};

async function main() {
  const started = process.hrtime.bigint();
  const sources = (await Promise.all(SOURCES.map((dir) => listTypeScript(dir)))).flat();
  const stamp = createHash('sha256').update(swc.version).update(JSON.stringify(OPTIONS)).update(await readFile(__filename)).digest('hex');
  const fresh = (await readFile(STAMP, 'utf8').catch(() => '')) === stamp;

  const changed = [];
  for (const source of sources) {
    if (!fresh || (await isNewer(path.join(ROOT, source), outputOf(source)))) changed.push(source);
  }
  for (let at = 0; at < changed.length; at += PARALLEL) {
    await Promise.all(changed.slice(at, at + PARALLEL).map(compile));
  }
  const removed = await removeOrphans(new Set(sources.map(outputOf)));
  await mkdir(OUT, { recursive: true });
  await writeWhole(STAMP, stamp);

  if (changed.length > 0 || removed > 0) {
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const gone = removed > 0 ? `, ${removed} removed` : '';
    console.log(`build: ${changed.length} of ${sources.length} files compiled with swc in ${(ms / 1000).toFixed(1)} s${gone} (type-check: npm test)`);
  }
}

/** The TypeScript files under `dir` (relative to the project, with forward slashes), minus tests and scratch. */
async function listTypeScript(dir) {
  const entries = await readdir(path.join(ROOT, dir), { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => path.relative(ROOT, path.join(entry.parentPath ?? entry.path, entry.name)).split(path.sep).join('/'))
    .filter((file) => !SKIPPED.some((pattern) => pattern.test(file)));
}

function outputOf(source) {
  return path.join(OUT, source.replace(/\.ts$/, '.js'));
}

async function isNewer(source, output) {
  const [from, to] = await Promise.all([stat(source), stat(output).catch(() => undefined)]);
  return to === undefined || from.mtimeMs > to.mtimeMs;
}

async function compile(source) {
  const output = outputOf(source);
  const { code, map } = await swc.transformFile(path.join(ROOT, source), {
    ...OPTIONS,
    filename: path.join(ROOT, source),
    sourceFileName: path.relative(path.dirname(output), path.join(ROOT, source)),
  });
  await mkdir(path.dirname(output), { recursive: true });
  await writeWhole(output, `${code}\n//# sourceMappingURL=${path.basename(output)}.map\n`);
  if (map) await writeWhole(`${output}.map`, map);
}

/**
 * Writes a file under another name, then renames it into place: a process that loads it while another build runs
 * (a test starting a CLI from dist/ while the next one builds) reads the old file or the new one, never half of one.
 */
async function writeWhole(file, content) {
  const scratch = `${file}.${process.pid}.tmp`;
  await writeFile(scratch, content);
  await rename(scratch, file);
}

/** Removes compiled files (and their maps) under dist/'s source folders that no source produces any more. */
async function removeOrphans(expected) {
  let removed = 0;
  for (const dir of SOURCES) {
    const entries = await readdir(path.join(OUT, dir), { recursive: true, withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (!entry.isFile() || !entry.name.endsWith('.js')) continue;
      const file = path.join(entry.parentPath ?? entry.path, entry.name);
      if (expected.has(file)) continue;
      await rm(file, { force: true });
      await rm(`${file}.map`, { force: true });
      removed += 1;
    }
  }
  return removed;
}

main().catch((error) => {
  console.error(`build failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
