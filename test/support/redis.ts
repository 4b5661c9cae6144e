import { Socket } from 'node:net';

/**
 * The Redis a test may use: REDIS_URL when set; with CI=true the machine's Redis (127.0.0.1:6379), which must be
 * there (CI fails, never skips, without it); otherwise the local one if it answers, else none (the test skips).
 */
export async function redisForTests(): Promise<string | undefined> {
  const url = process.env.REDIS_URL ?? (process.env.CI === 'true' ? 'redis://127.0.0.1:6379' : undefined);
  if (url) {
    if (!(await reachable(new URL(url)))) {
      throw new Error(`Redis at ${url} is unreachable; with CI=true (or REDIS_URL set) the Redis tests must run`);
    }
    return url;
  }
  const local = new URL('redis://127.0.0.1:6379');
  return (await reachable(local)) ? local.toString() : undefined;
}

function reachable(url: URL): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(Number(url.port || 6379), url.hostname, () => done(true));
  });
}
