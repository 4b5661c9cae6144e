import '../telemetry-off';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config';
import { openDatabase } from '../db';
import { createShadowControl, type ShadowEntityView, type ShadowOutcome } from '../shadow';

const USAGE = [
  'usage: npm run cutover -- status [--json]',
  '       npm run cutover -- shadow <Customer|Order> on|off [--actor name]',
  '       npm run cutover -- <Customer|Order> [--actor name]',
].join('\n');

/** Exit codes: done; refused (the gate, or a switch after the cutover); a mistake in the command or the setup. */
const DONE = 0;
const REFUSED = 1;
const TROUBLE = 2;

/**
 * Shadow mode and the cutover from a terminal, on the database of DATABASE_URL (or the SQLite file in
 * PLUGBOARD_DATA_DIR), audited like the admin API. `status` lists each entity's switch, clean days and owner;
 * `shadow Order on` switches shadow mode; `Order` asks the gate for the cutover, which it refuses (exit 1,
 * CUTOVER_REFUSED) until the entity has PLUGBOARD_CUTOVER_CLEAN_DAYS consecutive clean reconciliation days.
 */
async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { actor: { type: 'string' }, json: { type: 'boolean' } },
  });
  const [command, entity, setting] = positionals;
  const shape =
    command === 'status' && positionals.length === 1 ? 'status'
    : command === 'shadow' && positionals.length === 3 && (setting === 'on' || setting === 'off') ? 'shadow'
    : command !== undefined && command !== 'status' && command !== 'shadow' && positionals.length === 1 ? 'cutover'
    : undefined;
  if (!shape) {
    console.error(USAGE);
    return TROUBLE;
  }
  const actor = values.actor?.trim() || `cli:${userInfo().username}`;

  const config = loadConfig();
  const db = await openDatabase(config.DATABASE_URL, { dataDir: config.PLUGBOARD_DATA_DIR });
  try {
    await db.migrate();
    const control = createShadowControl(db, { requiredCleanDays: config.PLUGBOARD_CUTOVER_CLEAN_DAYS, timeZone: config.PLUGBOARD_RECONCILE_TIME_ZONE });
    if (shape === 'status') {
      const entities = await control.list();
      console.log(values.json ? JSON.stringify({ entities }, null, 2) : table(entities));
      return DONE;
    }
    const outcome = shape === 'shadow' ? await control.setShadow(entity!, setting === 'on', actor) : await control.cutover(command!, actor);
    return report(outcome, values.json === true);
  } finally {
    await db.close();
  }
}

function report(outcome: ShadowOutcome, json: boolean): number {
  if (outcome.ok) {
    console.log(json ? JSON.stringify(outcome.entity, null, 2) : table([outcome.entity]));
    return DONE;
  }
  const { code, message } = outcome;
  if (json) {
    const extra = code === 'CUTOVER_REFUSED' ? { cleanDays: outcome.cleanDays, requiredCleanDays: outcome.requiredCleanDays } : {};
    console.error(JSON.stringify({ error: { code, ...extra, message } }, null, 2));
  } else {
    console.error(`${code}: ${message}`);
  }
  return code === 'NOT_FOUND' ? TROUBLE : REFUSED;
}

function table(entities: readonly ShadowEntityView[]): string {
  const rows = [
    ['ENTITY', 'SHADOW', 'CLEAN DAYS', 'OWNER', 'CUT OVER'],
    ...entities.map((entity) => [
      entity.entity,
      entity.shadow ? 'on' : 'off',
      `${entity.cleanDays}/${entity.requiredCleanDays}`,
      entity.owner,
      entity.cutover ? `${entity.cutover.at} by ${entity.cutover.actor}` : '-',
    ]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd()).join('\n');
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : error instanceof Error ? error.message : error);
    process.exit(TROUBLE);
  },
);
