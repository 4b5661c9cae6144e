import type { ZodType } from 'zod';
import { badResponse, createHttpClient, parseJson, validate, waitUnlessAborted, type CallSite } from '../../kit/adapter';
import { ACCESS_DENIED, errorFromRpc, loginRefused } from './errors';
import { envelopeSchema, rpcErrorSchema, uidSchema, type RpcError } from './schema';

/**
 * Odoo's external JSON-RPC API: transport and authentication. Internal to the ERP adapter.
 *
 * Odoo's external API has no session: `common.authenticate` turns (database, login, API key) into a user id, and
 * every `object.execute_kw` carries all four again. The user id is fetched once and shared (one authenticate in
 * flight at a time); when a call is refused with AccessDenied the id is fetched again, once.
 */
export interface OdooClientOptions {
  readonly system: string;
  readonly baseUrl: string;
  readonly db: string;
  readonly login: string;
  readonly apiKey: string;
  readonly maxResponseBytes?: number | undefined;
}

/** One `execute_kw` call. */
export interface ExecuteKw<T> {
  /** The adapter operation it serves, for errors. */
  readonly operation: string;
  readonly model: string;
  readonly method: string;
  readonly args: readonly unknown[];
  readonly kwargs?: Readonly<Record<string, unknown>>;
  /** What the result must look like. */
  readonly schema: ZodType<T>;
  readonly signal?: AbortSignal;
}

export interface OdooClient extends AsyncDisposable {
  execute<T>(call: ExecuteKw<T>): Promise<T>;
  close(): Promise<void>;
}

type Answer =
  | { readonly ok: true; readonly result: unknown; readonly empty: boolean }
  | { readonly ok: false; readonly error: RpcError };

export function createOdooClient(options: OdooClientOptions): OdooClient {
  const { system, db, login, apiKey } = options;
  const http = createHttpClient({ system, baseUrl: options.baseUrl, ...(options.maxResponseBytes ? { maxResponseBytes: options.maxResponseBytes } : {}) });
  // The shared authenticate belongs to no caller, so it is not cut short by one caller's signal, only by close().
  const lifetime = new AbortController();
  let lastId = 0;
  let session: Promise<number> | null = null;

  const rpc = async (site: CallSite, service: string, method: string, args: readonly unknown[], signal?: AbortSignal): Promise<Answer> => {
    lastId += 1;
    const id = lastId;
    const response = await http.request({
      operation: site.operation,
      method: 'POST',
      path: '/jsonrpc',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', method: 'call', params: { service, method, args }, id }),
      signal,
    });
    const raw = parseJson(site, response.text);
    const envelope = validate(site, envelopeSchema, raw);
    if (envelope.id !== id) throw badResponse(site, `answer is for request ${JSON.stringify(envelope.id)}, not ${id}`);
    const has = (member: string): boolean => Object.prototype.hasOwnProperty.call(raw, member);
    if (has('error')) return { ok: false, error: validate(site, rpcErrorSchema, envelope.error) };
    // A method that returns None: Odoo answers with neither `result` nor `error` (seen on Odoo 17).
    return { ok: true, result: envelope.result, empty: !has('result') };
  };

  const authenticate = async (): Promise<number> => {
    const site: CallSite = { system, operation: 'authenticate' };
    const answer = await rpc(site, 'common', 'authenticate', [db, login, apiKey, {}], lifetime.signal);
    if (!answer.ok) throw errorFromRpc(site, answer.error);
    if (answer.empty) throw badResponse(site, 'JSON-RPC answer has neither a result nor an error');
    const uid = validate(site, uidSchema, answer.result);
    if (uid === false) throw loginRefused(site, login, db);
    return uid;
  };

  const currentSession = (): Promise<number> => {
    if (session) return session;
    const started = authenticate();
    session = started;
    // A failed login is not remembered: the next call tries again.
    started.catch(() => {
      if (session === started) session = null;
    });
    return started;
  };

  const execute = async <T>(call: ExecuteKw<T>): Promise<T> => {
    const site: CallSite = { system, operation: call.operation };
    for (let attempt = 1; ; attempt += 1) {
      const used = currentSession();
      const uid = await waitUnlessAborted(used, site, call.signal);
      const answer = await rpc(
        site,
        'object',
        'execute_kw',
        [db, uid, apiKey, call.model, call.method, call.args, call.kwargs ?? {}],
        call.signal,
      );
      if (answer.ok) {
        if (answer.empty && !call.schema.safeParse(undefined).success) {
          throw badResponse(site, 'JSON-RPC answer has neither a result nor an error');
        }
        return validate(site, call.schema, answer.result);
      }
      if (answer.error.data?.name === ACCESS_DENIED && attempt === 1) {
        if (session === used) session = null;
        continue;
      }
      throw errorFromRpc(site, answer.error);
    }
  };

  const close = async (): Promise<void> => {
    lifetime.abort();
    await http.close();
  };
  return { execute, close, [Symbol.asyncDispose]: close };
}

