import path from 'node:path';
import { PROJECT_ROOT } from '../../../project-root';
import { loadSpec, type SpecCheck } from '../../kit/spec';

/**
 * ShipEngine's own description of its API (trimmed to what Plugboard uses: see the file's `x-plugboard-trimmed`),
 * compiled by the spec kit: the sandbox checks every request it receives and every answer it sends against it, so
 * that the sandbox and the adapter can never agree with each other and not with ShipEngine. Internal to the sandbox.
 */
export const SHIPENGINE_SPEC_FILE = path.join(PROJECT_ROOT, 'src/systems/courier-b/shipengine.trimmed.json');

/** Loads and compiles the trimmed description once per process. */
export function loadShipEngineSpec(): SpecCheck {
  return loadSpec(SHIPENGINE_SPEC_FILE, { vendor: 'ShipEngine' });
}
