import path from 'node:path';
import { PROJECT_ROOT } from '../../../project-root';
import { loadSpec, type SpecCheck } from '../../kit/spec';

/**
 * Xero's own description of its API (trimmed to what Plugboard uses: see the file's `x-plugboard-trimmed`), compiled
 * by the spec kit: the sandbox checks every request it receives and every answer it sends against it, so that the
 * sandbox and the adapter can never agree with each other and not with Xero. Internal to the sandbox.
 */
export const XERO_SPEC_FILE = path.join(PROJECT_ROOT, 'src/systems/xero/xero-accounting.trimmed.json');

/** Loads and compiles the trimmed description once per process. Paths are below the API's base (`/Invoices`). */
export function loadXeroSpec(): SpecCheck {
  return loadSpec(XERO_SPEC_FILE, { vendor: 'Xero' });
}
