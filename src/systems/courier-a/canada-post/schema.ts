import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../../project-root';
import { createXsdValidator, type XsdFile, type XsdValidator } from '../../../xml';

/** Where Canada Post's schemas, as trimmed for courier A, are kept (see the comment at the top of each file). */
export const CANADA_POST_SCHEMA_DIR = path.join(PROJECT_ROOT, 'src/systems/courier-a/canada-post');

const read = (fileName: string): XsdFile => ({ fileName, contents: readFileSync(path.join(CANADA_POST_SCHEMA_DIR, fileName), 'utf8') });

/**
 * A validator for every Canada Post document courier A sends or receives (shipment-v8, track-v2 and messages), against the
 * schemas Canada Post publishes, trimmed to what courier A uses. Reads the files when called, not at import.
 */
export function createCanadaPostValidator(): XsdValidator {
  return createXsdValidator({
    schema: read('canada-post.xsd'),
    imports: [read('shipment-v8.trimmed.xsd'), read('messages.trimmed.xsd'), read('track-v2.written.xsd')],
  });
}
