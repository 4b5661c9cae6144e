/**
 * Odoo's failures, as its JSON-RPC endpoint reports them: HTTP 200 with an `error` member whose `data.name` is the
 * Python exception's qualified name. Internal to the ERP sandbox.
 */
export class OdooError extends Error {
  constructor(
    /** The qualified exception name Odoo reports, e.g. "odoo.exceptions.UserError". */
    readonly exceptionName: string,
    message: string,
  ) {
    super(message);
  }
}

export const accessDenied = (): OdooError => new OdooError('odoo.exceptions.AccessDenied', 'Access Denied');
export const userError = (message: string): OdooError => new OdooError('odoo.exceptions.UserError', message);
export const validationError = (message: string): OdooError =>
  new OdooError('odoo.exceptions.ValidationError', message);
export const valueError = (message: string): OdooError => new OdooError('builtins.ValueError', message);
export const typeError = (message: string): OdooError => new OdooError('builtins.TypeError', message);

export function missingError(model: string, ids: readonly number[]): OdooError {
  return new OdooError(
    'odoo.exceptions.MissingError',
    `Record does not exist or has been deleted.\n(Record: ${model}(${ids.join(', ')},), User: 2)`,
  );
}

/** The envelope Odoo answers with when a call raised. */
export function errorEnvelope(id: unknown, error: OdooError): object {
  return {
    jsonrpc: '2.0',
    id,
    error: {
      code: 200,
      message: 'Odoo Server Error',
      data: {
        name: error.exceptionName,
        debug:
          'Traceback (most recent call last):\n  File "odoo/service/model.py", in execute_kw\n' +
          `${error.exceptionName}: ${error.message}\n`,
        message: error.message,
        arguments: [error.message],
        context: {},
      },
    },
  };
}
