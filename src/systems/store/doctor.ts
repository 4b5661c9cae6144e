import type { Database } from '../../db';
import { dataQualityCheck, emailQuality, type DataQualitySample, type DoctorCheck, type SystemDoctor } from '../kit/doctor';

/** Customers read for the sample. */
const SAMPLE_SIZE = 1_000;

/**
 * The site's store (our database): that it answers, and a data-quality sample of what it holds: duplicate e-mails
 * (its unique index is case-sensitive, so `A@x.com` and `a@x.com` both pass it), invalid e-mails, and orders whose
 * customer is not in the store.
 */
export const storeDoctor: SystemDoctor<object> = {
  async probe(context) {
    const db = context.db as Database | undefined;
    if (!db) return { checks: [{ name: 'reachable', status: 'warn', detail: 'no database was opened', action: 'set DATABASE_URL' }] };
    const connection = db.orm.em.fork().getConnection();
    const latenciesMs: number[] = [];
    let rows: { email: string }[] = [];
    const schema = db.schema ? `"${db.schema}".` : '';
    for (let index = 0; index < Math.max(1, context.samples); index += 1) {
      const started = performance.now();
      rows = (await connection.execute(`select email from ${schema}customers order by id limit ${SAMPLE_SIZE}`)) as { email: string }[];
      latenciesMs.push(performance.now() - started);
    }
    const orphans = (await connection.execute(
      `select count(*) as n from ${schema}orders o left join ${schema}customers c on c.id = o.customer_id where c.id is null`,
    )) as { n: number | string }[];
    const sample: DataQualitySample = {
      source: 'customers (store)',
      records: rows.length,
      ...emailQuality(rows.map((row) => row.email)),
      withoutCustomer: Number(orphans[0]?.n ?? 0),
    };
    const checks: DoctorCheck[] = [
      { name: 'reachable', status: 'ok', detail: `the ${db.dialect} database answered` },
      dataQualityCheck(sample),
    ];
    return { checks, latenciesMs, apiVersion: db.dialect, dataQuality: [sample] };
  },
};
