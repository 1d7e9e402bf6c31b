import type { Db } from 'mongodb';
import { STORE_COLLECTIONS } from '../../store/mongo/mongo.schemas';
import { migrateLegacyInventoryOrFail } from '../legacy-inventory';
import { MongoLegacyInventorySource } from '../legacy-inventory.mongo';
import { migrationLog } from '../migration-log';
import { BATCH_SIZE } from './20261122000100-legacy-inventory-fields';

/**
 * The first version of the legacy-inventory walk never set `updatedAt`, and readers order pending
 * search syncs by it. The walk now sets it where missing (the run's time) and refuses documents
 * whose variantId is not an ObjectId; running it again picks up every document an earlier run left
 * without `updatedAt`, and lists the ones that need a hand. Must run before the validator that
 * requires `updatedAt` (20261203000300).
 */
export async function up(db: Db): Promise<void> {
  await migrateLegacyInventoryOrFail(
    new MongoLegacyInventorySource(db.collection(STORE_COLLECTIONS.inventory)),
    { batchSize: BATCH_SIZE, log: migrationLog, now: new Date() },
  );
}

/** Nothing to undo: a date where there was none harms no reader, and the old walk never read it. */
export async function down(): Promise<void> {
  migrationLog('inventory-updated-at: nothing to undo (updatedAt stays)');
}
