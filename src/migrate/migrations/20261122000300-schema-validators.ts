import type { Db } from 'mongodb';
import { installValidators, removeValidators } from '../store-validators';

/** `$jsonSchema` validators on inventory (I1, figures ≥ 0) and reservations (status, quantity). */
export async function up(db: Db): Promise<void> {
  await installValidators(db);
}

export async function down(db: Db): Promise<void> {
  await removeValidators(db);
}
