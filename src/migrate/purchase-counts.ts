import type { Db } from 'mongodb';
import { STORE_COLLECTIONS } from '../store/mongo/mongo.schemas';
import { migrationLog } from './migration-log';

/**
 * The `$merge` stage that writes every shopper's active + committed units per variant into
 * `purchasecounts` (invariant I6). `on: [userId, variantId]` needs the unique index of that name,
 * so it runs after the cart indexes exist. Counts already there are replaced by the recount.
 */
export const PURCHASE_COUNT_PIPELINE = [
  { $match: { status: { $in: ['active', 'committed'] } } },
  {
    $group: {
      _id: { userId: '$userId', variantId: '$variantId' },
      units: { $sum: '$quantity' },
    },
  },
  { $project: { _id: 0, userId: '$_id.userId', variantId: '$_id.variantId', units: 1 } },
  {
    $merge: {
      into: STORE_COLLECTIONS.purchasecounts,
      on: ['userId', 'variantId'],
      whenMatched: [{ $set: { units: '$$new.units' } }],
      whenNotMatched: 'insert',
    },
  },
];

/**
 * Counts the holds and purchases made before purchase limits existed, so a limit set later counts
 * them too. Run it while no older version of the service is taking holds: those do not maintain
 * the counters, and reconcile would report the difference under I6.
 */
export async function backfillPurchaseCounts(db: Db): Promise<void> {
  await db.collection(STORE_COLLECTIONS.reservations).aggregate(PURCHASE_COUNT_PIPELINE).toArray();
  migrationLog('purchase counts: recounted from active and committed reservations');
}
