import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The project's root folder (the one with package.json), whether this code runs from its TypeScript sources or
 * compiled into dist/ (`npm run build`): files that are not code (schema/, docs/, the dashboard's page, test
 * operations) are found from here, never relative to a compiled file.
 */
export const PROJECT_ROOT = rootAbove(__dirname);

function rootAbove(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${start}`);
  }
}
