import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createLocalClock } from '../../../time/local-clock';
import type { SandboxContext } from '../../kit/sandbox';
import { authorized, type Envelope, type LegacyCredentials } from './routes';
import {
  legacyCustomerNumber,
  legacyOrderNumber,
  type LegacyCustomerRow,
  type LegacyOrderRow,
  type LegacyStatusCode,
} from './vocabulary';

/** The form fields the shop's save scripts read (`$_POST`): every value a string, as a form sends it. */
type Form = Readonly<Record<string, string>>;

const TIMESTAMP = /^\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}:\d{2}$/;
const DATE = /^\d{2}\.\d{2}\.\d{4}$/;
const AMOUNT = /^-?(\d{1,3}(\.\d{3})+|\d+),\d{2}$/;
const STATUS_CODES: readonly LegacyStatusCode[] = ['N', 'B', 'V', 'G', 'S'];

/** A field the script needs was missing or malformed: the shop says so with `PARAM:` and HTTP 200. */
class ParamError extends Error {}

const required = (form: Form, name: string, pattern?: RegExp): string => {
  const value = form[name];
  if (value === undefined || value.trim() === '') throw new ParamError(`${name} missing`);
  if (pattern && !pattern.test(value)) throw new ParamError(`${name} malformed`);
  return value;
};

/**
 * The shop's write scripts, as its storefront and the migration project's sync call them:
 * `POST /api/legacy/customer_save.php` and `POST /api/legacy/order_save.php`, form-encoded, behind HTTP Basic auth.
 * Each is an upsert by EXT_REF (INSERT … ON DUPLICATE KEY UPDATE) answering the saved row. MOD_TS is taken from the
 * form when given (the migration project added that so that synced rows carry the source's change time), else the
 * server's clock. A new row gets the next shop number. Stats operations: `customers.save`, `orders.save`.
 */
export function registerLegacySaveRoutes(
  app: FastifyInstance,
  context: SandboxContext,
  options: { readonly credentials: LegacyCredentials; readonly timeZone: string },
): void {
  const customers = context.records.collection<LegacyCustomerRow>('customers');
  const orders = context.records.collection<LegacyOrderRow>('orders');
  const clock = createLocalClock(options.timeZone);

  const save = <T>(
    request: FastifyRequest,
    reply: FastifyReply,
    write: (form: Form, now: string) => T,
  ): FastifyReply => {
    const answer = (envelope: Envelope<T>): FastifyReply =>
      reply.code(200).header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(envelope));
    if (!authorized(request.headers.authorization, options.credentials)) return answer({ ok: 0, err: 'AUTH: login failed' });
    const form = Object.fromEntries(new URLSearchParams(typeof request.body === 'string' ? request.body : ''));
    try {
      return answer({ ok: 1, rows: [write(form, clock.timestamp(new Date()))] });
    } catch (error) {
      if (error instanceof ParamError) return answer({ ok: 0, err: `PARAM: ${error.message}` });
      throw error;
    }
  };

  app.post('/api/legacy/customer_save.php', { config: { operation: 'customers.save' } }, async (request, reply) =>
    save(request, reply, (form, now) => {
      const ref = required(form, 'EXT_REF');
      const before = customers.get(ref);
      const modified = form.MOD_TS ? required(form, 'MOD_TS', TIMESTAMP) : now;
      const row: LegacyCustomerRow = {
        CUST_NO: before?.CUST_NO ?? legacyCustomerNumber(customers.size + 1),
        EXT_REF: ref,
        E_MAIL: required(form, 'E_MAIL'),
        FULL_NAME: required(form, 'FULL_NAME'),
        TEL: form.TEL ?? '',
        CRE_TS: before?.CRE_TS ?? modified,
        MOD_TS: modified,
      };
      customers.set(ref, row);
      return row;
    }),
  );

  app.post('/api/legacy/order_save.php', { config: { operation: 'orders.save' } }, async (request, reply) =>
    save(request, reply, (form, now) => {
      const ref = required(form, 'EXT_REF');
      const customer = customers.get(required(form, 'CUST_EXT_REF'));
      if (!customer) throw new ParamError('CUST_EXT_REF unknown');
      const status = required(form, 'STAT') as LegacyStatusCode;
      if (!STATUS_CODES.includes(status)) throw new ParamError('STAT unknown');
      const before = orders.get(ref);
      const row: LegacyOrderRow = {
        ORDER_NO: before?.ORDER_NO ?? legacyOrderNumber(orders.size + 1),
        EXT_REF: ref,
        CUST_NO: customer.CUST_NO,
        CUST_EXT_REF: customer.EXT_REF,
        STAT: status,
        ORDER_DATE: required(form, 'ORDER_DATE', DATE),
        SUM_GROSS: required(form, 'SUM_GROSS', AMOUNT),
        CURR: required(form, 'CURR', /^[A-Z]{3}$/),
        POS_CNT: required(form, 'POS_CNT', /^\d+$/),
        MOD_TS: form.MOD_TS ? required(form, 'MOD_TS', TIMESTAMP) : now,
      };
      orders.set(ref, row);
      return row;
    }),
  );
}
