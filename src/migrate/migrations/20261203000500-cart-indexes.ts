import type { Db } from 'mongodb';
import { backfillPurchaseCounts } from '../purchase-counts';
import { CART_INDEX_DEFINITIONS, createIndexes, dropIndexes } from '../store-indexes';

/**
 * Cart holds and purchase limits: reservations by groupId, one cart group per (shopper,
 * Idempotency-Key), one purchase counter per (shopper, variant) — then the counters of the holds
 * and purchases made before this version.
 */
export async function up(db: Db): Promise<void> {
  await createIndexes(db, CART_INDEX_DEFINITIONS);
  await backfillPurchaseCounts(db);
}

/** Drops the indexes; the cartgroups and purchasecounts documents are left for a later up. */
export async function down(db: Db): Promise<void> {
  await dropIndexes(db, CART_INDEX_DEFINITIONS);
}
