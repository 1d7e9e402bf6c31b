import type { Db } from 'mongodb';
import { STORE_COLLECTIONS } from '../../store/mongo/mongo.schemas';
import { createCollections } from '../store-collections';
import { createIndexes, dropIndexes, WAITLIST_INDEX_DEFINITIONS } from '../store-indexes';

/**
 * The waitlist (architecture §14): the waitlistentries collection and its indexes — one entry
 * per (shopper, variant), a variant's line in order, waiting entries by expiry.
 */
export async function up(db: Db): Promise<void> {
  await createCollections(db, [STORE_COLLECTIONS.waitlistentries]);
  await createIndexes(db, WAITLIST_INDEX_DEFINITIONS);
}

/** Drops the indexes; the entries are left for a later up. */
export async function down(db: Db): Promise<void> {
  await dropIndexes(db, WAITLIST_INDEX_DEFINITIONS);
}
