import type { Db } from 'mongodb';
import { createCollections } from '../store-collections';
import { migrationLog } from '../migration-log';

/**
 * Creates every collection the service uses, userholds included (it was first created implicitly,
 * inside a snapshot transaction, by the first reservation). The start-up check then finds each one.
 */
export async function up(db: Db): Promise<void> {
  await createCollections(db);
}

/** Collections hold the data: never dropped by a migration. */
export async function down(): Promise<void> {
  migrationLog('every-collection: nothing to undo (collections and their data stay)');
}
