import type { FastifyRequest } from 'fastify';
import type { FailureBody, SandboxDefinition } from '../../kit/sandbox';
import type { EstateSeed } from '../../kit/seed';
import { ErpDatabase } from './database';
import { errorEnvelope, OdooError } from './odoo-error';
import { ErpRpc, type ErpCredentials } from './rpc';
import { seedErp } from './seed';

export type { ErpCredentials } from './rpc';

/** The credentials the sandbox accepts unless told otherwise. Not a secret: the sandbox is a demo system. */
export const ERP_SANDBOX_CREDENTIALS: ErpCredentials = {
  db: 'plugboard',
  login: 'api@plugboard.example',
  apiKey: 'erp-sandbox-api-key-5f1c2a9e',
};

export interface ErpSandboxOptions {
  /** The database, login and API key the sandbox accepts. @default ERP_SANDBOX_CREDENTIALS */
  readonly credentials?: ErpCredentials;
  /** Clock for `write_date` and `create_date`. @default the system clock */
  readonly clock?: () => Date;
}

/**
 * The ERP sandbox, shaped like Odoo 17's external JSON-RPC API: one `POST /jsonrpc` endpoint with the `common`
 * service (`authenticate`, `version`) and the `object` service (`execute_kw` on res.partner, product.product,
 * stock.quant, stock.picking, stock.move, sale.order, sale.order.line; their workflow methods in sale-flow.ts and
 * stock.ts), seeded from the estate.
 *
 * Its `/_sandbox/records` collections are named after the models and keyed by our ids: `product.product/<SKU>`,
 * `stock.quant/<SKU>`, `res.partner/<customer id>`, `sale.order/<order id>`, `sale.order.line/<line id>`.
 * `/_sandbox/stats` counts `<model>.<method>` for execute_kw and `common.<method>` for the common service.
 */
export function createErpSandbox(estate: EstateSeed, options: ErpSandboxOptions = {}): SandboxDefinition {
  const credentials = options.credentials ?? ERP_SANDBOX_CREDENTIALS;
  return {
    name: 'erp',
    failureBody: proxyFailure,
    routes(app, { records }) {
      const db = new ErpDatabase(records, [1, estate.currency], options.clock);
      seedErp(db, estate);
      const rpc = new ErpRpc(db, credentials);
      app.post('/jsonrpc', { config: { operation: operationOf } }, async (request) => {
        const body = request.body;
        const id = isObject(body) ? (body['id'] ?? null) : null;
        try {
          const result = rpc.call(isObject(body) ? body['params'] : undefined);
          // A method that returns None: Odoo answers the envelope with neither result nor error.
          return result === undefined ? { jsonrpc: '2.0', id } : { jsonrpc: '2.0', id, result };
        } catch (error) {
          // Like Odoo, any exception raised by a call is answered as an error envelope with HTTP 200.
          const odooError = error instanceof OdooError ? error : new OdooError('builtins.Exception', String(error));
          return errorEnvelope(id, odooError);
        }
      });
    },
  };
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** `<model>.<method>` for execute_kw, `<service>.<method>` otherwise. */
function operationOf(request: FastifyRequest): string {
  const params = isObject(request.body) ? request.body['params'] : undefined;
  if (!isObject(params)) return 'jsonrpc';
  const { service, method, args } = params;
  if (service === 'object' && Array.isArray(args) && typeof args[3] === 'string' && typeof args[4] === 'string') {
    return `${args[3]}.${args[4]}`;
  }
  return typeof service === 'string' && typeof method === 'string' ? `${service}.${method}` : 'jsonrpc';
}

const REASONS: Readonly<Record<number, string>> = { 429: 'Too Many Requests', 503: 'Service Temporarily Unavailable' };

/** Odoo usually sits behind nginx, which answers 429 and 503 itself, as HTML. */
function proxyFailure(status: number, _message: string): FailureBody {
  const title = `${status} ${REASONS[status] ?? 'Error'}`;
  return {
    contentType: 'text/html',
    body:
      `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n` +
      '<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n',
  };
}
