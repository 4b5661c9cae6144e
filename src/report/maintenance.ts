import type { Database } from '../db';
import type { LoadedIntegrationMap } from '../integration-map';
import { esc, table } from './page';

/**
 * Internal to src/report: the maintenance autopilot's month (docs/autopilot.md): the vendors' contract drift first
 * seen in it, the credential and rate-limit alerts raised in it, and the rotation dates the integration map declares.
 */
export interface MaintenanceFigures {
  readonly contractDrift: ReadonlyArray<{ readonly system: string; readonly operation: string; readonly field: string; readonly change: string; readonly source: string; readonly firstSeenAt: Date }>;
  /** credential-expiry and rate-limit-lowered alerts raised in the month, oldest first. */
  readonly alerts: ReadonlyArray<{ readonly system: string; readonly kind: string; readonly message: string; readonly createdAt: Date }>;
  readonly rotations: ReadonlyArray<{ readonly system: string; readonly credential: string; readonly rotateBy: string }>;
}

const ALERT_KINDS = ['credential-expiry', 'rate-limit-lowered'];

const dateOf = (value: unknown): Date => (value instanceof Date ? value : new Date(typeof value === 'number' || /^\d+$/.test(String(value)) ? Number(value) : String(value)));

export async function maintenanceOf(db: Database, loaded: LoadedIntegrationMap, from: Date, to: Date): Promise<MaintenanceFigures> {
  const platform = db.orm.em.getPlatform();
  const at = (date: Date): unknown => platform.processDateProperty(date);
  const connection = db.orm.em.getConnection();
  type Row = Record<string, unknown>;
  const [drift, alerts] = await Promise.all([
    connection.execute<Row[]>(
      'select system, operation, field, change, source, first_seen_at from contract_drift where first_seen_at >= ? and first_seen_at < ? order by first_seen_at, system, operation, field',
      [at(from), at(to)],
      'all',
    ),
    connection.execute<Row[]>(
      `select system, kind, message, created_at from alerts where kind in (${ALERT_KINDS.map(() => '?').join(', ')}) and created_at >= ? and created_at < ? order by created_at`,
      [...ALERT_KINDS, at(from), at(to)],
      'all',
    ),
  ]);
  return {
    contractDrift: drift.map((row) => ({
      system: String(row['system']),
      operation: String(row['operation']),
      field: String(row['field']),
      change: String(row['change']),
      source: String(row['source']),
      firstSeenAt: dateOf(row['first_seen_at']),
    })),
    alerts: alerts.map((row) => ({ system: String(row['system']), kind: String(row['kind']), message: String(row['message']), createdAt: dateOf(row['created_at']) })),
    rotations: Object.entries(loaded.map.systems).flatMap(([system, entry]) => (entry.rotation ?? []).map(({ credential, rotateBy }) => ({ system, credential, rotateBy }))),
  };
}

const DRIFT_HEAD = ['System', 'Operation', 'Field', 'Change', 'Held against', 'First seen'];
const ALERT_HEAD = ['System', 'Alert', 'Raised', 'What it said'];
const ROTATION_HEAD = ['System', 'Credential', 'Rotate by'];

const against = (source: string): string => (source === 'description' ? "the vendor's description" : 'the shape seen before');

function rows(figures: MaintenanceFigures) {
  return {
    drift: figures.contractDrift.map((row) => [row.system, row.operation, row.field, row.change, against(row.source), row.firstSeenAt.toISOString()]),
    alerts: figures.alerts.map((row) => [row.system, row.kind, row.createdAt.toISOString(), row.message]),
    rotations: figures.rotations.map((row) => [row.system, row.credential, row.rotateBy]),
  };
}

/** The section in Markdown, given the report's table maker. */
export function maintenanceMarkdown(figures: MaintenanceFigures, markdownTable: (head: readonly string[], rows: readonly (readonly string[])[]) => string[]): string[] {
  const made = rows(figures);
  return [
    '## Maintenance: vendor contracts, credentials, rate limits',
    '',
    `${figures.contractDrift.length} change${figures.contractDrift.length === 1 ? '' : 's'} to vendors' answers first seen this month (contract drift).`,
    '',
    ...markdownTable(DRIFT_HEAD, made.drift),
    '',
    '### Credential expiry and rate-limit alerts',
    '',
    ...markdownTable(ALERT_HEAD, made.alerts),
    '',
    '### Rotation dates the integration map declares',
    '',
    ...markdownTable(ROTATION_HEAD, made.rotations),
    '',
  ];
}

/** The section's body in HTML. */
export function maintenanceHtml(figures: MaintenanceFigures): string {
  const made = rows(figures);
  const escaped = (list: string[][]) => list.map((cells) => cells.map(esc));
  const count = figures.contractDrift.length;
  return `<p class="note">${esc(`${count} change${count === 1 ? '' : 's'} to vendors' answers first seen this month (contract drift).`)}</p>
${table('contract-drift', DRIFT_HEAD, escaped(made.drift), (index) => `data-system="${esc(figures.contractDrift[index]!.system)}"`)}
<h3>Credential expiry and rate-limit alerts</h3>
${table('maintenance-alerts', ALERT_HEAD, escaped(made.alerts))}
<h3>Rotation dates the integration map declares</h3>
${table('rotations', ROTATION_HEAD, escaped(made.rotations))}`;
}
