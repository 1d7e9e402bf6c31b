import type { Db } from 'mongodb';
import { STORE_COLLECTIONS } from '../../store/mongo/mongo.schemas';
import { createCollections } from '../store-collections';
import { createIndexes, dropIndexes, WEBHOOK_INDEX_DEFINITIONS } from '../store-indexes';

/**
 * Webhooks (docs/webhooks.md): the subscriptions, the publisher's progress, the delivery lanes and
 * the dead letters, with their indexes (WEBHOOK_INDEXES). Nothing to backfill: the publisher starts
 * each variant's progress at 0 and subscriptions only get events made after they were created.
 */
export async function up(db: Db): Promise<void> {
  await createCollections(db, [
    STORE_COLLECTIONS.webhooksubscriptions,
    STORE_COLLECTIONS.webhookprogress,
    STORE_COLLECTIONS.webhooklanes,
    STORE_COLLECTIONS.webhookdeliveries,
  ]);
  await createIndexes(db, WEBHOOK_INDEX_DEFINITIONS);
}

/** Drops the indexes; the collections and what they hold are kept. */
export async function down(db: Db): Promise<void> {
  await dropIndexes(db, WEBHOOK_INDEX_DEFINITIONS);
}
