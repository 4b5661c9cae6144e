import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Fastify from 'fastify';
import type { GatewayPlugin } from '../../src/gateway-plugin';
import { useOutboxAdmin } from '../../src/gateway/use-outbox-admin';
import { useDashboard } from '../../src/dashboard';
import { useMetrics } from '../../src/metrics';
import { useShadowAdmin } from '../../src/shadow';

/**
 * The gateway's extras plug into it (issue 17): the dashboard, metrics, webhooks and shadow mode bring their own
 * `useX(options)` plugin, and nothing in src/gateway imports them; the gateway's core (serve-gateway, create-gateway)
 * does not load the outbox's admin API either.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const FEATURES = ['src/dashboard', 'src/metrics', 'src/shadow', 'src/webhooks'];
const CORE = ['src/gateway/serve-gateway.ts', 'src/gateway/create-gateway.ts'];
const NOT_IN_CORE = ['src/gateway/admin-outbox', 'src/gateway/use-outbox-admin', 'src/outbox', 'src/alerts'];

function sources(folder: string): string[] {
  return readdirSync(path.join(ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => path.posix.join(folder, file.split(path.sep).join('/')));
}

/** Where a file's imports, re-exports, require() and import() lead, repository-relative (packages left out). */
function importsOf(file: string): string[] {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  const specifiers = [...text.matchAll(/(?:from\s+|require\(\s*|import\(\s*)'(\.[^']*)'/g)].map((match) => match[1]!);
  return specifiers.map((specifier) => path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier)));
}

const within = (target: string, folder: string) => target === folder || target.startsWith(`${folder}/`) || target === folder.replace(/\.ts$/, '');

describe('the gateway and its extras', () => {
  it('src/gateway imports none of the features that plug into it', () => {
    const found = sources('src/gateway').flatMap((file) =>
      importsOf(file)
        .filter((target) => FEATURES.some((feature) => within(target, feature)))
        .map((target) => `${file} -> ${target}`),
    );
    expect(found).toEqual([]);
  });

  it('the features import nothing of the gateway either: the plugin type lives apart (src/gateway-plugin.ts)', () => {
    const found = FEATURES.flatMap(sources).flatMap((file) => importsOf(file).filter((target) => within(target, 'src/gateway')).map((target) => `${file} -> ${target}`));
    expect(found).toEqual([]);
    expect(importsOf('src/gateway-plugin.ts')).toEqual([]);
  });

  it("the gateway's core loads no admin API of the outbox: it is a plugin too", () => {
    const found = CORE.flatMap((file) => importsOf(file).filter((target) => NOT_IN_CORE.some((folder) => within(target, folder))).map((target) => `${file} -> ${target}`));
    expect(found).toEqual([]);
  });

  it('each feature makes its plugin, and the plugin adds its routes when the gateway asks', async () => {
    const metrics = { render: async () => 'plugboard_up 1\n', contentType: 'text/plain; version=0.0.4' } as unknown as Parameters<typeof useMetrics>[0]['metrics'];
    const plugins: GatewayPlugin[] = [
      useMetrics({ metrics, access: 'admin' }),
      useDashboard({ dashboard: {} as Parameters<typeof useDashboard>[0]['dashboard'] }),
      useShadowAdmin({ control: {} as Parameters<typeof useShadowAdmin>[0]['control'] }),
      useOutboxAdmin({ outbox: {} as Parameters<typeof useOutboxAdmin>[0]['outbox'] }),
    ];
    expect(plugins.map((plugin) => plugin.name)).toEqual(['metrics', 'dashboard', 'shadow-admin', 'outbox-admin']);
    const app = Fastify();
    try {
      for (const plugin of plugins) await plugin.routes(app, { adminToken: 'plugin-test-admin-token-0000' });
      const origin = await app.listen({ host: '127.0.0.1', port: 0 });
      // The admin token the gateway hands over is the one the routes ask for.
      expect((await fetch(`${origin}/metrics`)).status).toBe(401);
      const allowed = await fetch(`${origin}/metrics`, { headers: { authorization: 'Bearer plugin-test-admin-token-0000' } });
      expect(await allowed.text()).toBe('plugboard_up 1\n');
      for (const route of ['/admin/api/dashboard', '/admin/api/shadow', '/admin/api/outbox']) {
        expect(app.hasRoute({ method: 'GET', url: route })).toBe(true);
        // Each admin route asks for the token the gateway handed over.
        expect((await fetch(`${origin}${route}`)).status).toBe(401);
      }
    } finally {
      await app.close();
    }
  });
});
