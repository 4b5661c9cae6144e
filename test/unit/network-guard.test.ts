import dns from 'node:dns';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import {
  connectTarget,
  guardConnect,
  isLocalHost,
  networkGuardInstalled,
  refusedByNetworkGuard,
} from '../support/network-guard';

/**
 * The tests below try to reach other hosts on purpose. Each one first makes sure the guard is in place, so that a
 * broken setup fails here instead of sending a packet off this machine.
 */
function guardInPlace(): void {
  if (!networkGuardInstalled()) throw new Error('the network guard is not installed (test/setup-env.ts)');
}

/** What a refused fetch reports: undici wraps the guard's error as the cause of "fetch failed". */
async function fetchFailure(url: string): Promise<string> {
  guardInPlace();
  const error = await fetch(url).then(
    () => undefined,
    (thrown: unknown) => thrown as Error & { cause?: Error },
  );
  if (!error) throw new Error(`fetch(${url}) succeeded`);
  return `${error.message} <- ${error.cause?.message ?? ''}`;
}

describe('network guard, installed in every jest worker by test/setup-env.ts', () => {
  it('is installed in this worker', () => {
    expect(networkGuardInstalled()).toBe(true);
  });

  describe('refuses anything off this machine, naming the host', () => {
    it('a private address: 10.255.255.1:80 over net, tls and fetch', async () => {
      guardInPlace();
      expect(() => net.connect(80, '10.255.255.1')).toThrow('network guard: connection to 10.255.255.1:80 refused');
      expect(() => net.connect({ host: '10.255.255.1', port: 80 })).toThrow(/10\.255\.255\.1:80 refused/);
      expect(() => new net.Socket().connect(80, '10.255.255.1')).toThrow(/10\.255\.255\.1:80 refused/);
      expect(() => tls.connect({ host: '10.255.255.1', port: 443 })).toThrow(/10\.255\.255\.1:443 refused/);
      expect(await fetchFailure('http://10.255.255.1/')).toMatch(/10\.255\.255\.1:80 refused/);
      expect(refusedByNetworkGuard()).toEqual(expect.arrayContaining(['10.255.255.1:80', '10.255.255.1:443']));
    });

    it('a public name: example.com over net and fetch, before any DNS query', async () => {
      guardInPlace();
      expect(() => net.connect(80, 'example.com')).toThrow('network guard: connection to example.com:80 refused');
      expect(await fetchFailure('https://example.com/')).toMatch(/example\.com:443 refused/);
    });

    it('dns.lookup and dns.promises.lookup of a name that is not local', async () => {
      guardInPlace();
      const viaCallback = await new Promise<Error | null>((resolve) => dns.lookup('example.com', (error) => resolve(error)));
      expect(viaCallback?.message).toBe(
        'network guard: DNS lookup of example.com refused: tests may only reach 127.0.0.1, ::1 or localhost',
      );
      await expect(dns.promises.lookup('updates.example.org', { all: true })).rejects.toThrow(
        /DNS lookup of updates\.example\.org refused/,
      );
      expect(refusedByNetworkGuard()).toEqual(expect.arrayContaining(['dns:example.com', 'dns:updates.example.org']));
    });
  });

  describe('lets local traffic through', () => {
    let echo: net.Server;
    let web: HttpServer;
    let socketDir: string;

    beforeAll(async () => {
      socketDir = await mkdtemp(path.join(tmpdir(), 'plugboard-guard-'));
      echo = net.createServer((socket) => socket.pipe(socket));
      web = createHttpServer((_request, response) => response.end('hello from 127.0.0.1'));
      await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
      await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
    });

    afterAll(async () => {
      await new Promise((resolve) => echo.close(resolve));
      await new Promise((resolve) => web.close(resolve));
      await rm(socketDir, { recursive: true, force: true });
    });

    const roundTrip = (socket: net.Socket): Promise<string> =>
      new Promise((resolve, reject) => {
        let received = '';
        socket.on('error', reject);
        socket.on('data', (chunk) => {
          received += chunk.toString();
          if (received === 'ping') {
            socket.end();
            resolve(received);
          }
        });
        socket.write('ping');
      });

    it('to 127.0.0.1 and localhost', async () => {
      const { port } = echo.address() as net.AddressInfo;
      expect(await roundTrip(net.connect(port, '127.0.0.1'))).toBe('ping');
      expect(await roundTrip(net.connect({ port, host: 'localhost' }))).toBe('ping');
      const answer = await fetch(`http://127.0.0.1:${(web.address() as net.AddressInfo).port}/`);
      expect(await answer.text()).toBe('hello from 127.0.0.1');
      expect((await dns.promises.lookup('localhost')).address).toMatch(/^(127\.0\.0\.1|::1)$/);
    });

    it('to a unix socket', async () => {
      const socketPath = path.join(socketDir, 'echo.sock');
      const local = net.createServer((socket) => socket.pipe(socket));
      await new Promise<void>((resolve) => local.listen(socketPath, resolve));
      try {
        expect(await roundTrip(net.connect(socketPath))).toBe('ping');
      } finally {
        await new Promise((resolve) => local.close(resolve));
      }
    });
  });

  describe('rules', () => {
    it('reads connect arguments the way Node does', () => {
      expect(connectTarget([80, 'example.com'])).toEqual({ kind: 'tcp', host: 'example.com', port: 80 });
      expect(connectTarget(['8080'])).toEqual({ kind: 'tcp', host: 'localhost', port: '8080' });
      expect(connectTarget(['/run/postgresql/.s.PGSQL.5432'])).toEqual({ kind: 'ipc', path: '/run/postgresql/.s.PGSQL.5432' });
      expect(connectTarget([[{ host: '10.0.0.1', port: 6379 }, null]])).toEqual({ kind: 'tcp', host: '10.0.0.1', port: 6379 });
      expect(connectTarget([{ port: 5432 }])).toEqual({ kind: 'tcp', host: 'localhost', port: 5432 });
    });

    it('counts loopback as local and nothing else', () => {
      for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', '::1', '[::1]', '::ffff:127.0.0.1']) {
        expect([host, isLocalHost(host)]).toEqual([host, true]);
      }
      for (const host of ['10.255.255.1', '169.254.169.254', '0.0.0.0', '192.168.1.1', 'example.com', 'localhost.example.com', '::']) {
        expect([host, isLocalHost(host)]).toEqual([host, false]);
      }
    });

    it('never hands a refused target to the real connect', () => {
      const calls: unknown[][] = [];
      const state = { refused: [] as string[] };
      const connect = guardConnect(function (this: net.Socket, ...args: unknown[]) {
        calls.push(args);
        return this;
      }, state);
      const socket = {} as net.Socket;
      expect(() => connect.call(socket, 80, '169.254.169.254')).toThrow(/169\.254\.169\.254:80 refused/);
      expect(() => connect.call(socket, { host: 'metadata.google.internal', port: 80 })).toThrow(/metadata\.google\.internal:80/);
      connect.call(socket, 4000, '127.0.0.1');
      expect(calls).toEqual([[4000, '127.0.0.1']]);
      expect(state.refused).toEqual(['169.254.169.254:80', 'metadata.google.internal:80']);
    });
  });
});
