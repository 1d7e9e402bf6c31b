import type { Db } from 'mongodb';
import { loadConfig } from '../../config/app-config';
import { RETENTION_INDEX_NAME, STORE_COLLECTIONS } from '../../store/mongo/mongo.schemas';
import { migrationLog } from '../migration-log';
import { applyRetention } from '../retention-index';

/**
 * Retention of ended reservations: the TTL index on `reservations {endedAt: 1}`, partial to
 * released and expired ones, deleting them RETENTION_DAYS after they ended (none with 0). Committed
 * reservations are never deleted: purchase limits (I6) are recomputed from them. Later changes of
 * RETENTION_DAYS are applied by every `npm run migrate`, not by running this again.
 */
export async function up(db: Db): Promise<void> {
  const done = await applyRetention(db, loadConfig().retentionDays);
  if (done) migrationLog(done);
}

/** Drops the TTL index: ended reservations are kept again. */
export async function down(db: Db): Promise<void> {
  try {
    await db.collection(STORE_COLLECTIONS.reservations).dropIndex(RETENTION_INDEX_NAME);
    migrationLog(`retention: dropped ${STORE_COLLECTIONS.reservations}.${RETENTION_INDEX_NAME}`);
  } catch (error) {
    // 27 IndexNotFound: RETENTION_DAYS was 0, there was nothing to drop.
    if ((error as { code?: number }).code !== 27) throw error;
  }
}
