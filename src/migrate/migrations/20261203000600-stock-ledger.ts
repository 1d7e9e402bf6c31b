import type { Db } from 'mongodb';
import { STORE_COLLECTIONS } from '../../store/mongo/mongo.schemas';
import { openingMovements } from '../opening-movements';
import { createCollections } from '../store-collections';
import { createIndexes, dropIndexes, LEDGER_INDEX_DEFINITIONS } from '../store-indexes';

/**
 * The stock ledger: the stockmovements collection and its unique {variantId, seq} index, then an
 * opening balance for every variant created before the ledger (invariant I7 starts there).
 * Run it before the new version serves traffic: a change made by the old version after the
 * opening balance has no movement and shows up in reconcile as an I7 gap.
 */
export async function up(db: Db): Promise<void> {
  await createCollections(db, [STORE_COLLECTIONS.stockmovements]);
  await createIndexes(db, LEDGER_INDEX_DEFINITIONS);
  await openingMovements(db);
}

/** Drops the index; the movements are left for a later up (which skips variants that have some). */
export async function down(db: Db): Promise<void> {
  await dropIndexes(db, LEDGER_INDEX_DEFINITIONS);
}
