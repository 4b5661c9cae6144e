/**
 * Apollo's federation packages are TypeScript compiled to CommonJS, and their index files re-export every name
 * through a getter (`get: function () { return m[k]; }`): one function, shared by hundreds of names, so V8 cannot
 * turn `federation_internals_1.assert(...)` into a plain property read. The query-plan executor and result shaping
 * make such reads for every field of every answer: 5% of the gateway's CPU on the federation benchmark's nested
 * query (`npm run bench`). Loaded here once, each package's index is replaced in Node's module cache by an object
 * holding the same values as plain properties, before @apollo/gateway requires it.
 *
 * The getters exist so that a re-exported `let` that is reassigned is seen anew; none of these packages reassigns an
 * export after loading (test/unit/plain-exports.test.ts checks every value again after a served query). Import this
 * before anything that imports @apollo/gateway, as create-gateway.ts does; a module that loaded a package earlier
 * keeps its getters, which answer the same values.
 */
export const PLAIN_EXPORT_PACKAGES = ['@apollo/federation-internals', '@apollo/query-planner'] as const;
type PlainExportPackage = (typeof PLAIN_EXPORT_PACKAGES)[number];

/** Each package's exports as its index made them (getters and all), kept for the test that compares the two. */
const loaded = new Map<PlainExportPackage, Record<string, unknown>>();

for (const name of PLAIN_EXPORT_PACKAGES) {
  const id = require.resolve(name);
  const exported = require(id) as Record<string, unknown>;
  const cached = require.cache[id];
  if (!cached) continue;
  loaded.set(name, exported);
  const plain: Record<string, unknown> = {};
  for (const key of Object.keys(exported)) plain[key] = exported[key];
  Object.defineProperty(plain, '__esModule', { value: true });
  cached.exports = plain;
}

/** What requiring a package answers now, and its exports as its index made them. */
export function exportsOf(name: PlainExportPackage): { readonly required: Record<string, unknown>; readonly original: Record<string, unknown> | undefined } {
  return { required: require(require.resolve(name)) as Record<string, unknown>, original: loaded.get(name) };
}
