import type { Db } from 'mongodb';
import { createIndexes, dropIndexes } from '../store-indexes';

/** Every index of the stock collections (production runs with mongoose autoIndex off). */
export async function up(db: Db): Promise<void> {
  await createIndexes(db);
}

export async function down(db: Db): Promise<void> {
  await dropIndexes(db);
}
