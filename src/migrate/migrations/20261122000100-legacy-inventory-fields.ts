import type { Db } from 'mongodb';
import { STORE_COLLECTIONS } from '../../store/mongo/mongo.schemas';
import { migrateLegacyInventoryOrFail } from '../legacy-inventory';
import { MongoLegacyInventorySource } from '../legacy-inventory.mongo';
import { migrationLog } from '../migration-log';

/**
 * Legacy inventory documents (only totalStock and reservedStock) get the stored availableStock,
 * a version and needsSync. First of the migrations: the indexes are then built once over final
 * values, and the validators can only be installed once every document satisfies them.
 */
export const BATCH_SIZE = 1000;

export async function up(db: Db): Promise<void> {
  await migrateLegacyInventoryOrFail(
    new MongoLegacyInventorySource(db.collection(STORE_COLLECTIONS.inventory)),
    {
      batchSize: BATCH_SIZE,
      log: migrationLog,
      now: new Date(),
    },
  );
}

/**
 * Back to the legacy shape: availableStock and needsSync go, so a later `up` recomputes them from
 * the figures (which an older writer may have changed meanwhile). version stays: it must never go
 * back, or the search sync would ignore the next changes as older than what it already indexed.
 * Stop the API and workers first: without availableStock every reservation is out of stock.
 */
export async function down(db: Db): Promise<void> {
  const result = await db
    .collection(STORE_COLLECTIONS.inventory)
    .updateMany({}, { $unset: { availableStock: '', needsSync: '' } });
  migrationLog(
    `legacy-inventory: removed availableStock and needsSync from ${result.modifiedCount} documents`,
  );
}
