import type { Db, Document } from 'mongodb';
import {
  RETENTION_INDEX_NAME,
  retentionIndex,
  STORE_COLLECTIONS,
} from '../store/mongo/mongo.schemas';
import { createIndexes } from './store-indexes';

/** What brings the reservations' TTL index in line with RETENTION_DAYS. */
export type RetentionChange =
  | { kind: 'none' }
  | { kind: 'create'; expireAfterSeconds: number }
  | { kind: 'modify'; from: number; expireAfterSeconds: number }
  | { kind: 'drop' };

/** Pure: compares the index as listIndexes reports it (or its absence) with the configured days. */
export function planRetention(
  existing: Document | undefined,
  retentionDays: number,
): RetentionChange {
  const wanted = retentionIndex(retentionDays)?.options.expireAfterSeconds;
  if (wanted === undefined) return existing ? { kind: 'drop' } : { kind: 'none' };
  if (!existing) return { kind: 'create', expireAfterSeconds: wanted };
  const current = Number(existing.expireAfterSeconds);
  return current === wanted
    ? { kind: 'none' }
    : { kind: 'modify', from: current, expireAfterSeconds: wanted };
}

/**
 * Creates, retimes or drops the TTL index that deletes released and expired reservations, so it
 * matches RETENTION_DAYS. Run by the retention migration and again by every `npm run migrate`,
 * since a migration runs once and RETENTION_DAYS may change later. A new lifetime is set in place
 * with collMod (the index is not rebuilt); returns what was done, for the CLI to print.
 * The driver passes `expireAfterSeconds` and `partialFilterExpression` to createIndexes (both are in
 * VALID_INDEX_OPTIONS, node_modules/mongodb/lib/operations/indexes.js); a lifetime of at most
 * 3650 days fits an int32, so listIndexes reads it back as a plain number.
 */
export async function applyRetention(db: Db, retentionDays: number): Promise<string | null> {
  const collection = db.collection(STORE_COLLECTIONS.reservations);
  const indexes = await collection.listIndexes().toArray();
  const change = planRetention(
    indexes.find((index) => index.name === RETENTION_INDEX_NAME),
    retentionDays,
  );
  let done: string | null = null;
  if (change.kind === 'create') {
    await createIndexes(db, [retentionIndex(retentionDays)!]);
    done = `retention: ended reservations are deleted ${retentionDays} days after they ended`;
  } else if (change.kind === 'modify') {
    await db.command({
      collMod: STORE_COLLECTIONS.reservations,
      index: { name: RETENTION_INDEX_NAME, expireAfterSeconds: change.expireAfterSeconds },
    });
    done = `retention: changed from ${change.from / 86_400} to ${retentionDays} days`;
  } else if (change.kind === 'drop') {
    await collection.dropIndex(RETENTION_INDEX_NAME);
    done = 'retention: RETENTION_DAYS=0, the TTL index is dropped and ended reservations are kept';
  }
  return done;
}
