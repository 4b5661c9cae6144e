import dns from 'node:dns';
import net from 'node:net';

/**
 * Keeps every test on this machine. Installed from test/setup-env.ts in every jest worker: a socket may connect only
 * to the loopback interface (127.0.0.0/8, ::1, localhost) or a unix socket, and dns.lookup refuses every other name.
 * Patching net.Socket.prototype.connect covers whatever sits on top of it: net, tls, http(s), undici and fetch, the
 * PostgreSQL and Redis clients, Stripe's SDK.
 *
 * Node's core modules are shared by all test files of a worker (jest sandboxes only user modules), so the patch is
 * made once per process and remembered on the patched function through a registry symbol.
 */

const GUARD = Symbol.for('plugboard.test.network-guard');

/** The error a refused connection or lookup throws; its message names the host. */
export class NetworkGuardError extends Error {
  readonly code = 'ERR_PLUGBOARD_NETWORK_GUARD';

  constructor(
    readonly host: string,
    what: string,
  ) {
    super(`network guard: ${what} ${host} refused: tests may only reach 127.0.0.1, ::1 or localhost`);
    this.name = 'NetworkGuardError';
  }
}

interface GuardState {
  /** Every target refused in this process, e.g. "10.255.255.1:80" or "dns:example.com". */
  readonly refused: string[];
}

type Connect = (this: net.Socket, ...args: unknown[]) => net.Socket;
type GuardedConnect = Connect & { [GUARD]?: GuardState };

/** Whether a host name or address is this machine's loopback. */
export function isLocalHost(host: string): boolean {
  const bare = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (bare === 'localhost' || bare === '::1' || bare === '0:0:0:0:0:0:0:1') return true;
  const v4 = bare.replace(/^::ffff:/, '');
  return net.isIPv4(v4) && v4.startsWith('127.');
}

/** Where a `socket.connect(...)` call goes, read the way Node reads its arguments. */
export type ConnectTarget =
  | { readonly kind: 'ipc'; readonly path: string }
  | { readonly kind: 'tcp'; readonly host: string; readonly port: unknown };

export function connectTarget(args: readonly unknown[]): ConnectTarget {
  // net.connect() hands Socket#connect its already-normalised [options, callback] array.
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  if (typeof first === 'object' && first !== null) {
    const options = first as { path?: unknown; host?: unknown; port?: unknown };
    if (typeof options.path === 'string' && options.path !== '') return { kind: 'ipc', path: options.path };
    const host = typeof options.host === 'string' && options.host !== '' ? options.host : 'localhost';
    return { kind: 'tcp', host, port: options.port };
  }
  if (typeof first === 'string' && !/^\s*\d+\s*$/.test(first)) return { kind: 'ipc', path: first };
  const host = typeof args[1] === 'string' && args[1] !== '' ? args[1] : 'localhost';
  return { kind: 'tcp', host, port: first };
}

/** Wraps a Socket#connect so that a connection anywhere but loopback or a unix socket throws, naming the host. */
export function guardConnect(connect: Connect, state: GuardState): GuardedConnect {
  const guarded: GuardedConnect = function (this: net.Socket, ...args: unknown[]): net.Socket {
    const target = connectTarget(args);
    if (target.kind === 'tcp' && !isLocalHost(target.host)) {
      state.refused.push(`${target.host}:${String(target.port)}`);
      throw new NetworkGuardError(`${target.host}:${String(target.port)}`, 'connection to');
    }
    return connect.apply(this, args);
  };
  guarded[GUARD] = state;
  return guarded;
}

/** Installs the guard in this process (again is a no-op). */
export function installNetworkGuard(): void {
  if (networkGuardState()) return;
  const state: GuardState = { refused: [] };
  const connect = net.Socket.prototype.connect as Connect;
  net.Socket.prototype.connect = guardConnect(connect, state) as typeof net.Socket.prototype.connect;
  guardLookups(state);
}

/** Whether the guard is in place in this process. */
export function networkGuardInstalled(): boolean {
  return networkGuardState() !== undefined;
}

/** The connections and lookups refused so far in this jest worker (a library may have swallowed the error). */
export function refusedByNetworkGuard(): readonly string[] {
  return [...(networkGuardState()?.refused ?? [])];
}

function networkGuardState(): GuardState | undefined {
  return (net.Socket.prototype.connect as GuardedConnect)[GUARD];
}

/** dns.lookup of a name that is not local fails at once instead of asking a resolver the machine cannot reach. */
function guardLookups(state: GuardState): void {
  const refuse = (hostname: unknown): NetworkGuardError | undefined => {
    const name = String(hostname ?? '');
    if (name === '' || net.isIP(name) !== 0 || isLocalHost(name)) return undefined;
    state.refused.push(`dns:${name}`);
    return new NetworkGuardError(name, 'DNS lookup of');
  };

  const lookup = dns.lookup as (...args: unknown[]) => unknown;
  const guardedLookup = function (this: unknown, ...args: unknown[]): unknown {
    const error = refuse(args[0]);
    const callback = args[args.length - 1];
    if (!error) return lookup.apply(this, args);
    if (typeof callback !== 'function') throw error;
    process.nextTick(() => (callback as (error: Error) => void)(error));
    return {};
  };
  dns.lookup = guardedLookup as typeof dns.lookup;

  const lookupPromise = dns.promises.lookup as (...args: unknown[]) => Promise<unknown>;
  dns.promises.lookup = function (this: unknown, ...args: unknown[]): Promise<unknown> {
    const error = refuse(args[0]);
    return error ? Promise.reject(error) : lookupPromise.apply(this, args);
  } as typeof dns.promises.lookup;
}
