import type { Db } from 'mongodb';
import { SEARCH_INDEXES } from '../../store/mongo/mongo.schemas';
import { createIndexes, dropIndexes } from '../store-indexes';

/**
 * The searchdocuments indexes: variantId unique (one document per variant, and the
 * order of search pages) and the text index on title + sku behind `GET /v1/search?q=`.
 */
export async function up(db: Db): Promise<void> {
  await createIndexes(db, SEARCH_INDEXES);
}

export async function down(db: Db): Promise<void> {
  await dropIndexes(db, SEARCH_INDEXES);
}
