import type { Db } from 'mongodb';
import { SEARCH_COLLECTIONS, STORE_COLLECTIONS } from '../store/mongo/mongo.schemas';
import { migrationLog } from './migration-log';

/** Every collection the service reads or writes. */
export const EVERY_COLLECTION: readonly string[] = [
  ...Object.values(STORE_COLLECTIONS),
  ...Object.values(SEARCH_COLLECTIONS),
];

const NAMESPACE_EXISTS = 48;

/**
 * Creates each missing collection. Idempotent; an existing one (with its validator, if the
 * validators migration made it) is left as it is. So no collection is first created implicitly by
 * the service's first write inside a transaction, and the start-up check finds every one.
 */
export async function createCollections(
  db: Db,
  collections: readonly string[] = EVERY_COLLECTION,
): Promise<void> {
  const existing = new Set(
    (await db.listCollections({}, { nameOnly: true }).toArray()).map((info) => info.name),
  );
  for (const name of collections) {
    if (existing.has(name)) continue;
    try {
      await db.createCollection(name);
      migrationLog(`collections: created ${name}`);
    } catch (error) {
      // Created meanwhile (another migrate run, or the service's first write): already there.
      if ((error as { code?: number }).code !== NAMESPACE_EXISTS) throw error;
    }
  }
}
