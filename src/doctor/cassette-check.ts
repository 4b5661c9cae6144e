import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { readCassette, type Cassette } from '../record/cassette';
import type { DoctorCheck } from '../systems/kit/doctor';
import type { SpecCheck } from '../systems/kit/spec';

/** At most this many differences are named in a check's detail (the rest are counted). */
const NAMED = 5;

/**
 * A recorded window of a system's answers (`npm run record`) held against its vendor's published description (the
 * spec kit, as the autopilot holds live answers): every recorded answer with a JSON body is checked. A system with no
 * description (the CRM, whose vendor's description may not be copied; the ERP's JSON-RPC; courier A's XML) is said to
 * be not held, with why: its answers are still replayable, and the autopilot holds them against the shape seen before.
 */
export function cassetteCheck(cassette: Cassette, file: string, description: (() => SpecCheck) | undefined): DoctorCheck {
  const name = 'recorded answers';
  const where = `${cassette.entries.length} answers recorded ${cassette.recordedFrom.slice(0, 10)} (${path.basename(file)})`;
  if (!description) {
    return { name, status: 'ok', detail: `${where}: not held against a description (the system declares no published description it may keep)` };
  }
  const spec = description();
  let checked = 0;
  let notJson = 0;
  let undescribed = 0;
  const differences: string[] = [];
  for (const entry of cassette.entries) {
    let body: unknown;
    try {
      // An empty body (a 204) is checked as none: the description says whether the operation answers one.
      body = entry.body.trim() === '' ? undefined : JSON.parse(entry.body);
    } catch {
      notJson += 1;
      continue;
    }
    const found = spec.checkAnswer(entry.method, entry.path, entry.status, body);
    if (found.some((difference) => difference.rule === 'operation')) {
      undescribed += 1;
      continue;
    }
    checked += 1;
    for (const difference of found) differences.push(`${entry.operation} (${entry.method} ${entry.path} ${entry.status}): ${difference.message}`);
  }
  const counts = `${checked} checked${undescribed ? `, ${undescribed} of operations the description leaves out` : ''}${notJson ? `, ${notJson} not JSON` : ''}`;
  if (differences.length === 0) return { name, status: 'ok', detail: `${where}: ${counts}; every checked answer fits ${spec.vendor}'s description` };
  const named = differences.slice(0, NAMED).join('; ');
  return {
    name,
    status: 'warn',
    detail: `${where}: ${counts}; ${differences.length} difference(s) from ${spec.vendor}'s description: ${named}${differences.length > NAMED ? `; and ${differences.length - NAMED} more` : ''}`,
    action: 'the vendor answers differently from what its description says: compare with the adapter\'s validation before it breaks a page (docs/autopilot.md)',
  };
}

/** The newest cassette of a system under `dir` (`<dir>/<system>/*.json`, by name: the names are UTC times), if any. */
export async function newestCassetteOf(dir: string, system: string): Promise<{ file: string; cassette: Cassette } | undefined> {
  let names: string[];
  try {
    names = (await readdir(path.join(dir, system))).filter((file) => file.endsWith('.json')).sort();
  } catch {
    return undefined;
  }
  const newest = names.at(-1);
  if (!newest) return undefined;
  const file = path.join(dir, system, newest);
  return { file, cassette: await readCassette(file) };
}
