import { createConflictLog } from '../audit/conflicts';
import { createDriftLog } from '../audit/drift';
import type { Database } from '../db';
import type { SourceOfTruthMatrix } from '../domain';
import { createTruth, type Truth } from '../truth/truth';
import { createWriteUnit } from '../writes/db-unit';
import type { AdapterPorts } from './create-ports';

/** Source-of-truth resolution over our database (drift, conflicts) and the systems' ports. */
export function createTruthFor(db: Database, ports: AdapterPorts, matrix: SourceOfTruthMatrix, onError?: (error: unknown) => void): Truth {
  const unit = createWriteUnit(db);
  return createTruth({
    matrix,
    directory: ports.directory,
    erp: ports.erp,
    drift: createDriftLog(db),
    conflicts: createConflictLog(db),
    // Bidirectional: the ERP's newer version becomes the site's too, so the two agree again.
    applyOrderStatus: (order, winner) => unit.transaction((tx) => tx.setOrderStatus(order.id, winner.status, winner.updatedAt)),
    onError,
  });
}
