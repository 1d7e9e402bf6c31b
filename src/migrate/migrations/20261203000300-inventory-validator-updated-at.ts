import type { Db } from 'mongodb';
import { installValidators } from '../store-validators';
import { migrationLog } from '../migration-log';

/**
 * Installs the validators again, now requiring `updatedAt` (a date) and an ObjectId `variantId` on
 * inventory. Refuses, listing them, while existing documents lack either (20261203000100 fills in
 * `updatedAt`; a wrong variantId needs a hand).
 */
export async function up(db: Db): Promise<void> {
  await installValidators(db);
}

/** The stricter validator stays: the service always writes both fields. */
export async function down(): Promise<void> {
  migrationLog('inventory-validator-updated-at: nothing to undo (the validator stays)');
}
